import type { Buffer } from "node:buffer";
import { findTask } from "../db/queries/tasks.ts";
import type { Database } from "../db/open.ts";
import { FINISHED_STATUSES } from "../db/schema.ts";
import { taskNotFinished, taskNotFound } from "../errors.ts";
import type { Transitions } from "../lifecycle/transitions.ts";
import { isTaskId, type Layout } from "../store/layout.ts";
import { checkArgFile, checkPlaceholders, rewriteArgFile } from "./arg-file.ts";

export interface RestartDeps {
  db: Database;
  transitions: Transitions;
  layout: Layout;
  /** The per-task lock deletes take too: a task is never restarted and deleted at once. */
  withTaskLock: <T>(id: string, section: () => Promise<T>) => Promise<T>;
}

/** What a restart is asked with. */
export interface RestartRequest {
  /** A new argument file, as sent (`name` for messages); absent when the task keeps its own. */
  argFile?: { bytes: Buffer; name: string };
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
    const argFile = request.argFile ? checkArgFile(request.argFile.bytes, request.argFile.name) : undefined;
    const paths = layout.taskPaths(id);
    const numbers = new Set(found.files.map((file) => Number(file.placeholder)));
    if (argFile) checkPlaceholders(argFile.bytes, numbers, "kept");

    await withTaskLock(id, async () => {
      const current = await findTask(db, id);
      if (!current || !FINISHED_STATUSES.includes(current.task.status)) throw taskNotFinished(id, current?.task.status ?? "removed");
      if (argFile) await rewriteArgFile(paths, current.files, argFile.bytes);
      if (!(await transitions.restart(id, current.task.status, argFile?.text))) throw taskNotFinished(id, "restarted meanwhile");
    });
  };
}
