import { isIP } from "node:net";
import type { MiddlewareHandler } from "hono";
import { CLIENT_HEADER } from "../api-info.ts";
import { AppError } from "../errors.ts";
import { isLoopback } from "../server/listen-policy.ts";

export { CLIENT_HEADER };

export interface BrowserGuardOptions {
  /** The --host the server listens on; also accepted as a Host header. */
  host: string;
  /** True when every /api request needs the token: any Host may then reach it. */
  tokenRequired: boolean;
}

const STATE_CHANGING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/**
 * Keeps web pages from using the server through the operator's browser.
 *
 * - Host: without a token, only loopback names, IP literals and the configured
 *   --host are served. DNS rebinding needs a name the attacker controls
 *   (`evil.test` resolving to 127.0.0.1): the browser then sends that name.
 *   An IP literal cannot be rebound, so it is safe (and lets an --insecure
 *   server be reached by its LAN address).
 * - Cross-site: a request a browser marks as coming from another site
 *   (Sec-Fetch-Site) or another origin (Origin) is refused on every route,
 *   except a plain GET navigation (a followed link), whose answer the other
 *   page can never read.
 * - A state-changing request from a browser must carry X-CubQueue-Client or
 *   Authorization: neither can be sent cross-origin without a preflight.
 *   Requests without any browser header (curl, scripts) are not affected.
 *
 * No CORS header is ever sent, so no other origin can read an answer.
 */
export function browserGuard({ host, tokenRequired }: BrowserGuardOptions): MiddlewareHandler {
  const configuredHost = hostName(host);
  return async (c, next) => {
    const url = new URL(c.req.url);
    const hostHeader = c.req.header("host") ?? url.host;
    if (!tokenRequired && !isAcceptedHost(hostName(hostHeader), configuredHost)) {
      throw new AppError(
        403,
        "forbidden_host",
        `This server answers only to localhost, an IP address or ${host} (the request named "${hostHeader}"); ` +
          `open it as http://127.0.0.1:${url.port || "80"}, or start it with --token to serve other names.`,
      );
    }
    const site = c.req.header("sec-fetch-site");
    const origin = c.req.header("origin");
    const ownOrigin = `${url.protocol}//${hostHeader}`;
    const followedLink =
      c.req.method === "GET" && c.req.header("sec-fetch-mode") === "navigate" && c.req.header("sec-fetch-dest") === "document";
    const crossSite = site === "cross-site" || site === "same-site" || (origin !== undefined && !sameOrigin(origin, ownOrigin));
    if (crossSite && !(followedLink && origin === undefined)) {
      throw new AppError(
        403,
        "cross_site_request",
        `Requests from other web pages${origin && origin !== "null" ? ` (${origin})` : ""} are refused: use the CLI, the SDK, curl, or this server's own /docs page.`,
      );
    }
    const fromBrowser = origin !== undefined || site !== undefined;
    if (fromBrowser && STATE_CHANGING.has(c.req.method) && !c.req.header(CLIENT_HEADER) && !c.req.header("authorization")) {
      throw new AppError(
        403,
        "client_header_required",
        `A browser request that changes something must carry the ${CLIENT_HEADER} header (the SDK, the CLI and /docs send it) or the token.`,
      );
    }
    await next();
  };
}

function isAcceptedHost(name: string, configuredHost: string): boolean {
  return isLoopback(name) || isIP(name) !== 0 || name === configuredHost;
}

/** The host name of a Host header or --host, without port or brackets, lowercased. */
function hostName(host: string): string {
  const lower = host.trim().toLowerCase().replace(/\.$/, "");
  if (lower.startsWith("[")) return lower.slice(1, lower.indexOf("]") === -1 ? undefined : lower.indexOf("]"));
  if (isIP(lower) === 6) return lower;
  return lower.replace(/:\d*$/, "").replace(/\.$/, "");
}

function sameOrigin(origin: string, own: string): boolean {
  try {
    return new URL(origin).origin === new URL(own).origin;
  } catch {
    return false;
  }
}
