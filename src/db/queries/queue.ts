import { and, eq, inArray, isNull, lte, or, sql, type SQL } from "drizzle-orm";
import type { Candidate } from "../../lifecycle/schedule.ts";
import type { Database } from "../open.ts";
import { executePrepared, perDatabase, slot, slotOf } from "../prepared.ts";
import { ACTIVE_STATUSES, DependencyKind, TaskStatus, WAITING_STATUSES, queueStates, taskArrays, taskDependencies, tasks } from "../schema.ts";
import { isHomeOf } from "./tasks.ts";

/**
 * The dependencies of the task in the outer query that are not met yet: a task
 * waiting for another's success (afterok) until it has succeeded, one waiting
 * for its end (afterany) until it has finished somehow. A dependency that was
 * deleted has finished, and its afterok dependents were cancelled at once had
 * it failed, so it is met.
 */
export const unmetDependencies = (): SQL => sql`
  SELECT 1 FROM ${taskDependencies} d JOIN ${tasks} p ON p.id = d.depends_on
  WHERE d.task_id = ${tasks.id} AND NOT (
    p.status = ${TaskStatus.succeeded}
    OR (d.kind = ${DependencyKind.afterany} AND p.status IN (${TaskStatus.failed}, ${TaskStatus.cancelled}))
  )`;

/**
 * A queued task that may start now, as its row says: due (not a retry waiting out
 * its delay) and not blocked by a dependency. Read through the queue's index.
 * `now` may be a placeholder (see db/prepared.ts).
 */
export function isStartable(now: Date | SQL): SQL {
  return and(eq(tasks.status, TaskStatus.queued), eq(tasks.blocked, false), or(isNull(tasks.notBefore), lte(tasks.notBefore, now)))!;
}

/** isStartable, with its dependencies checked again: what a claim of one task requires. */
export function isReady(now: Date | SQL): SQL {
  return and(isStartable(now), sql`NOT EXISTS (${unmetDependencies()})`)!;
}

/**
 * Sets `blocked` anew for the waiting tasks `which` selects (a condition on
 * tasks): what every write that may change whether a dependency is met runs
 * with it, in the same batch.
 */
export function refreshBlocked(db: Database, which: SQL) {
  // `+status`: the tasks are found from `which` (a few ids, or a task's dependents), never by
  // walking every waiting task through the status index, which SQLite would otherwise prefer:
  // each finish then cost a look at every queued task.
  const waiting = sql`+${tasks.status} IN (${sql.join(
    WAITING_STATUSES.map((status) => sql`${status}`),
    sql`, `,
  )})`;
  return db
    .update(tasks)
    .set({ blocked: sql`EXISTS (${unmetDependencies()})` })
    .where(and(waiting, which));
}

/**
 * The waiting tasks that depend on any of these tasks (or on the one task a placeholder
 * names): whose `blocked` a change of theirs may change.
 */
export function dependentsOf(ids: readonly string[] | SQL): SQL {
  const which = Array.isArray(ids) ? inArray(taskDependencies.dependsOn, [...ids]) : eq(taskDependencies.dependsOn, ids as SQL);
  return sql`${tasks.id} IN (SELECT ${taskDependencies.taskId} FROM ${taskDependencies} WHERE ${which})`;
}

/** How many tasks of an array run now (its running and suspended ones). */
const runningInArray = sql<number>`(
  SELECT count(*) FROM ${tasks} r WHERE r.array_id = ${tasks.arrayId} AND r.status IN (${sql.join(
    ACTIVE_STATUSES.map((status) => sql`${status}`),
    sql`, `,
  )})
)`;

/**
 * The first queued tasks of this server that may start now, in queue order
 * (higher priority first, then oldest), leaving out those whose array already
 * runs its max_running: what chooseStarts weighs (and how many attempts each has
 * had). It reads the queue's index in
 * order, so it costs the same with ten tasks queued or a hundred thousand.
 */
export async function listStartCandidates(db: Database, home: string, now: Date, limit: number): Promise<Array<Candidate & { earlierAttempts: number }>> {
  const rows = await executePrepared(db, startCandidatesQuery(db), { home, now, limit });
  return rows.map((row) => ({
    id: row.id,
    earlierAttempts: row.attemptCount,
    cpus: row.cpus,
    gpus: row.gpus,
    arrayId: row.arrayId,
    arrayRoom: row.maxRunning === null ? null : Math.max(0, row.maxRunning - Number(row.running)),
  }));
}

