import { and, eq, inArray, sql } from "drizzle-orm";
import { dependentsOf, refreshBlocked } from "../db/queries/queue.ts";
import {
  DependencyKind,
  FINISHED_STATUSES,
  TaskStatus,
  WAITING_STATUSES,
  taskAttempts,
  taskDependencies,
  taskFiles,
  taskTags,
  tasks,
  type NewTaskRow,
  type TaskDependencyRow,
  type TaskTagRow,
} from "../db/schema.ts";
import type { TransitionContext } from "./transitions.ts";

export type WaitingTransitions = ReturnType<typeof createWaitingTransitions>;

/**
 * The transitions of a task that has not started, or has finished: held and
 * released, edited, cancelled (with those left waiting for its success),
 * restarted, deleted. See transitions.ts.
 */
export function createWaitingTransitions({ db, now, committed }: TransitionContext) {
  return {
    /**
     * succeeded | failed | cancelled → queued: a finished task runs again as its next attempt,
     * with its retries counted afresh; `argFile` (as sent) replaces the one it had. False when
     * the task is no longer `from` (someone restarted it meanwhile).
     */
    async restart(taskId: string, from: TaskStatus, argFile?: string): Promise<boolean> {
      const at = now();
      const [updated] = await db.batch([
        db
          .update(tasks)
          .set({
            status: TaskStatus.queued,
            error: null,
            finishedAt: null,
            cancelRequestedAt: null,
            notBefore: null,
            runStartAttempt: sql`${tasks.attemptCount}`,
            ...(argFile === undefined ? {} : { argFile }),
          })
          .where(and(eq(tasks.id, taskId), eq(tasks.status, from), inArray(tasks.status, FINISHED_STATUSES)))
          .returning({ attempt: tasks.attemptCount }),
        // Those waiting for it wait again (it is no longer finished).
        refreshBlocked(db, dependentsOf([taskId])),
      ]);
      const [row] = updated;
      if (!row) return false;
      committed(taskId, row.attempt, from, TaskStatus.queued, at);
      return true;
    },

    /**
     * succeeded | failed | cancelled → deleted: the task's rows (task, uploads, attempts, dependencies) go
     * together, if it is still `from`. Its folder is the caller's to remove (see delete-task.ts).
     */
    async remove(taskId: string, from: TaskStatus): Promise<boolean> {
      const at = now();
      const stillFinished = and(eq(tasks.id, taskId), eq(tasks.status, from), inArray(tasks.status, FINISHED_STATUSES))!;
      const whileFinished = sql`EXISTS (SELECT 1 FROM ${tasks} WHERE ${stillFinished})`;
      const [, , , , removed] = await db.batch([
        db.delete(taskAttempts).where(and(eq(taskAttempts.taskId, taskId), whileFinished)),
        db.delete(taskFiles).where(and(eq(taskFiles.taskId, taskId), whileFinished)),
        // What it waited for; what waits for it stays, and reads as met (it had finished).
        db.delete(taskDependencies).where(and(eq(taskDependencies.taskId, taskId), whileFinished)),
        db.delete(taskTags).where(and(eq(taskTags.taskId, taskId), whileFinished)),
        db.delete(tasks).where(stillFinished).returning({ attempt: tasks.attemptCount }),
        refreshBlocked(db, dependentsOf([taskId])),
      ]);
      const [row] = removed;
      if (!row) return false;
      committed(taskId, row.attempt, from, "deleted", at);
      return true;
    },

    /**
     * queued | held → cancelled: a task that has not started; false when it has meanwhile. The
     * tasks that waited for it to succeed are cancelled too.
     */
    async cancelWaiting(taskId: string): Promise<boolean> {
      const at = now();
      const [before] = await db.select({ status: tasks.status }).from(tasks).where(eq(tasks.id, taskId));
      if (!before || !WAITING_STATUSES.includes(before.status)) return false;
      const [updated] = await db.batch([
        db
          .update(tasks)
          .set({
            status: TaskStatus.cancelled,
            cancelRequestedAt: at,
            finishedAt: at,
            notBefore: null,
            // A retry waiting out its delay has run before.
            error: sql`CASE WHEN ${tasks.notBefore} IS NOT NULL THEN 'cancelled while waiting to be retried' ELSE 'cancelled before it started' END`,
          })
          .where(and(eq(tasks.id, taskId), eq(tasks.status, before.status)))
          .returning({ attempt: tasks.attemptCount }),
        refreshBlocked(db, dependentsOf([taskId])),
      ]);
      const [row] = updated;
      if (!row) return false;
      committed(taskId, row.attempt, before.status, TaskStatus.cancelled, at);
      await cancelStrandedDependents();
      return true;
    },

    /** queued → held: kept from starting until released; false when it is not queued. */
    hold: (taskId: string) => move(taskId, TaskStatus.queued, TaskStatus.held),

    /** held → queued: it may start again; false when it is not held. */
    release: (taskId: string) => move(taskId, TaskStatus.held, TaskStatus.queued),

    /**
     * Changes what a task that has not started will run with (its row's settings, what it
     * waits for when `dependencies` is given and its tags when `tags` is, each replacing
     * all it had), if it is still
     * `from`; false when it has started (or changed state) meanwhile. Not a change of state:
     * no event.
     */
    async edit(
      taskId: string,
      from: TaskStatus,
      changes: Partial<NewTaskRow>,
      dependencies?: readonly TaskDependencyRow[],
      tags?: readonly TaskTagRow[],
    ): Promise<boolean> {
      const stillFrom = and(eq(tasks.id, taskId), eq(tasks.status, from), inArray(tasks.status, WAITING_STATUSES))!;
      const whileFrom = sql`EXISTS (SELECT 1 FROM ${tasks} WHERE ${stillFrom})`;
      const [updated] = await db.batch([
        // Setting the status to itself makes an edit with nothing else to change still say whether it applied.
        db.update(tasks).set({ ...changes, status: from }).where(stillFrom).returning({ id: tasks.id }),
        ...(dependencies === undefined
          ? []
          : [
              db.delete(taskDependencies).where(and(eq(taskDependencies.taskId, taskId), whileFrom)),
              ...dependencies.map((row) =>
                db.run(sql`INSERT INTO ${taskDependencies} (task_id, depends_on, kind) SELECT ${row.taskId}, ${row.dependsOn}, ${row.kind} WHERE ${whileFrom}`),
              ),
              refreshBlocked(db, eq(tasks.id, taskId)),
            ]),
        ...(tags === undefined
          ? []
          : [
              db.delete(taskTags).where(and(eq(taskTags.taskId, taskId), whileFrom)),
              ...tags.map((row) => db.run(sql`INSERT INTO ${taskTags} (task_id, key, value) SELECT ${row.taskId}, ${row.key}, ${row.value} WHERE ${whileFrom}`)),
            ]),
      ]);
      return updated.length === 1;
    },

    cancelStrandedDependents,

    /**
     * Sets `blocked` anew for every waiting task: run at start, where a crash may have come
     * between a change and the refresh that follows it outside its batch.
     */
    async refreshAllBlocked(): Promise<void> {
      await refreshBlocked(db, sql`1 = 1`);
    },
  };

  /** A status change with nothing else to it (queued ↔ held), if the task is still `from`. */
  async function move(taskId: string, from: TaskStatus, to: TaskStatus): Promise<boolean> {
    const at = now();
    const updated = await db
      .update(tasks)
      .set({ status: to })
      .where(and(eq(tasks.id, taskId), eq(tasks.status, from)))
      .returning({ attempt: tasks.attemptCount });
    const [row] = updated;
    if (!row) return false;
    committed(taskId, row.attempt, from, to, at);
    return true;
  }

  /**
   * queued | held → cancelled, for every task that waited for another to succeed
   * (afterok) when that one failed or was cancelled, and so on down the chain,
   * each saying which of its dependencies ended so. Run after each such end,
   * and at start (a crash may come between an end and this); never fails them
   * twice. Resolves to how many it cancelled.
   */
  async function cancelStrandedDependents(): Promise<number> {
    let cancelled = 0;
    for (;;) {
      const at = now();
      const stranded = sql`
        SELECT 1 FROM ${taskDependencies} d JOIN ${tasks} p ON p.id = d.depends_on
        WHERE d.task_id = ${tasks.id} AND d.kind = ${DependencyKind.afterok} AND p.status IN (${TaskStatus.failed}, ${TaskStatus.cancelled})`;
      const rows = await db
        .update(tasks)
        .set({
          status: TaskStatus.cancelled,
          finishedAt: at,
          notBefore: null,
          error: sql`(
            SELECT 'cancelled: it was to run after ' || p.id || ' succeeded, and that task ' || CASE p.status WHEN ${TaskStatus.failed} THEN 'failed' ELSE 'was cancelled' END
            FROM ${taskDependencies} d JOIN ${tasks} p ON p.id = d.depends_on
            WHERE d.task_id = ${tasks.id} AND d.kind = ${DependencyKind.afterok} AND p.status IN (${TaskStatus.failed}, ${TaskStatus.cancelled})
            LIMIT 1)`,
        })
        .where(and(inArray(tasks.status, WAITING_STATUSES), sql`EXISTS (${stranded})`))
        .returning({ id: tasks.id, attempt: tasks.attemptCount });
      if (rows.length === 0) return cancelled;
      // Those that waited only for the end of one just cancelled (after_any) may start now; a
      // crash before this is mended at start (see refreshAllBlocked).
      await refreshBlocked(db, dependentsOf(rows.map((row) => row.id)));
      // Each was queued or held; which one is not worth a read per task in a cascade.
      for (const row of rows) committed(row.id, row.attempt, TaskStatus.queued, TaskStatus.cancelled, at);
      cancelled += rows.length;
    }
  }
}
