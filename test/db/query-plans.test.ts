import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inArray, sql } from "drizzle-orm";
import { expect, test } from "vitest";
import { openDatabase } from "../../src/db/open.ts";
import { dependentsOf, refreshBlocked } from "../../src/db/queries/queue.ts";
import { tasks } from "../../src/db/schema.ts";

test("refreshing what waits on a task finds the waiting tasks by id, never by walking the whole queue", async () => {
  const dir = await mkdtemp(join(tmpdir(), "cubqueue-plans-"));
  const { db, close } = await openDatabase({ file: join(dir, "cubqueue.db") });
  try {
    const planOf = async (query: { sql: string; params: unknown[] }) =>
      (await db.$client.execute({ sql: `EXPLAIN QUERY PLAN ${query.sql}`, args: query.params as never[] })).rows.map((row) => String(row.detail));
    // One task's dependents (as each finish asks), several tasks' (as a submit with dependencies asks), a few ids.
    for (const which of [dependentsOf(sql`${"3f9a1c2b-7e41-4d2a-9b1e-000000000001"}`), dependentsOf(["a", "b"]), inArray(tasks.id, ["a", "b"])]) {
      const plan = await planOf(refreshBlocked(db, which).toSQL());
      // Each finish runs it: through the status index it read every queued task.
      expect(plan[0]).toMatch(/^SEARCH tasks USING INDEX tasks_id_unique \(id=\?\)/);
      expect(plan.join("\n")).not.toMatch(/SCAN tasks|tasks_queue_order_idx|tasks_status_seq_idx/);
    }
  } finally {
    close();
    await rm(dir, { recursive: true, force: true });
  }
});
