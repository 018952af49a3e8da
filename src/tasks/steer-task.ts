import type { Buffer } from "node:buffer";
import { findTask, findTaskRow } from "../db/queries/tasks.ts";
import type { Database } from "../db/open.ts";
import { TaskStatus, WAITING_STATUSES, type NewTaskRow, type TaskRow } from "../db/schema.ts";
import { taskInWrongState, taskNotFound } from "../errors.ts";
import type { RunPolicy } from "../lifecycle/run-policy.ts";
import type { Transitions } from "../lifecycle/transitions.ts";
import type { Runner } from "../runner/runner.ts";
import { isTaskId, type Layout } from "../store/layout.ts";
import { checkArgFile, checkPlaceholders, rewriteArgFile } from "./arg-file.ts";
import { checkDependencies, checkSlots, type ServerSlots } from "./check-settings.ts";
import { dependencyRows, settingsRow, tagRows } from "./settings-rows.ts";
import type { TaskSettings } from "./task-settings.ts";

/** What an edit changes; what it leaves out stays as it was. */
export interface TaskEdit {
  policy: Partial<RunPolicy>;
  settings: Partial<Omit<TaskSettings, "hold">>;
  /** A new argument file, as sent (`name` for messages). */
  argFile?: { bytes: Buffer; name: string };
}

export interface SteeringDeps {
  db: Database;
  transitions: Transitions;
  runner: Runner;
  layout: Layout;
  home: string;
  slots: () => ServerSlots;
  /** The per-task lock restarts and deletes take: an edit of the argument file takes it too. */
  withTaskLock: <T>(id: string, section: () => Promise<T>) => Promise<T>;
}

/**
 * What a user does to one task while it waits or runs, besides cancelling it:
 * hold and release a queued task, suspend and resume a running one, and edit
 * one that has not started. Each is one guarded transition (see
 * lifecycle/transitions.ts): a task that moved on meanwhile gets a 409 saying
 * what it is now, and nothing is changed.
 */
export function createSteering({ db, transitions, runner, layout, home, slots, withTaskLock }: SteeringDeps) {
  async function rowOf(id: string): Promise<TaskRow> {
    const row = isTaskId(id) ? await findTaskRow(db, id) : undefined;
    if (!row) throw taskNotFound(id);
    return row;
  }

  /** Why an action found the task elsewhere: its state now. */
  async function refused(id: string, action: string, needed: Parameters<typeof taskInWrongState>[3]): Promise<never> {
    throw taskInWrongState(id, (await rowOf(id)).status, action, needed);
  }

  return {
    async hold(id: string): Promise<void> {
      await rowOf(id);
      if (!(await transitions.hold(id))) await refused(id, "held", "queued");
    },

    async release(id: string): Promise<void> {
      await rowOf(id);
      if (!(await transitions.release(id))) await refused(id, "released", "held");
      runner.wake();
    },

    async suspend(id: string): Promise<void> {
      await rowOf(id);
      const result = await runner.suspend(id);
      if (result === "starting") throw taskInWrongState(id, "starting", "suspended yet", "running");
      if (result !== "done") await refused(id, "suspended", "running");
    },

    async resume(id: string): Promise<void> {
      await rowOf(id);
      if ((await runner.resumeTask(id)) !== "done") await refused(id, "resumed", "suspended");
    },

    /**
     * Changes a queued or held task. A new argument file is written while the task is held
     * (a queued one is held for that moment and released after), so that it never starts
     * between the file and the record.
     */
    async edit(id: string, edit: TaskEdit): Promise<void> {
      const row = await rowOf(id);
      if (!WAITING_STATUSES.includes(row.status)) throw taskInWrongState(id, row.status, "edited", "waiting");
      checkSlots(edit.settings, slots());
      if (edit.settings.dependencies) await checkDependencies(db, home, edit.settings.dependencies, id);
      const changes: Partial<NewTaskRow> = { ...edit.policy, ...settingsRow(edit.settings) };
      const dependencies = edit.settings.dependencies && dependencyRows(id, edit.settings.dependencies);
      const tags = edit.settings.tags && tagRows(id, edit.settings.tags);
      if (!edit.argFile) {
        if (!(await transitions.edit(id, row.status, changes, dependencies, tags))) await refused(id, "edited", "waiting");
        if (edit.settings.dependencies) await transitions.cancelStrandedDependents();
        return runner.wake();
      }
      const argFile = edit.argFile;
      await withTaskLock(id, async () => {
        const found = await findTask(db, id);
        if (!found) throw taskNotFound(id);
        const args = checkArgFile(argFile.bytes, argFile.name);
        checkPlaceholders(args.bytes, new Set(found.files.map((file) => Number(file.placeholder))), "kept");
        const wasQueued = found.task.status === TaskStatus.queued;
        if (wasQueued && !(await transitions.hold(id))) await refused(id, "edited", "waiting");
        try {
          await rewriteArgFile(layout.taskPaths(id), found.files, args.bytes);
          if (!(await transitions.edit(id, TaskStatus.held, { ...changes, argFile: args.text }, dependencies, tags))) await refused(id, "edited", "waiting");
        } finally {
          if (wasQueued) await transitions.release(id);
        }
      });
      if (edit.settings.dependencies) await transitions.cancelStrandedDependents();
      runner.wake();
    },
  };
}
