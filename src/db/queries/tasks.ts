import { and, asc, desc, eq, getTableColumns, inArray, lt, sql } from "drizzle-orm";
import type { Database } from "../open.ts";
import {
  TaskStatus,
  taskAttempts,
  taskFiles,
  tasks,
  type TaskAttemptRow,
  type TaskFileRow,
  type NewTaskRow,
  type TaskRow,
} from "../schema.ts";

/**
 * An upload as read back. Its placeholder number comes as the stored digits:
 * a row written by hand or by an older CubQueue may hold one past 2^53, which
 * the driver refuses to read as a number, and one such row must not fail a
 * whole task list.
 */
export type StoredTaskFile = Omit<TaskFileRow, "placeholder"> & { placeholder: string };

/** A task with its uploads and its latest attempt: everything a caller is shown. */
export interface TaskRecord {
  task: TaskRow;
  files: StoredTaskFile[];
  attempt: TaskAttemptRow | undefined;
}

/** Records a new task and its uploads; resolves to the row as stored (with its seq). */
export async function insertTask(db: Database, task: NewTaskRow, files: TaskFileRow[]): Promise<TaskRow> {
  const insertRow = db.insert(tasks).values(task).returning();
  const [inserted] = files.length === 0 ? await insertRow : (await db.batch([insertRow, db.insert(taskFiles).values(files)]))[0];
  if (!inserted) throw new Error(`The task ${task.id} was not stored`);
  return inserted;
}

export async function findTaskRow(db: Database, id: string): Promise<TaskRow | undefined> {
  return db.query.tasks.findFirst({ where: eq(tasks.id, id) });
}

export async function findTask(db: Database, id: string): Promise<TaskRecord | undefined> {
  const task = await findTaskRow(db, id);
  if (!task) return undefined;
  const [records] = await withDetails(db, [task]);
  return records;
}

export interface TaskListQuery {
  limit: number;
  /** Only tasks older than this sequence number (the previous page's cursor). */
  beforeSeq?: number;
  status?: TaskStatus;
  scriptName?: string;
}

/** Newest first, one page at a time. */
export async function listTasks(db: Database, query: TaskListQuery): Promise<TaskRecord[]> {
  const conditions = [
    query.beforeSeq === undefined ? undefined : lt(tasks.seq, query.beforeSeq),
    query.status === undefined ? undefined : eq(tasks.status, query.status),
    query.scriptName === undefined ? undefined : eq(tasks.scriptName, query.scriptName),
  ].filter((condition) => condition !== undefined);
  const rows = await db
    .select()
    .from(tasks)
    .where(conditions.length > 0 ? and(...conditions) : undefined)
    .orderBy(desc(tasks.seq))
    .limit(query.limit);
  return withDetails(db, rows);
}

/** Adds the uploads and latest attempt of each task with two queries, whatever the page size. */
async function withDetails(db: Database, rows: TaskRow[]): Promise<TaskRecord[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((row) => row.id);
  const [files, attempts] = await Promise.all([
    db
      .select({ ...getTableColumns(taskFiles), placeholder: sql<string>`cast(${taskFiles.placeholder} as text)` })
      .from(taskFiles)
      .where(inArray(taskFiles.taskId, ids))
      .orderBy(asc(taskFiles.placeholder)),
    db
      .select({ attempt: taskAttempts })
      .from(taskAttempts)
      .innerJoin(tasks, and(eq(tasks.id, taskAttempts.taskId), eq(tasks.attemptCount, taskAttempts.number)))
      .where(inArray(taskAttempts.taskId, ids)),
  ]);
  const filesByTask = new Map<string, StoredTaskFile[]>();
  for (const file of files) filesByTask.set(file.taskId, [...(filesByTask.get(file.taskId) ?? []), file]);
  const attemptByTask = new Map(attempts.map(({ attempt }) => [attempt.taskId, attempt]));
  return rows.map((task) => ({
    task,
    files: filesByTask.get(task.id) ?? [],
    attempt: attemptByTask.get(task.id),
  }));
}

/**
 * Moves the oldest queued task to running and opens its next attempt, in one
 * atomic batch, so a task is claimed exactly once and never runs without an
 * attempt on record. (Batches, not interactive transactions, everywhere: a
 * batch runs in one go, so no other query can arrive while it holds the database.)
 */
