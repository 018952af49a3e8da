import { CubQueueApiError, CubQueueConnectionError } from "../src/client/index.ts";
import { CliError } from "./cli-error.ts";
import type { ServerLocation } from "./locate-server.ts";

const SOURCE_WORDS: Record<ServerLocation["source"], string> = {
  "--url": ", given with --url",
  CUBQUEUE_URL: ", from CUBQUEUE_URL",
  "base dir": ", recorded in the base dir",
  default: ", the default address",
};

/** One line that says what went wrong and what to do about it. */
export function describeCliError(error: unknown, location?: ServerLocation): { message: string; exitCode: number } {
  if (error instanceof CliError) return { message: error.message, exitCode: error.exitCode };
  if (error instanceof CubQueueConnectionError) {
    const from = location ? SOURCE_WORDS[location.source] : "";
    return {
      message: `Cannot reach a CubQueue server at ${error.url}${from} (${error.reason}); start one with \`cubqueue start --base-dir DIR --daemon\`, or point to it with --url or CUBQUEUE_URL.`,
      exitCode: 1,
    };
  }
  if (error instanceof CubQueueApiError) return { message: error.message, exitCode: 1 };
  const name = (error as Error)?.name;
  if (name === "CACError") return { message: `${(error as Error).message}; see --help.`, exitCode: 2 };
  return { message: (error as Error)?.message ?? String(error), exitCode: 1 };
}
