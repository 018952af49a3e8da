import { CubQueueApiError, CubQueueConnectionError, CubQueueFileExistsError, CubQueueTimeoutError } from "../src/client/index.ts";
import { CliError } from "./cli-error.ts";
import type { ServerLocation } from "./locate-server.ts";

const SOURCE_WORDS: Record<ServerLocation["source"], string> = {
  "--url": ", given with --url",
  CUBQUEUE_URL: ", from CUBQUEUE_URL",
  "base dir": ", recorded in the base dir",
  default: ", the default address",
};

export interface ReportedError {
  /** One line that says what went wrong and what to do about it. */
  message: string;
  /** Machine-readable: the server's error code, or the CLI's own (invalid_option, connection_failed, …). */
  code: string;
  exitCode: number;
}

/** What went wrong, for people (one line) and for scripts (a code); `command` is how the user runs cubqueue. */
export function describeCliError(error: unknown, { location, command = "cubqueue" }: { location?: ServerLocation; command?: string } = {}): ReportedError {
  if (error instanceof CliError) return { message: error.message, code: error.code, exitCode: error.exitCode };
  if (error instanceof CubQueueConnectionError) {
    const from = location ? SOURCE_WORDS[location.source] : "";
    return {
      message: `Cannot reach a CubQueue server at ${error.url}${from} (${error.reason}); start one with \`${command} start --base-dir DIR --daemon\`, or point to it with --url or CUBQUEUE_URL.`,
      code: "connection_failed",
      exitCode: 1,
    };
  }
  if (error instanceof CubQueueFileExistsError) {
    const more = error.count > 1 ? `, and ${error.count - 1} more of the download's files too` : "";
    return {
      message: error.overwritable
        ? `${error.path} already exists${more}; nothing was written. Pass --force (or --overwrite) to replace them, or choose another --output-dir.`
        : `${error.path} is in the way: the download has something else there (a file where a folder is, or a folder where a file or link is), which it never replaces; nothing was written. Choose another --output-dir.`,
      code: "file_exists",
      exitCode: 1,
    };
  }
  if (error instanceof CubQueueTimeoutError) return { message: error.message, code: "timeout", exitCode: 1 };
  if (error instanceof CubQueueApiError) return { message: error.message, code: error.code, exitCode: 1 };
  const name = (error as Error)?.name;
  if (name === "CACError") {
    // cac's own words for a flag given without its value: "option `--limit <n>` value is missing".
    const missing = /^option `(--[^ `]+)[^`]*` value is missing$/.exec((error as Error).message);
    const message = missing ? `${missing[1]} needs a value` : (error as Error).message;
    return { message: `${message}; see --help.`, code: "invalid_usage", exitCode: 2 };
  }
  return { message: (error as Error)?.message ?? String(error), code: "failed", exitCode: 1 };
}

/** The error as printed on stderr: `cubqueue: <message>`, or with --json `{"error": {"code", "message"}}`. */
export function formatCliError({ message, code }: ReportedError, asJson: boolean): string {
  return asJson ? `${JSON.stringify({ error: { code, message } })}\n` : `cubqueue: ${message}\n`;
}