export async function claimNextQueuedTask(
  db: Database,
  executor: string,
  now: Date,
): Promise<{ task: TaskRow; attemptNumber: number } | undefined> {
  const oldestQueued = db
    .select({ seq: tasks.seq })
    .from(tasks)
    .where(eq(tasks.status, TaskStatus.queued))
    .orderBy(asc(tasks.seq))
    .limit(1);
  const [claimed] = await db.batch([
    db
      .update(tasks)
      .set({ status: TaskStatus.running, attemptCount: sql`${tasks.attemptCount} + 1` })
      .where(eq(tasks.seq, oldestQueued))
      .returning(),
    // The attempt for whichever running task lacks its current one: the task just claimed.
    db.run(sql`
      INSERT INTO ${taskAttempts} (task_id, number, executor, started_at)
      SELECT ${tasks.id}, ${tasks.attemptCount}, ${executor}, ${now.getTime()} FROM ${tasks}
      WHERE ${tasks.status} = ${TaskStatus.running} AND NOT EXISTS (
        SELECT 1 FROM ${taskAttempts} WHERE ${taskAttempts.taskId} = ${tasks.id} AND ${taskAttempts.number} = ${tasks.attemptCount}
      )`),
  ]);
  const task = claimed[0];
  return task ? { task, attemptNumber: task.attemptCount } : undefined;
}

/** Records the process of an attempt, before its script is let run. */
export async function recordAttemptProcess(
  db: Database,
  taskId: string,
  attemptNumber: number,
  process: { pid: number; startToken: string | null },
): Promise<void> {
  await db
    .update(taskAttempts)
    .set({ pid: process.pid, startToken: process.startToken })
    .where(and(eq(taskAttempts.taskId, taskId), eq(taskAttempts.number, attemptNumber)));
}

/**
 * Puts back in the queue a running task whose script never started (the
 * server died between claiming it and letting it run), closing that attempt.
 */
export async function requeueTask(db: Database, taskId: string, attemptNumber: number, now: Date): Promise<void> {
  await db.batch([
    db
      .update(taskAttempts)
      .set({ finishedAt: now })
      .where(and(eq(taskAttempts.taskId, taskId), eq(taskAttempts.number, attemptNumber))),
    db
      .update(tasks)
      .set({ status: TaskStatus.queued })
      .where(and(eq(tasks.id, taskId), eq(tasks.status, TaskStatus.running))),
  ]);
}

export interface TaskOutcome {
  status: typeof TaskStatus.succeeded | typeof TaskStatus.failed | typeof TaskStatus.cancelled;
  error: string | null;
  exitCode: number | null;
  signal: string | null;
  finishedAt: Date;
}

/**
 * Closes the attempt and the task together, if the task is still running
 * that attempt; false when it is not (then nothing is written). Both updates
 * carry the same guard and run in one batch, so they apply together or not at all.
 */
export async function finishAttempt(
  db: Database,
  taskId: string,
  attemptNumber: number,
  outcome: TaskOutcome,
): Promise<boolean> {
  const runningThisAttempt = and(eq(tasks.id, taskId), eq(tasks.status, TaskStatus.running), eq(tasks.attemptCount, attemptNumber));
  const [, finished] = await db.batch([
    db
      .update(taskAttempts)
      .set({ finishedAt: outcome.finishedAt, exitCode: outcome.exitCode, signal: outcome.signal })
      .where(
        and(
          eq(taskAttempts.taskId, taskId),
          eq(taskAttempts.number, attemptNumber),
          sql`EXISTS (SELECT 1 FROM ${tasks} WHERE ${runningThisAttempt})`,
        ),
      ),
    db
      .update(tasks)
      .set({ status: outcome.status, error: outcome.error, finishedAt: outcome.finishedAt })
      .where(runningThisAttempt)
      .returning({ id: tasks.id }),
  ]);
  return finished.length === 1;
}

/** Cancels a task that has not started; false when it is no longer queued. */
export async function cancelQueuedTask(db: Database, id: string, now: Date): Promise<boolean> {
  const updated = await db
    .update(tasks)
    .set({ status: TaskStatus.cancelled, cancelRequestedAt: now, finishedAt: now, error: "cancelled before it started" })
    .where(and(eq(tasks.id, id), eq(tasks.status, TaskStatus.queued)))
    .returning({ id: tasks.id });
  return updated.length === 1;
}

/** Records that a running task is to be cancelled; false when it is not running. */
export async function markCancelRequested(db: Database, id: string, now: Date): Promise<boolean> {
  const updated = await db
    .update(tasks)
    .set({ cancelRequestedAt: now })
    .where(and(eq(tasks.id, id), eq(tasks.status, TaskStatus.running)))
    .returning({ id: tasks.id });
  return updated.length === 1;
}

/** Tasks the database says are running, with their latest attempt. */
export async function listRunningTasks(db: Database): Promise<TaskRecord[]> {
  const rows = await db.select().from(tasks).where(eq(tasks.status, TaskStatus.running)).orderBy(asc(tasks.seq));
  return withDetails(db, rows);
}

/** The id of every task. */
export async function listTaskIds(db: Database): Promise<string[]> {
  const rows = await db.select({ id: tasks.id }).from(tasks);
  return rows.map((row) => row.id);
}
