import { randomUUID } from "node:crypto";
import { rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { findTask } from "../db/queries/tasks.ts";
import type { Database } from "../db/open.ts";
import { FINISHED_STATUSES } from "../db/schema.ts";
import { badRequest, taskNotFinished, taskNotFound } from "../errors.ts";
import type { Transitions } from "../lifecycle/transitions.ts";
import { PRIVATE_FILE_MODE, isTaskId, type Layout } from "../store/layout.ts";
import { receiveMultipart } from "../store/multipart.ts";
import { ARG_FILE_IN_MEMORY, checkArgFile, checkPlaceholders } from "./arg-file.ts";
import { resolvePlaceholders } from "./placeholders.ts";

export interface RestartDeps {
  db: Database;
  transitions: Transitions;
  layout: Layout;
  /** The per-task lock deletes take too: a task is never restarted and deleted at once. */
  withTaskLock: <T>(id: string, section: () => Promise<T>) => Promise<T>;
}

/** A new argument file for a restart, as sent; absent when the task keeps its own. */
export interface RestartRequest {
  body: Readable | undefined;
  contentType: string | undefined;
}

/**
 * Makes restart requests: a finished task (succeeded, failed or cancelled) is
 * queued again in its own folder, under its id, with its files, as its next
 * attempt; optionally with a new argument file, whose placeholders name the
 * files the task already has. Refused while the task is queued or running.
 * A restart refused for any reason changes nothing: the new argument file is
 * checked whole before it replaces the old one, and replaces it (atomically)
 * only for a task still finished, under a per-task lock.
 */
export function createRestarter({ db, transitions, layout, withTaskLock }: RestartDeps) {
  return async function restart(id: string, request: RestartRequest): Promise<void> {
    const found = isTaskId(id) ? await findTask(db, id) : undefined;
    if (!found) throw taskNotFound(id);
    if (!FINISHED_STATUSES.includes(found.task.status)) throw taskNotFinished(id, found.task.status);
    const argFile = request.body && hasBody(request.contentType) ? await receiveArgFile(request.body, request.contentType) : undefined;
    const paths = layout.taskPaths(id);
    const numbers = new Set(found.files.map((file) => Number(file.placeholder)));
    if (argFile) checkPlaceholders(argFile.bytes, numbers, "kept");

    await withTaskLock(id, async () => {
      const current = await findTask(db, id);
      if (!current || !FINISHED_STATUSES.includes(current.task.status)) throw taskNotFinished(id, current?.task.status ?? "removed");
      if (argFile) {
        const pathOf = new Map(current.files.map((file) => [file.placeholder, join(paths.filesDir, file.storedName)]));
        await replaceFile(paths.argFile, resolvePlaceholders(argFile.bytes, pathOf));
      }
      if (!(await transitions.restart(id, current.task.status, argFile?.text))) throw taskNotFinished(id, "restarted meanwhile");
    });
  };
}

/** True when the request came with a multipart body (a restart without one keeps its argument file). */
function hasBody(contentType: string | undefined): boolean {
  return contentType !== undefined && contentType.trim() !== "";
}

async function receiveArgFile(body: Readable, contentType: string | undefined) {
  let received = false;
  const form = await receiveMultipart(body, contentType, {
    // One more than it takes, so that a second file is named in the refusal.
    maxFiles: 2,
    destinationFor(part) {
      if (part.field === "arg_file" && !received) {
        received = true;
        return ARG_FILE_IN_MEMORY;
      }
      if (part.field === "arg_file") throw badRequest("duplicate_field", 'The file field "arg_file" was sent twice.');
      throw badRequest(
        "unexpected_field",
        `Unexpected file field "${part.field}": a restart takes only a new "arg_file"; it keeps the task's files.`,
      );
    },
  });
  const file = form.files.find((each) => each.field === "arg_file");
  if (!file) throw badRequest("missing_file", 'Send the new argument file as the file field "arg_file", or no body to keep the task\'s own.');
  return checkArgFile(file);
}

/** Replaces a file in a task folder whole: readers, and the next attempt, see the old one or the new one. */
async function replaceFile(path: string, content: Buffer): Promise<void> {
  const temporary = `${path}.${randomUUID()}.tmp`;
  try {
    await writeFile(temporary, content, { flag: "wx", mode: PRIVATE_FILE_MODE });
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
