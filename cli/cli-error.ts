/**
 * A failure the CLI reports as one line, with a non-zero exit status, and under --json as
 * `{"error": {"code", "message"}}`. Exit status 2 is a mistake in how the command was called.
 */
export class CliError extends Error {
  readonly code: string;

  constructor(
    message: string,
    readonly exitCode = 1,
    code?: string,
  ) {
    super(message);
    this.name = "CliError";
    this.code = code ?? (exitCode === 2 ? "invalid_usage" : "failed");
  }
}

/** Reads a required option, or says which flag is missing and what it is for. */
export function requireOption<T>(value: T | undefined, flag: string, what: string): T {
  if (value === undefined || value === "" || value === true || value === false) {
    throw new CliError(`Missing ${flag} (${what}); see --help.`, 2, "missing_option");
  }
  return value;
}

/** cac turns numeric-looking values into numbers; ids and names are always text. */
export function text(value: unknown): string | undefined {
  if (value === undefined || value === null || typeof value === "boolean") return undefined;
  return String(value);
}

/** An option that may be given several times, as a list. */
export function list(value: unknown): string[] {
  if (value === undefined || value === null || typeof value === "boolean") return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}
