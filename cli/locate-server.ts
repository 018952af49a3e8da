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
export async function locateServer(flags: { url?: string; baseDir?: string }, env: { url?: string; baseDir?: string }): Promise<ServerLocation> {
  if (flags.url) return { url: flags.url, source: "--url" };
  if (env.url) return { url: env.url, source: "CUBQUEUE_URL" };
  const baseDir = flags.baseDir ?? env.baseDir;
  if (baseDir) {
    const url = await readRecordedUrl(createLayout(resolve(baseDir)));
    if (!url) {
      throw new CliError(
        `No CubQueue server is running for ${resolve(baseDir)}; start one with \`cubqueue start --base-dir ${baseDir} --daemon\`.`,
      );
    }
    return { url, source: "base dir" };
  }
  return { url: DEFAULT_URL, source: "default" };
}
