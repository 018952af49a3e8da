import { CliError } from "./cli-error.ts";

const UNIT_SECONDS: Readonly<Record<string, number>> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86_400 };

/**
 * Reads a duration option as seconds: "90" and "90s" are 90 seconds; "1.5m",
 * "2h", "1h30m" and "7d" mean what they say. Anything else is one line saying
 * what to write.
 */
export function parseDurationSeconds(option: string, value: string): number {
  const text = value.trim().toLowerCase();
  const parts = [...text.matchAll(/([0-9]+(?:\.[0-9]+)?)(ms|s|m|h|d)?/g)];
  const valid = text !== "" && parts.map((part) => part[0]).join("") === text && parts.every((part, i) => part[2] || (i === parts.length - 1 && parts.length === 1));
  if (!valid) throw new CliError(`Invalid ${option} "${value}": give a duration such as 90, 30s, 1.5m, 2h, 1h30m or 7d.`, 2, "invalid_option");
  const seconds = parts.reduce((sum, part) => sum + Number(part[1]) * UNIT_SECONDS[part[2] ?? "s"]!, 0);
  return Math.round(seconds * 1000) / 1000;
}