/** Run at every start of a task: built once. */
const startCandidatesQuery = perDatabase((db) =>
  db
    .select({
      id: tasks.id,
      attemptCount: tasks.attemptCount,
      cpus: tasks.cpus,
      gpus: tasks.gpus,
      arrayId: tasks.arrayId,
      maxRunning: taskArrays.maxRunning,
      // Counted only for an array with a limit: most tasks have none, and the count per row was most of this query.
      running: sql<number>`CASE WHEN ${taskArrays.maxRunning} IS NULL THEN 0 ELSE ${runningInArray} END`,
    })
    .from(tasks)
    .leftJoin(taskArrays, eq(taskArrays.id, tasks.arrayId))
    .where(and(isStartable(slotOf(tasks.notBefore, "now")), isHomeOf(slotOf(tasks.home, "home")), sql`(${taskArrays.maxRunning} IS NULL OR ${runningInArray} < ${taskArrays.maxRunning})`))
    .orderBy(sql`${tasks.priority} DESC`, tasks.seq)
    .limit(slot("limit"))
    .prepare(),
);

/** How many of this server's tasks are in each state. */
export async function countTasksByStatus(db: Database, home: string): Promise<Record<TaskStatus, number>> {
  const rows = await db
    .select({ status: tasks.status, count: sql<number>`count(*)` })
    .from(tasks)
    .where(isHomeOf(home))
    .groupBy(tasks.status);
  const counts = Object.fromEntries(Object.values(TaskStatus).map((status) => [status, 0])) as Record<TaskStatus, number>;
  for (const row of rows) counts[row.status] = Number(row.count);
  return counts;
}

/** Whether this server's queue is paused (false for a server that never paused it). */
export async function readQueuePaused(db: Database, instance: string): Promise<boolean> {
  const [row] = await db.select({ paused: queueStates.paused }).from(queueStates).where(eq(queueStates.instance, instance));
  return row?.paused ?? false;
}

/** Records whether this server's queue is paused, so that a restart keeps it so. */
export async function writeQueuePaused(db: Database, instance: string, paused: boolean, at: Date): Promise<void> {
  await db
    .insert(queueStates)
    .values({ instance, paused, changedAt: at })
    .onConflictDoUpdate({ target: queueStates.instance, set: { paused, changedAt: at } });
}

/** The tasks among `ids` that exist, with where they are and how they stand. */
export async function findDependencyTargets(db: Database, ids: readonly string[]) {
  if (ids.length === 0) return [];
  return db.select({ id: tasks.id, status: tasks.status, home: tasks.home }).from(tasks).where(inArray(tasks.id, [...ids]));
}

/** True when `taskId` is among what `dependencies` wait for, directly or down the chain (adding them would close a cycle). */
export async function wouldCloseCycle(db: Database, taskId: string, dependencies: readonly string[]): Promise<boolean> {
  if (dependencies.length === 0) return false;
  const start = sql.join(
    dependencies.map((id) => sql`SELECT ${id}`),
    sql` UNION `,
  );
  const rows = await db.all<{ found: number }>(sql`
    WITH RECURSIVE upstream(id) AS (
      ${start}
      UNION SELECT d.depends_on FROM ${taskDependencies} d JOIN upstream ON d.task_id = upstream.id
    )
    SELECT 1 AS found FROM upstream WHERE id = ${taskId} LIMIT 1`);
  return rows.length > 0;
}

/** How many attempts this server's tasks have started in all. */
export async function countAttempts(db: Database, home: string): Promise<number> {
  const [row] = await db.select({ attempts: sql<number | null>`sum(${tasks.attemptCount})` }).from(tasks).where(isHomeOf(home));
  return Number(row?.attempts ?? 0);
}

/** Whether the database answers a query now. */
export async function pingDatabase(db: Database): Promise<void> {
  await db.run(sql`SELECT 1`);
}

/** This server's tasks that have not finished and have a notify_url of their own: whom to tell when they do. */
export async function listNotifyTargets(db: Database, home: string) {
  return db
    .select({ id: tasks.id, url: tasks.notifyUrl, on: tasks.notifyOn })
    .from(tasks)
    .where(and(inArray(tasks.status, [...WAITING_STATUSES, ...ACTIVE_STATUSES]), isHomeOf(home), sql`${tasks.notifyUrl} IS NOT NULL`));
}
