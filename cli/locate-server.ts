import { resolve } from "node:path";
import { createLayout } from "../src/store/layout.ts";
import { readRecordedUrl } from "../src/server/instance.ts";
import { CliError } from "./cli-error.ts";

export const DEFAULT_URL = "http://127.0.0.1:8000";

export interface ServerLocation {
  url: string;
  /** Where the URL came from, to say so when it cannot be reached. */
  source: "--url" | "CUBQUEUE_URL" | "base dir" | "default";
}

/**
 * Finds the server: --url, then CUBQUEUE_URL, then the server recorded in the
 * base dir (--base-dir or CUBQUEUE_BASE_DIR), then the default address.
 */
export async function locateServer(
  flags: { url?: string; baseDir?: string },
  env: { url?: string; baseDir?: string },
  command = "cubqueue",
): Promise<ServerLocation> {
  if (flags.url) return { url: checkedUrl(flags.url, "--url"), source: "--url" };
  if (env.url) return { url: checkedUrl(env.url, "CUBQUEUE_URL"), source: "CUBQUEUE_URL" };
  const baseDir = flags.baseDir ?? env.baseDir;
  if (baseDir) {
    const url = await readRecordedUrl(createLayout(resolve(baseDir)));
    if (!url) {
      throw new CliError(
        `No CubQueue server is running for ${resolve(baseDir)}; start one with \`${command} start --base-dir ${baseDir} --daemon\`.`,
      );
    }
    return { url, source: "base dir" };
  }
  return { url: DEFAULT_URL, source: "default" };
}

/** A server URL as given: http:// or https://, with a host. A bare "host:port" is the usual slip, and says so. */
function checkedUrl(url: string, source: "--url" | "CUBQUEUE_URL"): string {
  const refuse = (advice: string) => new CliError(`Invalid ${source} "${url}": ${advice}.`, 2, "invalid_option");
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) throw refuse(`it has no scheme; add http:// (or https://), as in http://${url}`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw refuse("it is not a URL; give one such as http://127.0.0.1:8000");
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw refuse("use an http:// or https:// URL");
  return url;
}
