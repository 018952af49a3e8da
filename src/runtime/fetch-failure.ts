/** Deno's words for the failures CubQueue explains, and Node's codes for them. */
const DENO_MESSAGES: ReadonlyArray<readonly [RegExp, string]> = [
  [/connection refused/i, "ECONNREFUSED"],
  [/dns error|failed to lookup address/i, "ENOTFOUND"],
  [/connection reset/i, "ECONNRESET"],
  [/timed out/i, "ETIMEDOUT"],
  [/no route to host|network is unreachable/i, "EHOSTUNREACH"],
];

/**
 * Node's error code (ECONNREFUSED, …) for a failed fetch. Node's fetch puts it
 * on `cause.code`; Deno's fetch gives a plain Error whose message names the OS
 * error ("tcp connect error: Connection refused (os error 111)"), so the code
 * is read from that. Both reject with TypeError("fetch failed").
 */
export function fetchFailureCode(error: unknown): string | undefined {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  const code = cause?.code ?? (error as { code?: unknown } | undefined)?.code;
  if (typeof code === "string") return code;
  const message = typeof cause?.message === "string" ? cause.message : "";
  return DENO_MESSAGES.find(([pattern]) => pattern.test(message))?.[1];
}
