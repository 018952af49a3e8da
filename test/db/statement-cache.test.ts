import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eq } from "drizzle-orm";
import { afterEach, beforeEach, expect, test } from "vitest";
import { openDatabase } from "../../src/db/open.ts";
import { scripts } from "../../src/db/schema.ts";
import { statementCacheStats } from "../../src/db/statement-cache.ts";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "cubqueue-statements-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

test("statements run again are reused, with their own values each time, after a failed one too, and a closed database lets them go", async () => {
  const { db, close } = await openDatabase({ file: join(dir, "cubqueue.db") });
  const row = (name: string) => ({ name, desc: `the ${name} script`, filename: `${name}.sh`, sha256: "0".repeat(64), size: 1, createdAt: new Date(), version: 1 });
  const before = statementCacheStats();
  for (const name of ["a", "b", "c"]) await db.insert(scripts).values(row(name));
  // The same statement failing (a duplicate name) leaves it fit for the next run.
  await expect(db.insert(scripts).values(row("a"))).rejects.toThrow();
  await db.insert(scripts).values(row("d"));
  const names = [];
  for (const name of ["d", "b", "x"]) names.push((await db.select({ name: scripts.name }).from(scripts).where(eq(scripts.name, name)))[0]?.name ?? null);
  expect(names).toEqual(["d", "b", null]);
  const after = statementCacheStats();
  // One insert and one select prepared; every other run reused them.
  expect(after.prepared - before.prepared).toBe(2);
  expect(after.reused - before.reused).toBe(6);
  // The insert returns no rows: asked once whether it does, then answered from memory (4 of its 5 runs).
  expect(after.rawRefusalsKept - before.rawRefusalsKept).toBe(4);
  close();

  // Opened again: a new connection prepares its own.
  const again = await openDatabase({ file: join(dir, "cubqueue.db") });
  expect((await again.db.select({ name: scripts.name }).from(scripts)).map((each) => each.name).sort()).toEqual(["a", "b", "c", "d"]);
  again.close();
});
