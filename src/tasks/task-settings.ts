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
  /** A name for people ("sample 42"), null for none. */
  name: string | null;
  /** Labels to find it by (`project: "beta"`). */
  tags: Record<string, string>;
  /** An http(s) URL told of its end (or, with notifyOn "all", of every change of its state). */
  notifyUrl: string | null;
  notifyOn: "finish" | "all";
}

export interface Dependency {
  id: string;
  kind: DependencyKind;
}

export const DEFAULT_TASK_SETTINGS: TaskSettings = Object.freeze({
  priority: 0,
  dependencies: [],
  cpus: 1,
  gpus: 0,
  env: {},
  hold: false,
  name: null,
  tags: {},
  notifyUrl: null,
  notifyOn: "finish",
});

export const PRIORITY_RANGE = { min: -1_000_000, max: 1_000_000 } as const;
/** More than a task could sensibly wait for; each is a row, and each is checked at submission. */
export const MAX_DEPENDENCIES = 1000;
const MAX_ENV_BYTES = 64 * 1024;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MAX_NAME_LENGTH = 200;
const TAG_KEY = /^[A-Za-z0-9_.-]{1,64}$/;
const MAX_TAG_VALUE_LENGTH = 256;
const MAX_TAGS = 50;

/** The form fields that set a task's scheduling, as sent (text). */
export interface TaskSettingsFields {
  priority?: string;
  after?: string;
  after_any?: string;
  cpus?: string;
  gpus?: string;
  env?: string;
  hold?: string;
  name?: string;
  tags?: string;
  notify_url?: string;
  notify_on?: string;
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
  if (fields.name !== undefined) changes.name = parseName(fields.name);
  if (fields.tags !== undefined) changes.tags = parseTags(fields.tags);
  if (fields.notify_url !== undefined) changes.notifyUrl = parseNotifyUrl(fields.notify_url);
  if (fields.notify_on !== undefined && fields.notify_on !== "") {
    if (fields.notify_on !== "finish" && fields.notify_on !== "all") throw badRequest("invalid_field", `Invalid notify_on "${fields.notify_on}": send finish or all.`);
    changes.notifyOn = fields.notify_on;
  }
  return changes;
}

/** A name for people: one line, at most 200 characters; empty for none. */
function parseName(text: string): string | null {
  const name = text.trim();
  if (name === "") return null;
  if (name.length > MAX_NAME_LENGTH) throw badRequest("invalid_field", `The name is longer than ${MAX_NAME_LENGTH} characters.`);
  if (/[\u0000-\u001f\u007f]/.test(name)) throw badRequest("invalid_field", "The name holds a control character (a newline, a tab, …); give one line of text.");
  return name;
}

/** `tags`: a JSON object of keys (letters, digits, _ . -) to string values, or key=value pairs separated by commas. */
function parseTags(text: string): Record<string, string> {
  if (text.trim() === "") return {};
  let entries: Array<[string, unknown]>;
  if (text.trim().startsWith("{")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw badRequest("invalid_field", 'Invalid tags: send a JSON object of strings, e.g. {"project": "beta"}, or key=value pairs separated by commas.');
    }
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw badRequest("invalid_field", "Invalid tags: send a JSON object of strings.");
    entries = Object.entries(parsed);
  } else {
    entries = text.split(",").map((pair) => {
      const equals = pair.indexOf("=");
      if (equals <= 0) throw badRequest("invalid_field", `Invalid tag "${pair.trim()}": give key=value.`);
      return [pair.slice(0, equals).trim(), pair.slice(equals + 1).trim()];
    });
  }
  if (entries.length > MAX_TAGS) throw badRequest("invalid_field", `A task may have at most ${MAX_TAGS} tags, not ${entries.length}.`);
  const tags: Record<string, string> = {};
  for (const [key, value] of entries) {
    if (!TAG_KEY.test(key)) throw badRequest("invalid_field", `Invalid tag key "${key}": use 1-64 letters, digits, _ . or -.`);
    if (typeof value !== "string") throw badRequest("invalid_field", `The tag ${key} must have a string value, not ${JSON.stringify(value)}.`);
    if (value.length > MAX_TAG_VALUE_LENGTH || /[\u0000-\u001f\u007f]/.test(value)) {
      throw badRequest("invalid_field", `The value of tag ${key} must be one line of at most ${MAX_TAG_VALUE_LENGTH} characters.`);
    }
    tags[key] = value;
  }
  return tags;
}

/** An http or https URL, or empty for none. */
export function parseNotifyUrl(text: string, field = "notify_url"): string | null {
  if (text.trim() === "") return null;
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw badRequest("invalid_field", `Invalid ${field} "${text}": give an http:// or https:// URL.`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw badRequest("invalid_field", `Invalid ${field} "${text}": only http:// and https:// URLs are called.`);
  return url.href;
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
