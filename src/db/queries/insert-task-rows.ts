import type { ResultSet } from "@libsql/client";
import { getTableColumns, is, SQL, sql, type DriverValueEncoder, type Placeholder } from "drizzle-orm";
import type { Database } from "../open.ts";
import { batchQueries, executeQuery, perDatabase, slotOf } from "../prepared.ts";
import { tasks, type NewTaskRow, type TaskRow } from "../schema.ts";
import { createTurnBatcher } from "../../util/turn-batcher.ts";

const columns = getTableColumns(tasks);

/**
 * What a column holds when a row leaves it out: its default, or null. The rows are not read
 * back (RETURNING all forty columns cost more than the insert itself): a stored row is the
 * row as given, completed with these, and its seq. So every default must be a constant.
 */
const storedDefaults = Object.fromEntries(
  Object.entries(columns).map(([key, column]) => {
    if (column.defaultFn !== undefined || column.onUpdateFn !== undefined || is(column.default, SQL)) {
      throw new Error(`tasks.${key}: a default the database or a function computes would have to be read back after an insert`);
    }
    return [key, column.hasDefault ? column.default : null];
  }),
) as Omit<TaskRow, "seq">;

/**
 * The rows as stored by one INSERT that gave them consecutive seqs ending at the last one
 * it wrote (AUTOINCREMENT takes one more than the largest ever, row after row).
 */
function storedRows(rows: readonly NewTaskRow[], result: Pick<ResultSet, "rowsAffected" | "lastInsertRowid">): TaskRow[] {
  if (result.rowsAffected !== rows.length || result.lastInsertRowid === undefined) {
    throw new Error(`${rows.length - result.rowsAffected} of ${rows.length} tasks were not stored`);
  }
  const first = Number(result.lastInsertRowid) - rows.length + 1;
  return rows.map((row, index): TaskRow => {
    const stored: Record<string, unknown> = { ...storedDefaults };
    for (const key in row) {
      const value = row[key as keyof NewTaskRow];
      if (value !== undefined) stored[key] = value;
    }
    stored.seq = first + index;
    return stored as unknown as TaskRow;
  });
}

/** Rows per INSERT: a statement may bind only so many values (each task row binds about 30). */
export const ROWS_PER_INSERT = 200;

/**
 * The INSERT of task rows, built once for each shape of row (which columns a
 * submission gives, and which of them are null: a handful of shapes in all) and number of rows
 * (one, or ROWS_PER_INSERT) instead of for every submit: with its forty columns a row, building
 * it cost more than running it, and an array's five statements of 200 rows were a sixth of what
 * its submission cost.
 */
const insertsByShape = perDatabase(() => new Map<string, PreparedInsert>());

/** An insert built once, and how the values of its rows become its arguments. */
interface PreparedInsert {
  sql: string;
  /** The arguments for these rows (as many as it was built for, of its shape), in the order its SQL binds them. */
  argsFor(rows: readonly NewTaskRow[]): unknown[];
}

/** The columns a row gives, and which of them are null: rows of one shape share their statement. */
function shapeOf(row: NewTaskRow): { given: (keyof NewTaskRow)[]; shape: string } {
  const given = (Object.keys(row) as (keyof NewTaskRow)[]).filter((key) => row[key] !== undefined);
  // A null is written as NULL itself: a placeholder's value goes through its column's encoder, which expects a value.
  return { given, shape: given.map((key) => (row[key] === null ? `${key}=null` : key)).join(",") };
}

