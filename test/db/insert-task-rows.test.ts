import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { asc } from "drizzle-orm";
import { afterEach, beforeEach, expect, test } from "vitest";
import { openDatabase, type Database } from "../../src/db/open.ts";
import { insertTasks } from "../../src/db/queries/tasks.ts";
import { TaskStatus, tasks, type NewTaskRow } from "../../src/db/schema.ts";

let dir: string;
let opened: { db: Database; close: () => void };
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "cubqueue-insert-rows-"));
  opened = await openDatabase({ file: join(dir, "cubqueue.db") });
});
afterEach(async () => {
  opened.close();
  await rm(dir, { recursive: true, force: true });
});

/** A row as an array's submission makes it: every task of the array has the same columns, and the same ones null. */
const arrayRow = (index: number, arrayId: string): NewTaskRow => ({
  id: randomUUID(),
  scriptName: "job",
  scriptFilename: "job.sh",
  scriptVersion: 3,
  scriptSha256: "ab".repeat(32),
  argFile: `{"i": ${index}}`,
  status: TaskStatus.queued,
  error: null,
  createdAt: new Date(1_700_000_000_123),
  cancelRequestedAt: null,
  finishedAt: null,
  attemptCount: 0,
  maxRetries: 2,
  retryDelayMs: 1500,
  timeoutMs: null,
  home: "instance-a",
  arrayId,
  priority: 5,
  slurmOptions: ["--mem=1G"],
});

test("an array's rows are stored as given, in order, whether their chunk ran a prepared statement or a built one", async () => {
  const arrayId = randomUUID();
  // 450 rows: two chunks of 200 (prepared), then 50 (built).
  const rows = Array.from({ length: 450 }, (_, index) => arrayRow(index, arrayId));
  const stored = await insertTasks(opened.db, { tasks: rows, files: [], dependencies: [], array: { id: arrayId, maxRunning: null, size: rows.length, createdAt: new Date() } });

  expect(stored.map((row) => row.id)).toEqual(rows.map((row) => row.id));
  const read = await opened.db.select().from(tasks).orderBy(asc(tasks.seq));
  expect(read).toEqual(stored);
  for (const [index, row] of read.entries()) expect(row).toMatchObject(rows[index]!);
  expect(read[0]!.createdAt).toEqual(new Date(1_700_000_000_123));
});

test("a chunk whose rows differ in shape (a column null in one, set in another) is stored as given too", async () => {
  const arrayId = randomUUID();
  const rows = Array.from({ length: 200 }, (_, index) => ({ ...arrayRow(index, arrayId), ...(index === 7 ? { timeoutMs: 60_000, error: "kept" } : {}) }));
  const stored = await insertTasks(opened.db, { tasks: rows, files: [], dependencies: [] });
  const read = await opened.db.select().from(tasks).orderBy(asc(tasks.seq));
  expect(read.map((row) => [row.timeoutMs, row.error])).toEqual(rows.map((row) => [row.timeoutMs, row.error]));
  expect(stored).toEqual(read);
});

test("the rows answered are the rows as stored, seq included, after the newest rows were deleted too", async () => {
  // Rows read back: every default filled in, and the seqs AUTOINCREMENT gave (never one used before).
  const first = await insertTasks(opened.db, { tasks: Array.from({ length: 3 }, (_, index) => arrayRow(index, "a")), files: [], dependencies: [] });
  await opened.db.delete(tasks);
  const single = await insertTasks(opened.db, { tasks: [{ ...arrayRow(9, "b"), arrayId: null, slurmOptions: null }], files: [], dependencies: [] });
  const array = await insertTasks(opened.db, { tasks: Array.from({ length: 201 }, (_, index) => arrayRow(index, "c")), files: [], dependencies: [] });
  const read = await opened.db.select().from(tasks).orderBy(asc(tasks.seq));
  expect([...single, ...array]).toEqual(read);
  expect(read[0]!.seq).toBe(first[2]!.seq + 1);
  expect(read[0]).toMatchObject({ cpus: 1, gpus: 0, blocked: false, retryBackoff: false, notifyOn: "finish", runStartAttempt: 0, progress: null, env: null });
});

test("the same shapes again reuse what was prepared: a second array is stored as the first", async () => {
  for (const round of [1, 2]) {
    const arrayId = randomUUID();
    const rows = Array.from({ length: 200 }, (_, index) => arrayRow(index * round, arrayId));
    const stored = await insertTasks(opened.db, { tasks: rows, files: [], dependencies: [] });
    expect(stored.map((row) => row.argFile)).toEqual(rows.map((row) => row.argFile));
  }
  expect(await opened.db.$count(tasks)).toBe(400);
});

test("single rows inserted in one turn share a commit; a row that fails fails alone, the others are stored", async () => {
  const [first] = await insertTasks(opened.db, { tasks: [arrayRow(0, randomUUID())], files: [], dependencies: [] });
  const fresh = [arrayRow(1, randomUUID()), arrayRow(2, randomUUID())];
  // The same id again breaks the table's unique key: the shared write fails, and each row is tried alone.
  const outcomes = await Promise.allSettled([
    insertTasks(opened.db, { tasks: [fresh[0]!], files: [], dependencies: [] }),
    insertTasks(opened.db, { tasks: [{ ...arrayRow(3, randomUUID()), id: first!.id }], files: [], dependencies: [] }),
    insertTasks(opened.db, { tasks: [fresh[1]!], files: [], dependencies: [] }),
  ]);
  expect(outcomes.map((outcome) => outcome.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
  expect(String(((outcomes[1] as PromiseRejectedResult).reason as Error).cause)).toMatch(/UNIQUE/);
  const read = await opened.db.select().from(tasks).orderBy(asc(tasks.seq));
  expect(read.map((row) => row.id)).toEqual([first!.id, fresh[0]!.id, fresh[1]!.id]);
  expect(outcomes[0]).toEqual({ status: "fulfilled", value: [read[1]] });
});
