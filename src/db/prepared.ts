import type { ResultSet } from "@libsql/client";
import { fillPlaceholders, Param, sql, type Column, type Placeholder, type SQL } from "drizzle-orm";
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
  const results = await db.$client.batch(
    statements.map((statement) => {
      const query = statement.getQuery();
      return { sql: query.sql, args: fillPlaceholders(query.params, values) as never[] };
    }),
    "deferred",
  );
  return statements.map((statement, index) => statement.mapResult(results[index], true)) as { [K in keyof S]: ResultOf<S[K]> };
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
