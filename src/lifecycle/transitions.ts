import { and, eq, inArray, isNotNull, isNull, sql, type SQL } from "drizzle-orm";
import type { Database } from "../db/open.ts";
import { dependentsOf, isReady, refreshBlocked } from "../db/queries/queue.ts";
import { isHomeOf } from "../db/queries/tasks.ts";
import { storedHandle } from "../runner/attempt-handle.ts";
import type { AttemptHandle } from "../runner/executor.ts";
import {
  ACTIVE_STATUSES,
  DependencyKind,
  FINISHED_STATUSES,
  TaskStatus,
  WAITING_STATUSES,
  taskAttempts,
  taskDependencies,
  taskFiles,
  tasks,
  type NewTaskRow,
  type TaskDependencyRow,
  type TaskRow,
} from "../db/schema.ts";

/** A committed change of a task's status, as the runner and the API caused it. */
export interface TransitionEvent {
  taskId: string;
  /** The attempt it concerns (0 for a task that never ran). */
  attempt: number;
  from: TaskStatus;
  /** "deleted": the task and its folder are gone. */
  to: TaskStatus | "deleted";
  at: Date;
}

/** How an attempt ended, as it is recorded on the attempt and its task. */
export interface AttemptOutcome {
  status: typeof TaskStatus.succeeded | typeof TaskStatus.failed | typeof TaskStatus.cancelled;
  error: string | null;
  exitCode: number | null;
  signal: string | null;
}

export interface TransitionsDeps {
  db: Database;
  now?: () => Date;
  /** Told of every transition once it is committed; it must not throw. */
  onTransition?: (event: TransitionEvent) => void;
}

export type Transitions = ReturnType<typeof createTransitions>;

/** The statuses of a task whose attempt is under way. */
export type ActiveStatus = typeof TaskStatus.running | typeof TaskStatus.suspended;

/**
 * Every change of a task's lifecycle state, and nothing else, writes here.
 * Each UPDATE carries the state it moves from (and, for a running task, the
 * attempt it concerns) in its WHERE clause, and reports whether it applied: a
 * caller that lost a race (a cancel against a claim, an outcome against a
 * restart) learns so, and nothing is overwritten. Batches, not interactive
 * transactions: a batch runs in one go, so no other query can arrive while it
 * holds the database.
 */
export function createTransitions({ db, now = () => new Date(), onTransition = () => {} }: TransitionsDeps) {
  const committed = (taskId: string, attempt: number, from: TaskStatus, to: TransitionEvent["to"], at: Date) =>
    onTransition({ taskId, attempt, from, to, at });

  /**
   * The task is running this attempt (its process may be suspended): what every write about an
   * attempt's process must still find.
   */
  const runningAttempt = (taskId: string, attempt: number): SQL =>
    and(eq(tasks.id, taskId), inArray(tasks.status, ACTIVE_STATUSES), eq(tasks.attemptCount, attempt))!;

  /** The task's status at the time of a write that just applied to an active attempt. */
  const whileAttempt = (taskId: string, attempt: number) => sql`EXISTS (SELECT 1 FROM ${tasks} WHERE ${runningAttempt(taskId, attempt)})`;

  /** Closes an attempt with its outcome, if its task still is as `guard` says (by default: running it). */
  const closeAttempt = (taskId: string, attempt: number, outcome: AttemptOutcome, at: Date, guard = runningAttempt(taskId, attempt)) =>
    db
      .update(taskAttempts)
      .set({ finishedAt: at, exitCode: outcome.exitCode, signal: outcome.signal, error: outcome.error })
      .where(and(eq(taskAttempts.taskId, taskId), eq(taskAttempts.number, attempt), sql`EXISTS (SELECT 1 FROM ${tasks} WHERE ${guard})`));

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
      const [claimed] = await db.batch([
        db
          .update(tasks)
          .set({ status: TaskStatus.running, attemptCount: sql`${tasks.attemptCount} + 1`, notBefore: null })
          .where(and(eq(tasks.id, taskId), isReady(at), isHomeOf(owner)))
          .returning(),
        // Its attempt, unless one already has its number (the claim above did not apply).
        db.run(sql`
          INSERT INTO ${taskAttempts} (task_id, number, executor, owner, started_at, cpus, gpus)
          SELECT ${tasks.id}, ${tasks.attemptCount}, ${executor}, ${owner}, ${at.getTime()}, ${cpus}, ${gpus === null ? null : gpus.join(",")}
          FROM ${tasks}
          WHERE ${tasks.id} = ${taskId} AND ${tasks.status} = ${TaskStatus.running} AND NOT EXISTS (
            SELECT 1 FROM ${taskAttempts} WHERE ${taskAttempts.taskId} = ${tasks.id} AND ${taskAttempts.number} = ${tasks.attemptCount}
          )`),
      ]);
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
      const updated = await db
        .update(taskAttempts)
        .set({ handle: storedHandle(handle) })
        .where(
          and(
            eq(taskAttempts.taskId, taskId),
            eq(taskAttempts.number, attempt),
            whileAttempt(taskId, attempt),
          ),
        )
        .returning({ number: taskAttempts.number });
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
      const [, finished] = await db.batch([
        closeAttempt(taskId, attempt, outcome, at),
        db
          .update(tasks)
          .set({ status: outcome.status, error: outcome.error, finishedAt: at })
          .where(runningAttempt(taskId, attempt))
          .returning({ id: tasks.id }),
        refreshBlocked(db, dependentsOf([taskId])),
      ]);
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
      const [, , , removed] = await db.batch([
        db.delete(taskAttempts).where(and(eq(taskAttempts.taskId, taskId), whileFinished)),
        db.delete(taskFiles).where(and(eq(taskFiles.taskId, taskId), whileFinished)),
        // What it waited for; what waits for it stays, and reads as met (it had finished).
        db.delete(taskDependencies).where(and(eq(taskDependencies.taskId, taskId), whileFinished)),
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

    /** queued → held: kept from starting until released; false when it is not queued. */
    hold: (taskId: string) => move(taskId, TaskStatus.queued, TaskStatus.held),

    /** held → queued: it may start again; false when it is not held. */
    release: (taskId: string) => move(taskId, TaskStatus.held, TaskStatus.queued),

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

    /**
     * Changes what a task that has not started will run with (its row's settings, and what it
     * waits for when `dependencies` is given, replacing all it waited for), if it is still
     * `from`; false when it has started (or changed state) meanwhile. Not a change of state:
     * no event.
     */
    async edit(taskId: string, from: TaskStatus, changes: Partial<NewTaskRow>, dependencies?: readonly TaskDependencyRow[]): Promise<boolean> {
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
