import { eq, inArray, sql } from "drizzle-orm";
import type { Database } from "../open.ts";
import { perDatabase, slotOf } from "../prepared.ts";
import { tasks } from "../schema.ts";

/**
 * The shortest prefix of each id (at least `min` characters) that no other
 * task's id starts with: one longer than what it shares with its neighbours in
 * id order, found through the ids' index, two lookups per id in one query.
 */
export async function shortIds(db: Database, ids: readonly string[], min: number): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  // One id (every submit and status view asks for one): the query built once.
  const rows = ids.length === 1 ? await oneIdQuery(db).execute({ id: ids[0] }) : await db.select(neighbours).from(tasks).where(inArray(tasks.id, [...ids]));
  return new Map(rows.map((row) => [row.id, row.id.slice(0, Math.max(min, shared(row.id, row.before) + 1, shared(row.id, row.after) + 1))]));
}

// The outer id named with its table: drizzle writes a column of a one-table select unqualified,
// and a bare "id" inside the subquery would be the subquery's own (n.id < n.id: no neighbour
// ever, after reading every row).
const outerId = sql`${tasks}.${sql.identifier(tasks.id.name)}`;
const neighbours = {
  id: tasks.id,
  before: sql<string | null>`(SELECT max(n.id) FROM ${tasks} n WHERE n.id < ${outerId})`,
  after: sql<string | null>`(SELECT min(n.id) FROM ${tasks} n WHERE n.id > ${outerId})`,
};

const oneIdQuery = perDatabase((db) =>
  db
    .select(neighbours)
    .from(tasks)
    .where(eq(tasks.id, slotOf(tasks.id, "id")))
    .prepare(),
);

function shared(a: string, b: string | null): number {
  if (b === null) return 0;
  let n = 0;
  while (n < a.length && a[n] === b[n]) n++;
  return n;
}
