import type { ResultSet } from "@libsql/client";
import { fillPlaceholders, Param, sql, type Column, type Placeholder, type SQL } from "drizzle-orm";
import type { DirectConnection, Query } from "./direct-connection.ts";
import type { Database } from "./open.ts";

/**
 * A statement drizzle has built once (`.prepare()`), run again with new values.
 * Building a statement is most of what drizzle costs: the lifecycle's hot writes
 * (a claim, an attempt's end) are built once per database instead of for every
 * task, which also spares the garbage each build leaves behind.
 */
export interface PreparedStatement<Result> {
  getQuery(): { sql: string; params: unknown[] };
  mapResult(response: unknown, isFromBatch?: boolean): unknown;
  execute(values?: Record<string, unknown>): Promise<Result>;
}

type ResultOf<S> = S extends PreparedStatement<infer Result> ? Result : never;

/**
 * Runs prepared statements in one batch: one transaction, all of them or none,
 * as `db.batch` runs built ones. Every statement takes its placeholders from
 * the same `values`.
 */
export async function batchPrepared<const S extends readonly PreparedStatement<unknown>[]>(
  db: Database,
  statements: S,
  values: Record<string, unknown>,
): Promise<{ [K in keyof S]: ResultOf<S[K]> }> {
  const queries = statements.map((statement) => queryOf(statement, values));
  const results = await batchQueries(db, queries);
  return statements.map((statement, index) => statement.mapResult(results[index], true)) as { [K in keyof S]: ResultOf<S[K]> };
}

/** Runs one prepared statement, as its own `execute` does, on the database's direct connection where it has one. */
export async function executePrepared<Result>(db: Database, statement: PreparedStatement<Result>, values: Record<string, unknown>): Promise<Result> {
  const direct = directConnectionOf(db);
  if (!direct) return statement.execute(values);
  return statement.mapResult(direct.execute(queryOf(statement, values)), true) as Result;
}

/**
 * Runs a statement of CubQueue's own, on the database's direct connection where it has one:
 * for callers that read only `rowsAffected` and `lastInsertRowid`, or rows by index (see
 * direct-connection.ts).
 */
export async function executeQuery(db: Database, query: Query): Promise<ResultSet> {
  const direct = directConnectionOf(db);
  return direct ? direct.execute(query) : db.$client.execute({ sql: query.sql, args: query.args as never[] });
}

/** Runs statements of CubQueue's own in one transaction, as executeQuery runs one. */
export async function batchQueries(db: Database, queries: readonly Query[]): Promise<ResultSet[]> {
  const direct = directConnectionOf(db);
  return direct ? direct.batch(queries) : db.$client.batch(queries as Query[] as never[], "deferred");
}

/**
 * The direct connection (see direct-connection.ts) of each database that has one: the hot
 * statements above run on it, all else through the client.
 */
const directConnections = new WeakMap<Database, DirectConnection>();

export function useDirectConnection(db: Database, direct: DirectConnection): void {
  directConnections.set(db, direct);
}

/** The database's direct connection, while the client still has it (else the client runs everything from then on). */
export function directConnectionOf(db: Database): DirectConnection | undefined {
  const direct = directConnections.get(db);
  if (direct?.usable() === false) directConnections.delete(db);
  return direct?.usable() ? direct : undefined;
}

function queryOf(statement: PreparedStatement<unknown>, values: Record<string, unknown>): Query {
  const query = statement.getQuery();
  return { sql: query.sql, args: fillPlaceholders(query.params, values) };
}

/** A named placeholder, filled when a prepared statement runs, its value bound as it is given. */
export const slot = (name: string): Placeholder => sql.placeholder(name);

/**
 * A named placeholder for a value of `column`, bound as the column binds its values
 * (a Date as the milliseconds it stores): what a value set on, or compared with, a
 * column takes.
 */
export const slotOf = (column: Column, name: string): SQL => sql`${new Param(sql.placeholder(name), column)}`;

/**
 * Builds `build(db)` the first time it is asked for that database and keeps it:
 * statements prepared for one database are never run against another.
 */
export function perDatabase<T>(build: (db: Database) => T): (db: Database) => T {
  const built = new WeakMap<Database, T>();
  return (db) => {
    let value = built.get(db);
    if (value === undefined) {
      value = build(db);
      built.set(db, value);
    }
    return value;
  };
}

/** A raw statement (`db.run(sql…)`) built once, like PreparedStatement: its results are the driver's. */
export function prepareRaw(db: Database, statement: SQL): PreparedStatement<ResultSet> {
  const raw = db.run(statement);
  const query = raw.getQuery();
  return {
    getQuery: () => query,
    mapResult: (response, isFromBatch) => raw.mapResult(response as ResultSet, isFromBatch),
    execute: (values = {}) => db.$client.execute({ sql: query.sql, args: fillPlaceholders(query.params, values) as never[] }),
  };
}
