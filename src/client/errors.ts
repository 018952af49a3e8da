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
