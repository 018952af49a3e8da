import { DependencyKind } from "../db/schema.ts";
import { badRequest } from "../errors.ts";
import { isTaskId } from "../store/layout.ts";

/** How a task is scheduled, beyond its run policy (see lifecycle/run-policy.ts). */
export interface TaskSettings {
  /** Higher starts first; equal ones oldest first. */
  priority: number;
  /** What it waits for: each task to succeed (afterok) or to end (afterany). */
  dependencies: Dependency[];
  /** The CPU slots and how many GPUs each attempt takes. */
  cpus: number;
  gpus: number;
  /** Variables set for every attempt. */
  env: Record<string, string>;
  /** Submitted held: it starts only once released. */
  hold: boolean;
}

export interface Dependency {
  id: string;
  kind: DependencyKind;
}

export const DEFAULT_TASK_SETTINGS: TaskSettings = Object.freeze({ priority: 0, dependencies: [], cpus: 1, gpus: 0, env: {}, hold: false });

export const PRIORITY_RANGE = { min: -1_000_000, max: 1_000_000 } as const;
/** More than a task could sensibly wait for; each is a row, and each is checked at submission. */
export const MAX_DEPENDENCIES = 1000;
const MAX_ENV_BYTES = 64 * 1024;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The form fields that set a task's scheduling, as sent (text). */
export interface TaskSettingsFields {
  priority?: string;
  after?: string;
  after_any?: string;
  cpus?: string;
  gpus?: string;
  env?: string;
  hold?: string;
}

/** Reads the scheduling fields of a submission; anything malformed or out of range is a 400 saying what to send. */
export function parseTaskSettings(fields: TaskSettingsFields): TaskSettings {
  return { ...DEFAULT_TASK_SETTINGS, ...parseTaskSettingsChanges(fields), hold: parseBoolean("hold", fields.hold) ?? false };
}

/** Only the settings a form names (an edit changes those and keeps the rest). */
export function parseTaskSettingsChanges(fields: TaskSettingsFields): Partial<Omit<TaskSettings, "hold">> {
  const changes: Partial<Omit<TaskSettings, "hold">> = {};
  const priority = parseIntegerField("priority", fields.priority, PRIORITY_RANGE.min, PRIORITY_RANGE.max);
  if (priority !== undefined) changes.priority = priority;
  const cpus = parseIntegerField("cpus", fields.cpus, 1, 65_536);
  if (cpus !== undefined) changes.cpus = cpus;
  const gpus = parseIntegerField("gpus", fields.gpus, 0, 1024);
  if (gpus !== undefined) changes.gpus = gpus;
  if (fields.after !== undefined || fields.after_any !== undefined) changes.dependencies = parseDependencies(fields.after, fields.after_any);
  if (fields.env !== undefined) changes.env = parseEnv(fields.env);
  return changes;
}

/** `after` and `after_any`: task ids, comma-separated; one id named in both is refused. */
function parseDependencies(after: string | undefined, afterAny: string | undefined): Dependency[] {
  const dependencies: Dependency[] = [];
  const seen = new Set<string>();
  for (const [field, text, kind] of [
    ["after", after, DependencyKind.afterok],
    ["after_any", afterAny, DependencyKind.afterany],
  ] as const) {
    for (const id of (text ?? "").split(",").map((each) => each.trim()).filter(Boolean)) {
      if (!isTaskId(id)) throw badRequest("invalid_field", `Invalid ${field} "${id}": give task ids (as submit answered them), separated by commas.`);
      if (seen.has(id)) throw badRequest("invalid_field", `The task ${id} is named twice in after/after_any: wait for it once, for its success (after) or for its end (after_any).`);
      seen.add(id);
      dependencies.push({ id, kind });
    }
  }
  if (dependencies.length > MAX_DEPENDENCIES) {
    throw badRequest("invalid_field", `A task may wait for at most ${MAX_DEPENDENCIES} tasks, not ${dependencies.length}.`);
  }
  return dependencies;
}

/** `env`: a JSON object of names to string values; CubQueue's own names are refused. */
function parseEnv(text: string): Record<string, string> {
  if (text.trim() === "") return {};
  if (Buffer.byteLength(text) > MAX_ENV_BYTES) throw badRequest("invalid_field", `The env field is larger than ${MAX_ENV_BYTES / 1024} KiB.`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw badRequest("invalid_field", 'Invalid env: send a JSON object of variable names to string values, e.g. {"OMP_NUM_THREADS": "4"}.');
  }
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(parsed)) {
    if (!ENV_NAME.test(name)) throw badRequest("invalid_field", `Invalid variable name "${name}" in env: use letters, digits and underscores, not starting with a digit.`);
    if (name.toUpperCase().startsWith("CUBQUEUE_")) {
      throw badRequest("invalid_field", `The variable ${name} in env is CubQueue's own: names starting with CUBQUEUE_ are set by CubQueue for every task.`);
    }
    if (typeof value !== "string") throw badRequest("invalid_field", `The value of ${name} in env must be a string, not ${JSON.stringify(value)}.`);
    if (value.includes("\0")) throw badRequest("invalid_field", `The value of ${name} in env holds a NUL byte, which no environment can carry.`);
    env[name] = value;
  }
  return env;
}

/** A whole number form field from min to max; absent or blank is undefined; anything else is a 400 naming the range. */
export function parseIntegerField(name: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined || text.trim() === "") return undefined;
  const value = /^\s*-?[0-9]+\s*$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw badRequest("invalid_field", `Invalid ${name} "${text}": give a whole number from ${min} to ${max}.`);
  }
  return value;
}

export function parseBoolean(name: string, text: string | undefined): boolean | undefined {
  if (text === undefined || text === "") return undefined;
  if (text === "true") return true;
  if (text === "false") return false;
  throw badRequest("invalid_field", `Invalid ${name} "${text}": send true or false.`);
}
