import { and, asc, desc, eq, getTableColumns, gt, gte, inArray, isNotNull, isNull, lt, or, sql, type SQL } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import type { Database } from "../open.ts";
import { batchQueries, executePrepared, perDatabase, slotOf } from "../prepared.ts";
import { ROWS_PER_INSERT, insertOneTask, taskRowInserts, type BatchStatement } from "./insert-task-rows.ts";
import { refreshBlocked } from "./queue.ts";
import {
  ACTIVE_STATUSES,
  FINISHED_STATUSES,
  TaskStatus,
  taskAttempts,
  taskArrays,
  taskDependencies,
  taskFiles,
  taskTags,
  tasks,
  type TaskArrayRow,
  type TaskTagRow,
  type TaskAttemptRow,
  type TaskDependencyRow,
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

/** One task another waits for, and how that one stands (null: deleted since). */
export interface TaskDependencyView {
  id: string;
  kind: TaskDependencyRow["kind"];
  status: TaskStatus | null;
}

/** The task a dependency names, read beside the one that waits for it. */
const dependencyStatus = alias(tasks, "dependency");

/** A task with its uploads and its attempts: everything a caller is shown. */
export interface TaskRecord {
  task: TaskRow;
  files: StoredTaskFile[];
  /** What it waits for (or waited for), in the order given. */
  dependencies: TaskDependencyView[];
  /** Its labels, by key. */
  tags: Record<string, string>;
  /** The latest attempt. */
  attempt: TaskAttemptRow | undefined;
  /** Every attempt, first first. */
  attempts: TaskAttemptRow[];
}

/** The tasks whose folders are in this server's base dir (see tasks.home); tasks from before that record are everyone's. */
export function isHomeOf(home: string | SQL): SQL {
  return or(eq(tasks.home, home), isNull(tasks.home))!;
}

/**
 * Records new tasks, their uploads, what they wait for and their array, all in
 * one write (none of them, or all); resolves to the task rows as stored (with
 * their seq), in the order given.
 */
export async function insertTasks(
  db: Database,
  {
    tasks: rows,
    files,
    dependencies,
    tags = [],
    array,
  }: { tasks: NewTaskRow[]; files: TaskFileRow[]; dependencies: TaskDependencyRow[]; tags?: TaskTagRow[]; array?: TaskArrayRow },
): Promise<TaskRow[]> {
  const onlyOneTask = rows.length === 1 && files.length === 0 && dependencies.length === 0 && tags.length === 0 && !array;
  if (onlyOneTask) {
    const stored = await insertOneTask(db, rows[0]!);
    if (!stored) throw new Error("1 of 1 tasks were not stored");
    return [stored];
  }
  const chunks = <T>(items: T[]) => Array.from({ length: Math.ceil(items.length / ROWS_PER_INSERT) }, (_, i) => items.slice(i * ROWS_PER_INSERT, (i + 1) * ROWS_PER_INSERT));
  const taskInserts = taskRowInserts(db, rows);
  const others = [
    ...chunks(files).map((chunk) => db.insert(taskFiles).values(chunk)),
    ...chunks(dependencies).map((chunk) => db.insert(taskDependencies).values(chunk)),
    ...chunks(tags).map((chunk) => db.insert(taskTags).values(chunk)),
    ...(array ? [db.insert(taskArrays).values(array)] : []),
    // In the same write: a dependency that ended meanwhile is seen as it is now.
    ...(dependencies.length === 0 ? [] : [refreshBlocked(db, inArray(tasks.id, [...new Set(dependencies.map((row) => row.taskId))]))]),
  ].map((statement): BatchStatement<unknown> => {
    const { sql, params } = statement.toSQL();
    return { sql, args: params, read: () => undefined };
  });
  const statements = [...taskInserts, ...others];
  // One write: all of them, or none.
  const results = await batchQueries(db, statements);
  const inserted = taskInserts.flatMap((statement, index) => statement.read(results[index]!));
  if (inserted.length !== rows.length) throw new Error(`${rows.length - inserted.length} of ${rows.length} tasks were not stored`);
  return inserted;
}

export async function findTaskRow(db: Database, id: string): Promise<TaskRow | undefined> {
  const [row] = await executePrepared(db, oneTaskQueries(db).row, { id });
  return row;
}

export async function findTask(db: Database, id: string): Promise<TaskRecord | undefined> {
  const task = await findTaskRow(db, id);
  if (!task) return undefined;
  const queries = oneTaskQueries(db);
  const [files, attempts, dependencies, tags] = await Promise.all([
    executePrepared(db, queries.files, { id }),
    executePrepared(db, queries.attempts, { id }),
    executePrepared(db, queries.dependencies, { id }),
    executePrepared(db, queries.tags, { id }),
  ]);
  return assembleRecords([task], { files, attempts, dependencies, tags })[0];
}

/** One task with its details, read by id: what every status view and steering answer reads, built once. */
const oneTaskQueries = perDatabase((db) => {
  const id = slotOf(tasks.id, "id");
  return {
    row: db.select().from(tasks).where(eq(tasks.id, id)).limit(1).prepare(),
    files: filesQuery(db, eq(taskFiles.taskId, id)).prepare(),
    attempts: attemptsQuery(db, eq(taskAttempts.taskId, id)).prepare(),
    dependencies: dependenciesQuery(db, eq(taskDependencies.taskId, id)).prepare(),
    tags: tagsQuery(db, eq(taskTags.taskId, id)).prepare(),
  };
});

export interface TaskListQuery {
  limit: number;
  /** Only tasks older than this sequence number (the previous page's cursor). */
  beforeSeq?: number;
  status?: TaskStatus;
  scriptName?: string;
  /** Only tasks whose name holds this (any case). */
  nameContains?: string;
  /** Only tasks with every one of these tags. */
  tags?: Readonly<Record<string, string>>;
  createdAfter?: Date;
  createdBefore?: Date;
  /** Only tasks whose id starts so. */
  idPrefix?: string;
}

/** Newest first, one page at a time. */
export async function listTasks(db: Database, query: TaskListQuery): Promise<TaskRecord[]> {
  const conditions = [
    query.beforeSeq === undefined ? undefined : lt(tasks.seq, query.beforeSeq),
    query.status === undefined ? undefined : eq(tasks.status, query.status),
    query.scriptName === undefined ? undefined : eq(tasks.scriptName, query.scriptName),
    query.nameContains === undefined ? undefined : sql`instr(lower(${tasks.name}), ${query.nameContains.toLowerCase()}) > 0`,
    ...Object.entries(query.tags ?? {}).map(
      ([key, value]) =>
        sql`EXISTS (SELECT 1 FROM ${taskTags} WHERE ${taskTags.taskId} = ${tasks.id} AND ${taskTags.key} = ${key} AND ${taskTags.value} = ${value})`,
    ),
    query.createdAfter === undefined ? undefined : gt(tasks.createdAt, query.createdAfter),
    query.createdBefore === undefined ? undefined : lt(tasks.createdAt, query.createdBefore),
    // A range of the ids' index: every id starting so sorts between the prefix and the prefix with the highest character after it.
    query.idPrefix === undefined ? undefined : and(gte(tasks.id, query.idPrefix), lt(tasks.id, `${query.idPrefix}\uffff`)),
  ].filter((condition) => condition !== undefined);
  const rows = await db
    .select()
    .from(tasks)
    .where(conditions.length > 0 ? and(...conditions) : undefined)
    .orderBy(desc(tasks.seq))
    .limit(query.limit);
  return withDetails(db, rows);
}

/** The uploads of the tasks `which` selects, in placeholder order. */
const filesQuery = (db: Database, which: SQL) =>
  db
    .select({ ...getTableColumns(taskFiles), placeholder: sql<string>`cast(${taskFiles.placeholder} as text)` })
    .from(taskFiles)
    .where(which)
    .orderBy(asc(taskFiles.placeholder));

/** Their attempts, first first. */
const attemptsQuery = (db: Database, which: SQL) =>
  db.select().from(taskAttempts).where(which).orderBy(asc(taskAttempts.taskId), asc(taskAttempts.number));

/** What they wait for, in the order given, with how each stands. */
const dependenciesQuery = (db: Database, which: SQL) =>
  db
    .select({ taskId: taskDependencies.taskId, id: taskDependencies.dependsOn, kind: taskDependencies.kind, status: dependencyStatus.status })
    .from(taskDependencies)
    .leftJoin(dependencyStatus, eq(dependencyStatus.id, taskDependencies.dependsOn))
    .where(which)
    .orderBy(sql`${taskDependencies}.rowid`);

/** Their labels, by key. */
const tagsQuery = (db: Database, which: SQL) => db.select().from(taskTags).where(which).orderBy(asc(taskTags.key));

/** Adds the uploads, attempts, dependencies and tags of each task with four queries, whatever the page size. */
async function withDetails(db: Database, rows: TaskRow[]): Promise<TaskRecord[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((row) => row.id);
  const [files, attempts, dependencies, tags] = await Promise.all([
    filesQuery(db, inArray(taskFiles.taskId, ids)),
    attemptsQuery(db, inArray(taskAttempts.taskId, ids)),
    dependenciesQuery(db, inArray(taskDependencies.taskId, ids)),
    tagsQuery(db, inArray(taskTags.taskId, ids)),
  ]);
  return assembleRecords(rows, { files, attempts, dependencies, tags });
}

/** The details as read, given to the tasks they belong to. */
function assembleRecords(
  rows: TaskRow[],
  {
    files,
    attempts,
    dependencies,
    tags,
  }: { files: StoredTaskFile[]; attempts: TaskAttemptRow[]; dependencies: (TaskDependencyView & { taskId: string })[]; tags: TaskTagRow[] },
): TaskRecord[] {
  const filesByTask = new Map<string, StoredTaskFile[]>();
  for (const file of files) filesByTask.set(file.taskId, [...(filesByTask.get(file.taskId) ?? []), file]);
  const attemptsByTask = new Map<string, TaskAttemptRow[]>();
  for (const attempt of attempts) attemptsByTask.set(attempt.taskId, [...(attemptsByTask.get(attempt.taskId) ?? []), attempt]);
  const dependenciesByTask = new Map<string, TaskDependencyView[]>();
  for (const { taskId, ...dependency } of dependencies) dependenciesByTask.set(taskId, [...(dependenciesByTask.get(taskId) ?? []), dependency]);
  const tagsByTask = new Map<string, Record<string, string>>();
  for (const tag of tags) tagsByTask.set(tag.taskId, { ...tagsByTask.get(tag.taskId), [tag.key]: tag.value });
  return rows.map((task) => {
    const all = attemptsByTask.get(task.id) ?? [];
    return {
      task,
      files: filesByTask.get(task.id) ?? [],
      dependencies: dependenciesByTask.get(task.id) ?? [],
      tags: tagsByTask.get(task.id) ?? {},
      attempt: all.find((each) => each.number === task.attemptCount),
      attempts: all,
    };
  });
}

/** Tasks the database says are running (or suspended), with their latest attempt. */
export async function listRunningTasks(db: Database): Promise<TaskRecord[]> {
  const rows = await db.select().from(tasks).where(inArray(tasks.status, ACTIVE_STATUSES)).orderBy(asc(tasks.seq));
  return withDetails(db, rows);
}

/** The id of every task. */
export async function listTaskIds(db: Database): Promise<string[]> {
  const rows = await db.select({ id: tasks.id }).from(tasks);
  return rows.map((row) => row.id);
}

/** When the first queued task that waits out a retry delay becomes due; undefined when none waits. */
export async function earliestRetryDue(db: Database, home: string): Promise<Date | undefined> {
  const [row] = await db
    .select({ due: sql<number | null>`min(${tasks.notBefore})` })
    .from(tasks)
    .where(and(eq(tasks.status, TaskStatus.queued), isNotNull(tasks.notBefore), isHomeOf(home)));
  return row?.due == null ? undefined : new Date(row.due);
}

/** Finished tasks (of one status, if given) that finished before a time, oldest first, one batch at a time. */
export async function listFinishedTaskIds(
  db: Database,
  { home, status, finishedBefore, limit }: { home: string; status?: TaskStatus; finishedBefore?: Date; limit: number },
): Promise<string[]> {
  const rows = await db
    .select({ id: tasks.id })
    .from(tasks)
    .where(
      and(
        isHomeOf(home),
        status === undefined ? inArray(tasks.status, FINISHED_STATUSES) : eq(tasks.status, status),
        finishedBefore === undefined ? undefined : lt(tasks.finishedAt, finishedBefore),
      ),
    )
    .orderBy(asc(tasks.seq))
    .limit(limit);
  return rows.map((row) => row.id);
}

/** The latest attempt before `attempt` whose process was recorded (so it wrote a log), if any. */
export async function lastLaunchedAttemptBefore(db: Database, taskId: string, attempt: number): Promise<number | undefined> {
  const [row] = await db
    .select({ number: sql<number | null>`max(${taskAttempts.number})` })
    .from(taskAttempts)
    .where(and(eq(taskAttempts.taskId, taskId), lt(taskAttempts.number, attempt), isNotNull(taskAttempts.handle)));
  return row?.number ?? undefined;
}
