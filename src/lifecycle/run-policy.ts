import { badRequest } from "../errors.ts";

/** How a task's attempts are run: how long each may take, and how often a failed one is run again. */
export interface RunPolicy {
  maxRetries: number;
  retryDelayMs: number;
  /** Each further retry waits twice as long as the one before (capped at MAX_RETRY_WAIT_MS). */
  retryBackoff: boolean;
  /** null: no limit. */
  timeoutMs: number | null;
}

export const DEFAULT_RUN_POLICY: RunPolicy = Object.freeze({ maxRetries: 0, retryDelayMs: 0, retryBackoff: false, timeoutMs: null });

export const MAX_RETRIES = 100;
const DAY_S = 24 * 60 * 60;
export const MAX_RETRY_DELAY_S = 7 * DAY_S;
export const MAX_TIMEOUT_S = 365 * DAY_S;
/** However many retries have doubled it, no retry waits longer than this. */
export const MAX_RETRY_WAIT_MS = MAX_RETRY_DELAY_S * 1000;

/** The submission's form fields that set a policy, as sent (text). */
export interface RunPolicyFields {
  max_retries?: string;
  retry_delay_s?: string;
  retry_backoff?: string;
  timeout_s?: string;
}

/** Reads the policy fields of a submission; anything out of range is a 400 saying the range. */
export function parseRunPolicy(fields: RunPolicyFields): RunPolicy {
  return { ...DEFAULT_RUN_POLICY, ...parseRunPolicyChanges(fields) };
}

/**
 * Only the policy fields a form names (an edit changes those and keeps the rest);
 * timeout_s "none" removes the time limit.
 */
export function parseRunPolicyChanges(fields: RunPolicyFields): Partial<RunPolicy> {
  const changes: Partial<RunPolicy> = {};
  const maxRetries = numberField("max_retries", fields.max_retries, { min: 0, max: MAX_RETRIES, integer: true });
  if (maxRetries !== undefined) changes.maxRetries = maxRetries;
  const retryDelayS = numberField("retry_delay_s", fields.retry_delay_s, { min: 0, max: MAX_RETRY_DELAY_S });
  if (retryDelayS !== undefined) changes.retryDelayMs = Math.round(retryDelayS * 1000);
  if (fields.timeout_s === "none") changes.timeoutMs = null;
  else {
    const timeoutS = numberField("timeout_s", fields.timeout_s, { min: 0.001, max: MAX_TIMEOUT_S });
    if (timeoutS !== undefined) changes.timeoutMs = Math.max(1, Math.round(timeoutS * 1000));
  }
  const backoff = fields.retry_backoff;
  if (backoff !== undefined && backoff !== "") {
    if (backoff !== "true" && backoff !== "false") throw badRequest("invalid_field", `Invalid retry_backoff "${backoff}": send true or false.`);
    changes.retryBackoff = backoff === "true";
  }
  return changes;
}

function numberField(name: string, text: string | undefined, range: { min: number; max: number; integer?: boolean }): number | undefined {
  if (text === undefined || text === "") return undefined;
  const value = /^\s*[0-9]+(\.[0-9]+)?\s*$/.test(text) ? Number(text) : Number.NaN;
  const kind = range.integer ? "a whole number" : "a number of seconds";
  if (!Number.isFinite(value) || (range.integer && !Number.isInteger(value)) || value < range.min || value > range.max) {
    throw badRequest("invalid_field", `Invalid ${name} "${text}": give ${kind} from ${range.min} to ${range.max}.`);
  }
  return value;
}

/** The wait before retry number `retry` (1 for the first). */
export function retryWaitMs(policy: Pick<RunPolicy, "retryDelayMs" | "retryBackoff">, retry: number): number {
  if (!policy.retryBackoff) return policy.retryDelayMs;
  return Math.min(policy.retryDelayMs * 2 ** (retry - 1), MAX_RETRY_WAIT_MS);
}

/** A duration in words for messages, in the units it was likely given in: "0.5s", "45s", "2h", "1h 30m", "3d 2h". */
export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${Number((ms / 1000).toFixed(3))}s`;
  const units: Array<[string, number]> = [
    ["d", DAY_S * 1000],
    ["h", 3600_000],
    ["m", 60_000],
    ["s", 1000],
  ];
  const parts: string[] = [];
  let rest = ms;
  for (const [unit, size] of units) {
    const count = Math.floor(rest / size);
    if (count > 0) parts.push(`${count}${unit}`);
    rest -= count * size;
  }
  return parts.slice(0, 2).join(" ");
}

/** A task row's policy. */
export function policyOf(task: { maxRetries: number; retryDelayMs: number; retryBackoff: boolean; timeoutMs: number | null }): RunPolicy {
  return { maxRetries: task.maxRetries, retryDelayMs: task.retryDelayMs, retryBackoff: task.retryBackoff, timeoutMs: task.timeoutMs };
}
