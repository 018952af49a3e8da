import { getTableColumns, sql, type SQL } from "drizzle-orm";
import type { Database } from "../open.ts";
import { perDatabase, slotOf, type PreparedStatement } from "../prepared.ts";
import { tasks, type NewTaskRow, type TaskRow } from "../schema.ts";

const columns = getTableColumns(tasks);

/**
 * One task's INSERT … RETURNING, built once for each shape of row (which columns a
 * submission gives, and which of them are null: a handful of shapes in all) instead
 * of for every submit: with its forty columns, building it cost more than running it.
 */
const insertsByShape = perDatabase(() => new Map<string, PreparedStatement<TaskRow[]>>());

/** Inserts one task row as `db.insert(tasks).values(row).returning()` does; resolves to the row as stored. */
export async function insertOneTask(db: Database, row: NewTaskRow): Promise<TaskRow | undefined> {
  const given = (Object.keys(row) as (keyof NewTaskRow)[]).filter((key) => row[key] !== undefined);
  // A null is written as NULL itself: a placeholder's value goes through its column's encoder, which expects a value.
  const shape = given.map((key) => (row[key] === null ? `${key}=null` : key)).join(",");
  const inserts = insertsByShape(db);
  let insert = inserts.get(shape);
  if (insert === undefined) {
    const values = Object.fromEntries(given.map((key): [string, SQL] => [key, row[key] === null ? sql`null` : slotOf(columns[key], key)]));
    insert = db
      .insert(tasks)
      .values(values as unknown as NewTaskRow)
      .returning()
      .prepare();
    inserts.set(shape, insert);
  }
  const [stored] = await insert.execute(row as Record<string, unknown>);
  return stored;
}
