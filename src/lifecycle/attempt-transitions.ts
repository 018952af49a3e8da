import { and, eq, inArray, isNotNull, isNull, sql, type SQL } from "drizzle-orm";
import { batchPrepared, executePrepared, prepareRaw, slot, slotOf } from "../db/prepared.ts";
import { dependentsOf, isReady, refreshBlocked } from "../db/queries/queue.ts";
import { isHomeOf } from "../db/queries/tasks.ts";
import { storedHandle } from "../runner/attempt-handle.ts";
import type { AttemptHandle } from "../runner/executor.ts";
import { ACTIVE_STATUSES, TaskStatus, taskAttempts, tasks, type TaskRow } from "../db/schema.ts";
import type { ActiveStatus, AttemptOutcome, TransitionContext } from "./transitions.ts";
import type { WaitingTransitions } from "./waiting-transitions.ts";

/** The transitions of an attempt under way: from its claim to its end. See transitions.ts. */
export function createAttemptTransitions(
  { db, now, committed, progressed }: TransitionContext,
  { cancelStrandedDependents }: Pick<WaitingTransitions, "cancelStrandedDependents">,
) {
  /**
   * The task is running this attempt (its process may be suspended): what every write about an
   * attempt's process must still find.
   */
  const runningAttempt = (taskId: string | SQL, attempt: number | SQL): SQL =>
    and(eq(tasks.id, taskId), inArray(tasks.status, ACTIVE_STATUSES), eq(tasks.attemptCount, attempt))!;

  /** The task's status at the time of a write that just applied to an active attempt. */
  const whileAttempt = (taskId: string | SQL, attempt: number | SQL) => sql`EXISTS (SELECT 1 FROM ${tasks} WHERE ${runningAttempt(taskId, attempt)})`;

  /** Closes an attempt with its outcome, if its task still is as `guard` says (by default: running it). */
  const closeAttempt = (taskId: string, attempt: number, outcome: AttemptOutcome, at: Date, guard = runningAttempt(taskId, attempt)) =>
    db
      .update(taskAttempts)
      .set({ finishedAt: at, exitCode: outcome.exitCode, signal: outcome.signal, error: outcome.error })
      .where(and(eq(taskAttempts.taskId, taskId), eq(taskAttempts.number, attempt), sql`EXISTS (SELECT 1 FROM ${tasks} WHERE ${guard})`));

  // Every task's start and end runs these: built once (see db/prepared.ts), with the same guards
  // as the other transitions.
  const taskId$ = slotOf(tasks.id, "taskId");
  const attempt$ = slotOf(tasks.attemptCount, "attempt");
  const claimTask = db
    .update(tasks)
    .set({ status: TaskStatus.running, attemptCount: sql`${tasks.attemptCount} + 1`, notBefore: null, progress: null, progressMessage: null })
    .where(and(eq(tasks.id, taskId$), isReady(slotOf(tasks.notBefore, "now")), isHomeOf(slotOf(tasks.home, "owner"))))
    .returning()
    .prepare();
  // Its attempt, unless one already has its number (the claim above did not apply).
  const openAttempt = prepareRaw(
    db,
    sql`
      INSERT INTO ${taskAttempts} (task_id, number, executor, owner, started_at, cpus, gpus)
      SELECT ${tasks.id}, ${tasks.attemptCount}, ${slot("executor")}, ${slot("owner")}, ${slotOf(taskAttempts.startedAt, "now")}, ${slot("cpus")}, ${slot("gpus")}
      FROM ${tasks}
      WHERE ${tasks.id} = ${taskId$} AND ${tasks.status} = ${TaskStatus.running} AND NOT EXISTS (
        SELECT 1 FROM ${taskAttempts} WHERE ${taskAttempts.taskId} = ${tasks.id} AND ${taskAttempts.number} = ${tasks.attemptCount}
      )`,
  );
  const recordHandle = db
    .update(taskAttempts)
    .set({ handle: slotOf(taskAttempts.handle, "handle") })
    .where(and(eq(taskAttempts.taskId, taskId$), eq(taskAttempts.number, attempt$), whileAttempt(taskId$, attempt$)))
    .returning({ number: taskAttempts.number })
    .prepare();
  const closeRunningAttempt = db
    .update(taskAttempts)
    .set({
      finishedAt: slotOf(taskAttempts.finishedAt, "at"),
      exitCode: slotOf(taskAttempts.exitCode, "exitCode"),
      signal: slotOf(taskAttempts.signal, "signal"),
      error: slotOf(taskAttempts.error, "error"),
    })
    .where(and(eq(taskAttempts.taskId, taskId$), eq(taskAttempts.number, attempt$), sql`EXISTS (SELECT 1 FROM ${tasks} WHERE ${runningAttempt(taskId$, attempt$)})`))
    .prepare();
  const finishTask = db
    .update(tasks)
    .set({ status: slotOf(tasks.status, "status"), error: slotOf(tasks.error, "error"), finishedAt: slotOf(tasks.finishedAt, "at") })
    .where(runningAttempt(taskId$, attempt$))
    .returning({ id: tasks.id })
    .prepare();
  const refreshDependents = refreshBlocked(db, dependentsOf(taskId$)).prepare();

  return {
    /**
     * queued → running: a task the scheduler chose (see schedule.ts), if it is still queued
     * and may start (due, dependencies met, this server's), with its next attempt opened in the
     * same batch, holding the slots it was given: so a task is claimed exactly once and never
     * runs without an attempt on record. `gpus` null: its executor chooses them.
     */
    async claim(
      taskId: string,
      { executor, owner, cpus, gpus }: { executor: string; owner: string; cpus: number; gpus: readonly string[] | null },
    ): Promise<{ task: TaskRow; attemptNumber: number; startedAt: Date } | undefined> {
      const at = now();
      const [claimed] = await batchPrepared(db, [claimTask, openAttempt], {
        taskId,
        now: at,
        owner,
        executor,
        cpus,
        gpus: gpus === null ? null : gpus.join(","),
      });
      const task = claimed[0];
      if (!task) return undefined;
      committed(task.id, task.attemptCount, TaskStatus.queued, TaskStatus.running, at);
      return { task, attemptNumber: task.attemptCount, startedAt: at };
    },

    /**
     * Records the executor's handle of a running attempt, before its script is let run (what
     * finds it again after a restart); false when the task no longer runs that attempt.
     */
    async recordProcess(taskId: string, attempt: number, handle: AttemptHandle): Promise<boolean> {
      const updated = await executePrepared(db, recordHandle, { taskId, attempt, handle: storedHandle(handle) });
      return updated.length === 1;
    },

    /**
     * running → queued: an attempt whose script never started (the server died
     * between claiming it and letting it run) is closed, and the task waits
     * for its next one.
     */
    async requeue(taskId: string, attempt: number): Promise<boolean> {
      const at = now();
      const [, requeued] = await db.batch([
        db
          .update(taskAttempts)
          .set({ finishedAt: at, error: "the script never started: the server stopped before letting it run" })
          .where(and(eq(taskAttempts.taskId, taskId), eq(taskAttempts.number, attempt), whileAttempt(taskId, attempt))),
        // An attempt that never ran uses up no retry.
        db
          .update(tasks)
          .set({ status: TaskStatus.queued, runStartAttempt: sql`${tasks.runStartAttempt} + 1` })
          .where(runningAttempt(taskId, attempt))
          .returning({ id: tasks.id }),
      ]);
      if (requeued.length !== 1) return false;
      committed(taskId, attempt, TaskStatus.running, TaskStatus.queued, at);
      return true;
    },

    /**
     * running | suspended → succeeded | failed | cancelled: closes the attempt and the task
     * together, if the task is still running that attempt (false, and nothing
     * written, when it is not). Both updates carry the same guard in one batch.
     * The tasks that waited for it to succeed are cancelled when it did not
     * (`from` is the status the runner knew it in, for the event).
     */
    async finish(taskId: string, attempt: number, outcome: AttemptOutcome, from: ActiveStatus = TaskStatus.running): Promise<boolean> {
      const at = now();
      const [, finished] = await batchPrepared(db, [closeRunningAttempt, finishTask, refreshDependents], {
        taskId,
        attempt,
        at,
        status: outcome.status,
        error: outcome.error,
        exitCode: outcome.exitCode,
        signal: outcome.signal,
      });
      if (finished.length !== 1) return false;
      committed(taskId, attempt, from, outcome.status, at);
      if (outcome.status !== TaskStatus.succeeded) await cancelStrandedDependents();
      return true;
    },

    /**
     * running → queued: a failed attempt is closed with its outcome and the
     * task waits `waitMs` for its next one (the claim skips it until then).
     * Guarded like finish, and never for a task someone asked to cancel.
     */
    async retry(taskId: string, attempt: number, outcome: AttemptOutcome, waitMs: number, from: ActiveStatus = TaskStatus.running): Promise<boolean> {
      const at = now();
      const notCancelled = and(runningAttempt(taskId, attempt), isNull(tasks.cancelRequestedAt));
      const [, retried] = await db.batch([
        closeAttempt(taskId, attempt, outcome, at, notCancelled),
        db
          .update(tasks)
          .set({ status: TaskStatus.queued, error: outcome.error, notBefore: new Date(at.getTime() + waitMs) })
          .where(notCancelled)
          .returning({ id: tasks.id }),
      ]);
      if (retried.length !== 1) return false;
      committed(taskId, attempt, from, TaskStatus.queued, at);
      return true;
    },

    /**
     * Records how far a running attempt says it got (not a change of state: the progress event,
     * not a transition, follows); false when the task no longer runs that attempt.
     */
    async recordProgress(taskId: string, attempt: number, progress: { percent: number; message: string | null }): Promise<boolean> {
      const at = now();
      const updated = await db
        .update(tasks)
        .set({ progress: progress.percent, progressMessage: progress.message })
        .where(runningAttempt(taskId, attempt))
        .returning({ id: tasks.id });
      if (updated.length !== 1) return false;
      progressed({ taskId, attempt, progress: progress.percent, message: progress.message, at });
      return true;
    },

    /**
     * Records that a running (or suspended) task is to be cancelled, before it is signalled
     * (its status changes when its attempt finishes); false when it is not running.
     */
    async requestCancel(taskId: string): Promise<boolean> {
      const updated = await db
        .update(tasks)
        .set({ cancelRequestedAt: now() })
        .where(and(eq(tasks.id, taskId), inArray(tasks.status, ACTIVE_STATUSES)))
        .returning({ id: tasks.id });
      return updated.length === 1;
    },

    /**
     * running → suspended: recorded before its processes are stopped, with when, so that its
     * time limit leaves the suspension out; false when it no longer runs that attempt.
     */
    async suspend(taskId: string, attempt: number): Promise<boolean> {
      const at = now();
      const guard = and(eq(tasks.id, taskId), eq(tasks.status, TaskStatus.running), eq(tasks.attemptCount, attempt))!;
      const [suspended] = await db.batch([
        db.update(tasks).set({ status: TaskStatus.suspended }).where(guard).returning({ id: tasks.id }),
        db
          .update(taskAttempts)
          .set({ suspendedAt: at })
          .where(and(eq(taskAttempts.taskId, taskId), eq(taskAttempts.number, attempt), whileAttempt(taskId, attempt))),
      ]);
      if (suspended.length !== 1) return false;
      committed(taskId, attempt, TaskStatus.running, TaskStatus.suspended, at);
      return true;
    },

    /**
     * suspended → running: recorded before its processes are continued; the suspension is
     * added to the attempt's suspended time. False when it is not suspended in that attempt.
     */
    async resume(taskId: string, attempt: number): Promise<boolean> {
      const at = now();
      const guard = and(eq(tasks.id, taskId), eq(tasks.status, TaskStatus.suspended), eq(tasks.attemptCount, attempt))!;
      const [, resumed] = await db.batch([
        db
          .update(taskAttempts)
          .set({ suspendedMs: sql`${taskAttempts.suspendedMs} + max(0, ${at.getTime()} - ${taskAttempts.suspendedAt})`, suspendedAt: null })
          .where(
            and(
              eq(taskAttempts.taskId, taskId),
              eq(taskAttempts.number, attempt),
              isNotNull(taskAttempts.suspendedAt),
              sql`EXISTS (SELECT 1 FROM ${tasks} WHERE ${guard})`,
            ),
          ),
        db.update(tasks).set({ status: TaskStatus.running }).where(guard).returning({ id: tasks.id }),
      ]);
      if (resumed.length !== 1) return false;
      committed(taskId, attempt, TaskStatus.suspended, TaskStatus.running, at);
      return true;
    },
  };
}
