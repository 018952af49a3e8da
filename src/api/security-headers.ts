import type { MiddlewareHandler } from "hono";

/**
 * Headers every answer carries: browsers must not guess a type other than the
 * one sent (a log is text, never HTML or script), no page may frame ours
 * (clickjacking), and what /api returns (task data, logs, archives) is never
 * kept in a cache, where another user of the machine could find it.
 */
export function securityHeaders(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    // A Response built elsewhere may have immutable headers; copy it once then.
    if (!writable(c.res.headers)) c.res = new Response(c.res.body, c.res);
    const headers = c.res.headers;
    headers.set("X-Content-Type-Options", "nosniff");
    headers.set("X-Frame-Options", "DENY");
    if (!headers.has("Content-Security-Policy")) headers.set("Content-Security-Policy", "frame-ancestors 'none'");
    if (c.req.path.startsWith("/api/")) headers.set("Cache-Control", "no-store");
  };
}

function writable(headers: Headers): boolean {
  try {
    headers.set("X-Content-Type-Options", "nosniff");
    return true;
  } catch {
    return false;
  }
}
