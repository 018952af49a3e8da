import { and, asc, eq, inArray, isNull, lte, or, sql, type SQL } from "drizzle-orm";
import type { Database } from "../db/open.ts";
import { isHomeOf } from "../db/queries/tasks.ts";
import { storedHandle } from "../runner/attempt-handle.ts";
import type { AttemptHandle } from "../runner/executor.ts";
import { FINISHED_STATUSES, TaskStatus, taskAttempts, taskFiles, tasks, type TaskRow } from "../db/schema.ts";

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

  /** The task is running this attempt: what every write about an attempt's process must still find. */
  const runningAttempt = (taskId: string, attempt: number): SQL =>
    and(eq(tasks.id, taskId), eq(tasks.status, TaskStatus.running), eq(tasks.attemptCount, attempt))!;

  /** Closes an attempt with its outcome, if its task still is as `guard` says (by default: running it). */
  const closeAttempt = (taskId: string, attempt: number, outcome: AttemptOutcome, at: Date, guard = runningAttempt(taskId, attempt)) =>
    db
      .update(taskAttempts)
      .set({ finishedAt: at, exitCode: outcome.exitCode, signal: outcome.signal, error: outcome.error })
      .where(and(eq(taskAttempts.taskId, taskId), eq(taskAttempts.number, attempt), sql`EXISTS (SELECT 1 FROM ${tasks} WHERE ${guard})`));

  return {
    /**
     * queued → running: the oldest queued task of this server (`owner`: its base dir holds
     * the folder) that is due (not a retry still waiting out its delay), with its next
     * attempt opened in the same batch, so a task is claimed exactly once and never runs
     * without an attempt on record.
     */
    async claimNext(executor: string, owner: string): Promise<{ task: TaskRow; attemptNumber: number; startedAt: Date } | undefined> {
      const at = now();
      const oldestQueued = db
        .select({ seq: tasks.seq })
        .from(tasks)
        .where(
          and(
            eq(tasks.status, TaskStatus.queued),
            or(isNull(tasks.notBefore), lte(tasks.notBefore, at)),
            isHomeOf(owner),
          ),
        )
        .orderBy(asc(tasks.seq))
        .limit(1);
      const [claimed] = await db.batch([
        db
          .update(tasks)
          .set({ status: TaskStatus.running, attemptCount: sql`${tasks.attemptCount} + 1`, notBefore: null })
          .where(and(eq(tasks.seq, oldestQueued), eq(tasks.status, TaskStatus.queued)))
          .returning(),
        // The attempt for whichever running task lacks its current one: the task just claimed.
        db.run(sql`
          INSERT INTO ${taskAttempts} (task_id, number, executor, owner, started_at)
          SELECT ${tasks.id}, ${tasks.attemptCount}, ${executor}, ${owner}, ${at.getTime()} FROM ${tasks}
          WHERE ${tasks.status} = ${TaskStatus.running} AND NOT EXISTS (
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
            sql`EXISTS (SELECT 1 FROM ${tasks} WHERE ${runningAttempt(taskId, attempt)})`,
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
          .where(
            and(
              eq(taskAttempts.taskId, taskId),
              eq(taskAttempts.number, attempt),
              sql`EXISTS (SELECT 1 FROM ${tasks} WHERE ${runningAttempt(taskId, attempt)})`,
            ),
          ),
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
     * running → succeeded | failed | cancelled: closes the attempt and the task
     * together, if the task is still running that attempt (false, and nothing
     * written, when it is not). Both updates carry the same guard in one batch.
     */
    async finish(taskId: string, attempt: number, outcome: AttemptOutcome): Promise<boolean> {
      const at = now();
      const [, finished] = await db.batch([
        closeAttempt(taskId, attempt, outcome, at),
        db
          .update(tasks)
          .set({ status: outcome.status, error: outcome.error, finishedAt: at })
          .where(runningAttempt(taskId, attempt))
          .returning({ id: tasks.id }),
      ]);
      if (finished.length !== 1) return false;
      committed(taskId, attempt, TaskStatus.running, outcome.status, at);
      return true;
    },

    /**
     * running → queued: a failed attempt is closed with its outcome and the
     * task waits `waitMs` for its next one (the claim skips it until then).
     * Guarded like finish, and never for a task someone asked to cancel.
     */
    async retry(taskId: string, attempt: number, outcome: AttemptOutcome, waitMs: number): Promise<boolean> {
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
      committed(taskId, attempt, TaskStatus.running, TaskStatus.queued, at);
      return true;
    },

    /**
     * succeeded | failed | cancelled → queued: a finished task runs again as its next attempt,
     * with its retries counted afresh; `argFile` (as sent) replaces the one it had. False when
     * the task is no longer `from` (someone restarted it meanwhile).
     */
    async restart(taskId: string, from: TaskStatus, argFile?: string): Promise<boolean> {
      const at = now();
      const updated = await db
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
        .returning({ attempt: tasks.attemptCount });
      const [row] = updated;
      if (!row) return false;
      committed(taskId, row.attempt, from, TaskStatus.queued, at);
      return true;
    },

    /**
     * succeeded | failed | cancelled → deleted: the task's rows (task, uploads, attempts) go
     * together, if it is still `from`. Its folder is the caller's to remove (see delete-task.ts).
     */
    async remove(taskId: string, from: TaskStatus): Promise<boolean> {
      const at = now();
      const stillFinished = and(eq(tasks.id, taskId), eq(tasks.status, from), inArray(tasks.status, FINISHED_STATUSES))!;
      const whileFinished = sql`EXISTS (SELECT 1 FROM ${tasks} WHERE ${stillFinished})`;
      const [, , removed] = await db.batch([
        db.delete(taskAttempts).where(and(eq(taskAttempts.taskId, taskId), whileFinished)),
        db.delete(taskFiles).where(and(eq(taskFiles.taskId, taskId), whileFinished)),
        db.delete(tasks).where(stillFinished).returning({ attempt: tasks.attemptCount }),
      ]);
      const [row] = removed;
      if (!row) return false;
      committed(taskId, row.attempt, from, "deleted", at);
      return true;
    },

    /** queued → cancelled: a task that has not started; false when it is no longer queued. */
    async cancelQueued(taskId: string): Promise<boolean> {
      const at = now();
      const updated = await db
        .update(tasks)
        .set({
          status: TaskStatus.cancelled,
          cancelRequestedAt: at,
          finishedAt: at,
          notBefore: null,
          // A retry waiting out its delay has run before.
          error: sql`CASE WHEN ${tasks.notBefore} IS NOT NULL THEN 'cancelled while waiting to be retried' ELSE 'cancelled before it started' END`,
        })
        .where(and(eq(tasks.id, taskId), eq(tasks.status, TaskStatus.queued)))
        .returning({ attempt: tasks.attemptCount });
      const [row] = updated;
      if (!row) return false;
      committed(taskId, row.attempt, TaskStatus.queued, TaskStatus.cancelled, at);
      return true;
    },

    /**
     * Records that a running task is to be cancelled, before it is signalled
     * (its status changes when its attempt finishes); false when it is not running.
     */
    async requestCancel(taskId: string): Promise<boolean> {
      const updated = await db
        .update(tasks)
        .set({ cancelRequestedAt: now() })
        .where(and(eq(tasks.id, taskId), eq(tasks.status, TaskStatus.running)))
        .returning({ id: tasks.id });
      return updated.length === 1;
    },
  };
}
