import { formatByteSize, parseByteSize } from "../src/byte-size.ts";
import { CliError } from "./cli-error.ts";
import { parseDurationSeconds } from "./duration.ts";
import { formatDuration } from "./output.ts";

/**
 * Reading option values. Each refusal is one line that names the flag, repeats what was
 * given and says what to give instead, with the allowed range, in the words the server uses
 * for its own fields: `Invalid --lines "0": give a whole number from 1 to 100000.`
 */

const invalid = (flag: string, value: unknown, advice: string) =>
  new CliError(`Invalid ${flag} "${String(value)}": ${advice}.`, 2, "invalid_option");

/** A value given without its flag's value (`--limit` at the end), which cac reports as `true`. */
function given(flag: string, value: unknown, what: string): string {
  if (value === true || value === undefined || value === null || String(value).trim() === "") {
    throw new CliError(`${flag} needs a value: ${what}.`, 2, "invalid_option");
  }
  return String(value).trim();
}

/** A whole number from min to max (max optional). */
export function wholeNumber(flag: string, value: unknown, min: number, max?: number): number {
  const range = max === undefined ? `a whole number of at least ${min}` : `a whole number from ${min} to ${max}`;
  const written = given(flag, value, range);
  const number = Number(written);
  if (!/^[0-9]+$/.test(written) || number < min || (max !== undefined && number > max)) throw invalid(flag, value, `give ${range}`);
  return number;
}

/** A TCP port to listen on: 1 to 65535, or 0 for one the system picks. */
export function port(flag: string, value: unknown): number {
  const written = given(flag, value, "a port from 1 to 65535, or 0 for any free port");
  const number = Number(written);
  if (!/^[0-9]+$/.test(written) || number > 65535) throw invalid(flag, value, "use a port from 1 to 65535, or 0 for any free port");
  return number;
}

/** A duration (90, 30s, 1.5m, 2h, 1h30m, 7d) within a range, in seconds. */
export function durationSeconds(flag: string, value: unknown, minSeconds: number, maxSeconds?: number): number {
  const range =
    maxSeconds === undefined ? `of at least ${formatDuration(minSeconds * 1000)}` : `from ${formatDuration(minSeconds * 1000)} to ${formatDuration(maxSeconds * 1000)}`;
  const seconds = parseDurationSeconds(flag, given(flag, value, "a duration such as 90, 30s, 1.5m, 2h, 1h30m or 7d"));
  if (seconds < minSeconds || (maxSeconds !== undefined && seconds > maxSeconds)) throw invalid(flag, value, `give a duration ${range}`);
  return seconds;
}

/** A size in bytes, as people write it: 512M, 10G, 1.5GiB or a number of bytes (powers of 1024). */
export function byteSize(flag: string, value: unknown, minBytes = 1): number {
  const bytes = parseByteSize(given(flag, value, "a size such as 512M or 10G"));
  if (bytes === undefined) throw invalid(flag, value, "give a size such as 512M, 10G or a number of bytes (K, M, G and T are powers of 1024)");
  if (bytes < minBytes) throw invalid(flag, value, `give a size of at least ${formatByteSize(minBytes)}`);
  return bytes;
}

/** One of a few words. */
export function choice<T extends string>(flag: string, value: unknown, choices: readonly T[]): T {
  const written = given(flag, value, `one of ${choices.join(", ")}`);
  if (!choices.includes(written as T)) throw invalid(flag, value, `use one of ${choices.join(", ")}`);
  return written as T;
}

/**
 * A point in time: a date or time as ISO 8601 writes it (2026-12-01, 2026-12-01T14:00, with a
 * zone or in local time), or a duration with its unit meaning that long ago (90m, 2h, 7d).
 */
export function pointInTime(flag: string, value: unknown, now = Date.now()): Date {
  const written = given(flag, value, "a date such as 2026-12-01, a time such as 2026-12-01T14:00, or how long ago, such as 2h or 7d");
  if (/^[0-9.]+(ms|s|m|h|d)([0-9.]+(ms|s|m|h|d))*$/i.test(written)) return new Date(now - parseDurationSeconds(flag, written) * 1000);
  const time = /^[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9:.]+(Z|[+-][0-9:]+)?)?$/i.test(written) ? Date.parse(written.replace(" ", "T")) : Number.NaN;
  if (Number.isNaN(time)) throw invalid(flag, value, "give a date such as 2026-12-01, a time such as 2026-12-01T14:00, or how long ago, such as 2h or 7d");
  return new Date(time);
}

/** KEY=VALUE pairs from a repeatable option (the value may hold "="), as an object. */
export function keyValues(flag: string, value: unknown, example: string): Record<string, string> {
  const pairs: Record<string, string> = {};
  for (const pair of (Array.isArray(value) ? value : value === undefined ? [] : [value]).map(String)) {
    const equals = pair.indexOf("=");
    if (equals <= 0) throw invalid(flag, pair, `use KEY=VALUE, e.g. ${flag} ${example}`);
    pairs[pair.slice(0, equals)] = pair.slice(equals + 1);
  }
  return pairs;
}
