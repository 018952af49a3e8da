import { fetchFailureCode } from "../runtime/fetch-failure.ts";

/** The server answered with an error: its code, message and HTTP status. */
export class CubQueueApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "CubQueueApiError";
  }
}

/** The server could not be reached at all. */
export class CubQueueConnectionError extends Error {
  constructor(
    readonly url: string,
    readonly reason: string,
  ) {
    super(`Cannot reach a CubQueue server at ${url} (${reason})`);
    this.name = "CubQueueConnectionError";
  }
}

/** waitForTask gave up: the task had not finished within the time it was given. */
export class CubQueueTimeoutError extends Error {
  constructor(
    readonly taskId: string,
    readonly status: string,
    readonly timeoutMs: number,
  ) {
    super(`Task ${taskId} is still ${status} after ${formatWait(timeoutMs)}.`);
    this.name = "CubQueueTimeoutError";
  }
}

/** "30 s", "2.5 s", "1500 ms" → a wait as people say it. */
function formatWait(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Number((ms / 1000).toFixed(1))} s`;
}

/**
 * A download would put files where its output folder already has some: refused before anything
 * of it was written. `path` is the first such file; `count` how many there are. `overwritable`
 * is false when one of them is a folder or a link to one, which a download never replaces.
 */
export class CubQueueFileExistsError extends Error {
  constructor(
    readonly path: string,
    readonly count: number,
    readonly overwritable: boolean,
  ) {
    super(
      overwritable
        ? `${path} already exists${count > 1 ? `, and ${count - 1} more of the download's files too` : ""}; nothing was written. Download into another folder, or let the download replace them (overwrite).`
        : `${path} is in the way: the download has something else there (a file where a folder is, a folder where a file or link is), which it never replaces; nothing was written. Download into another folder.`,
    );
    this.name = "CubQueueFileExistsError";
  }
}

/**
 * An answer no CubQueue server gives (an HTML page, a proxy's error): whatever answers at that
 * address is not CubQueue, or not only CubQueue. One line, not the page.
 */
export function unexpectedResponse(baseUrl: string, response: Response): CubQueueApiError {
  const type = response.headers.get("content-type")?.split(";")[0]?.trim() || "no content type";
  return new CubQueueApiError(
    response.status,
    "unexpected_response",
    `The server at ${baseUrl} answered ${response.status}${response.statusText ? ` ${response.statusText}` : ""} with ${type}, not CubQueue's JSON: is that the address of a CubQueue server?`,
  );
}

/** A successful answer whose body was not the JSON CubQueue sends. */
export function notJson(baseUrl: string): CubQueueApiError {
  return new CubQueueApiError(
    200,
    "unexpected_response",
    `The server at ${baseUrl} answered with something that is not CubQueue's JSON: is that the address of a CubQueue server?`,
  );
}

/** Reads an error answer into a CubQueueApiError, whatever its body. */
export function apiErrorFrom(response: Response, body: unknown): CubQueueApiError {
  const error = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  if (typeof error?.code === "string" && typeof error.message === "string") {
    return new CubQueueApiError(response.status, error.code, error.message);
  }
  const text = typeof body === "string" && body.trim() ? `: ${body.trim().slice(0, 200)}` : "";
  return new CubQueueApiError(response.status, "http_error", `The server answered ${response.status} ${response.statusText}${text}`);
}

/** Why fetch failed, in a few words ("connection refused"), from Node's or Deno's error. */
export function describeFetchFailure(error: unknown): string {
  const cause = (error as { cause?: { message?: string } }).cause;
  const code = fetchFailureCode(error);
  const known: Record<string, string> = {
    ECONNREFUSED: "connection refused: is the server running?",
    ENOTFOUND: "unknown host",
    ECONNRESET: "connection reset",
    ETIMEDOUT: "timed out",
    EHOSTUNREACH: "host unreachable",
  };
  if (code && known[code]) return known[code];
  return cause?.message ?? (error as Error).message ?? String(error);
}