/** The prepared insert of `count` rows of this shape; the placeholder of row i's column is `<i>.<column>`. */
function preparedInsert(db: Database, given: (keyof NewTaskRow)[], shape: string, sample: NewTaskRow, count: number): PreparedInsert {
  const inserts = insertsByShape(db);
  const key = `${count}:${shape}`;
  let insert = inserts.get(key);
  if (insert === undefined) {
    const rowValues = (index: number) =>
      Object.fromEntries(given.map((column): [string, SQL] => [column, sample[column] === null ? sql`null` : slotOf(columns[column], `${index}.${column}`)]));
    const statement = db
      .insert(tasks)
      .values(Array.from({ length: count }, (_, index) => rowValues(index)) as unknown as NewTaskRow[])
      .prepare();
    // Where each argument comes from, worked out once rather than looked up by name for every row
    // of every submission (thousands of names an array), as fillPlaceholders would. An argument is a
    // row's value (a Param holding a Placeholder, see slotOf), bound as fillPlaceholders binds one,
    // through its column's encoder; or a value drizzle fixed when it built the statement (a
    // column's default), bound as it is.
    const sources = statement.getQuery().params.map((param) => {
      const { value, encoder } = param as { value?: Placeholder; encoder?: DriverValueEncoder<unknown, unknown> };
      if (value?.name === undefined || encoder === undefined) return () => param;
      const dot = value.name.indexOf(".");
      const row = Number(value.name.slice(0, dot));
      const column = value.name.slice(dot + 1) as keyof NewTaskRow;
      return (rows: readonly NewTaskRow[]) => encoder.mapToDriverValue(rows[row]![column]);
    });
    insert = { sql: statement.getQuery().sql, argsFor: (rows) => sources.map((source) => source(rows)) };
    inserts.set(key, insert);
  }
  return insert;
}

/**
 * Inserts one task row as `db.insert(tasks).values(row).returning()` does; resolves to the row as
 * stored. The rows of single submissions that reach this in the same turn are committed together
 * (see turn-batcher.ts): under load, one commit for several submissions.
 */
export function insertOneTask(db: Database, row: NewTaskRow): Promise<TaskRow | undefined> {
  return singleInserts(db)(row);
}

const singleInserts = perDatabase((db) => createTurnBatcher((rows: NewTaskRow[]) => insertSingles(db, rows)));

/** One row in its own write. */
async function insertAlone(db: Database, row: NewTaskRow): Promise<TaskRow | undefined> {
  const { given, shape } = shapeOf(row);
  const insert = preparedInsert(db, given, shape, row, 1);
  const result = await executeQuery(db, { sql: insert.sql, args: insert.argsFor([row]) });
  return storedRows([row], result)[0];
}

/** Rows of different submissions in one write; should it fail, each is tried alone, so that only a row that fails alone fails. */
async function insertSingles(db: Database, rows: NewTaskRow[]): Promise<PromiseSettledResult<TaskRow | undefined>[]> {
  if (rows.length > 1) {
    const inserts = rows.map((row) => {
      const { given, shape } = shapeOf(row);
      const insert = preparedInsert(db, given, shape, row, 1);
      return { sql: insert.sql, args: insert.argsFor([row]) };
    });
    const results = await batchQueries(db, inserts).catch(() => undefined);
    if (results) return rows.map((row, index) => ({ status: "fulfilled", value: storedRows([row], results[index]!)[0] }));
  }
  return Promise.allSettled(rows.map((row) => insertAlone(db, row)));
}

/** A statement ready for a batch: its SQL and arguments, and how its result is read. */
export interface BatchStatement<Result> {
  sql: string;
  args: unknown[];
  read(result: ResultSet): Result;
}

/**
 * The inserts of task rows, ROWS_PER_INSERT rows a statement, for one batch: a chunk whose
 * rows share one shape (as an array's do) runs a statement prepared once; another is built.
 */
export function taskRowInserts(db: Database, rows: readonly NewTaskRow[]): BatchStatement<TaskRow[]>[] {
  const statements: BatchStatement<TaskRow[]>[] = [];
  for (let start = 0; start < rows.length; start += ROWS_PER_INSERT) {
    const chunk = rows.slice(start, start + ROWS_PER_INSERT);
    const { given, shape } = shapeOf(chunk[0]!);
    const prepared =
      chunk.length === ROWS_PER_INSERT && chunk.every((row) => shapeOf(row).shape === shape)
        ? preparedInsert(db, given, shape, chunk[0]!, ROWS_PER_INSERT)
        : undefined;
    const built = prepared ? undefined : db.insert(tasks).values([...chunk]).toSQL();
    statements.push({
      sql: prepared?.sql ?? built!.sql,
      args: prepared ? prepared.argsFor(chunk) : built!.params,
      read: (result) => storedRows(chunk, result),
    });
  }
  return statements;
}
