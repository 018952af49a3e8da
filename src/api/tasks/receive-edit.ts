import { Buffer } from "node:buffer";
import type { Readable } from "node:stream";
import { badRequest } from "../../errors.ts";
import { parseRunPolicyChanges } from "../../lifecycle/run-policy.ts";
import type { TaskEdit } from "../../tasks/steer-task.ts";
import { parseTaskSettingsChanges } from "../../tasks/task-settings.ts";
import { receiveMultipart } from "../multipart.ts";
import { ARG_FILE_IN_MEMORY } from "./receive-submission.ts";

/** What an edit may change (the argument file only in a form). */
const EDITABLE = new Set([
  "priority",
  "after",
  "after_any",
  "cpus",
  "gpus",
  "env",
  "max_retries",
  "retry_delay_s",
  "retry_backoff",
  "timeout_s",
  "name",
  "tags",
  "notify_url",
  "notify_on",
]);

/** The most bytes of a JSON edit: its fields are short (and env is at most 64 KiB). */
const MAX_JSON_EDIT_BYTES = 256 * 1024;

/**
 * Reads an edit: a multipart form (the submit form's fields, and optionally a
 * new `arg_file`) or a JSON object of the same fields (strings or numbers).
 * Only the fields sent are changed.
 */
export async function receiveEdit(body: Readable, contentType: string | undefined): Promise<TaskEdit> {
  if (contentType !== undefined && /^\s*application\/json\s*(;|$)/i.test(contentType)) return editOf(await readJsonFields(body));
  let received = false;
  const form = await receiveMultipart(body, contentType, {
    // One more than it takes, so that a second file is named in the refusal.
    maxFiles: 2,
    destinationFor(part) {
      if (part.field !== "arg_file") {
        throw badRequest("unexpected_field", `Unexpected file field "${part.field}": an edit takes only a new "arg_file"; the task keeps its files.`);
      }
      if (received) throw badRequest("duplicate_field", 'The file field "arg_file" was sent twice.');
      received = true;
      return ARG_FILE_IN_MEMORY;
    },
  });
  const argFile = form.files.find((file) => file.field === "arg_file");
  return { ...editOf(form.fields), ...(argFile ? { argFile: { bytes: argFile.content ?? Buffer.alloc(0), name: argFile.originalName } } : {}) };
}

function editOf(fields: Record<string, string>): TaskEdit {
  return { policy: parseRunPolicyChanges(fields), settings: parseTaskSettingsChanges(fields) };
}

/** A JSON edit's fields as text, as a form would send them (null: "none", to clear a time limit). */
async function readJsonFields(body: Readable): Promise<Record<string, string>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > MAX_JSON_EDIT_BYTES) throw badRequest("invalid_json", `The edit is larger than ${MAX_JSON_EDIT_BYTES / 1024} KiB.`);
    chunks.push(chunk as Buffer);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch (error) {
    throw badRequest("invalid_json", `The edit is not valid JSON: ${(error as Error).message}`);
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw badRequest("invalid_json", "Send the edit as a JSON object of fields.");
  const fields: Record<string, string> = {};
  for (const [name, value] of Object.entries(parsed)) {
    if (!EDITABLE.has(name)) throw badRequest("unexpected_field", `Unknown field "${name}": an edit takes ${[...EDITABLE].join(", ")}.`);
    if ((name === "env" || name === "tags") && value !== null && typeof value === "object" && !Array.isArray(value)) fields[name] = JSON.stringify(value);
    else if (Array.isArray(value) && (name === "after" || name === "after_any")) fields[name] = value.join(",");
    else if (value === null) fields[name] = name === "timeout_s" ? "none" : "";
    else if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") fields[name] = String(value);
    else throw badRequest("invalid_field", `Invalid ${name}: send a string or a number.`);
  }
  return fields;
}
