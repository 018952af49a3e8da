import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eq } from "drizzle-orm";
import { afterEach, beforeEach, expect, test } from "vitest";
import { openDatabase, type Database } from "../../src/db/open.ts";
import { batchQueries, directConnectionOf, executeQuery } from "../../src/db/prepared.ts";
import { listStartCandidates } from "../../src/db/queries/queue.ts";
import { findTask, insertTasks } from "../../src/db/queries/tasks.ts";
import { TaskStatus, tasks, type NewTaskRow } from "../../src/db/schema.ts";
import { createTransitions } from "../../src/lifecycle/transitions.ts";

let dir: string;
let file: string;
const opened: Array<() => void> = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "cubqueue-direct-"));
  file = join(dir, "cubqueue.db");
});
afterEach(async () => {
  for (const close of opened.splice(0)) close();
  await rm(dir, { recursive: true, force: true });
});

async function open(direct: boolean): Promise<Database> {
  const { db, close } = await openDatabase({ file, direct });
  opened.push(close);
  return db;
}

const row = (overrides: Partial<NewTaskRow> = {}): NewTaskRow => ({
  id: randomUUID(),
  scriptName: "job",
  scriptFilename: "job.sh",
  scriptVersion: 2,
  scriptSha256: "ab".repeat(32),
  argFile: '{"n": 1}',
  status: TaskStatus.queued,
  error: null,
  createdAt: new Date(1_700_000_000_123),
  cancelRequestedAt: null,
  finishedAt: null,
  attemptCount: 0,
  maxRetries: 1,
  retryDelayMs: 250,
  timeoutMs: 60_000,
  home: "instance-a",
  ...overrides,
});

test("what goes through the direct connection reads and writes as what goes through the client: every kind of column, on the same file", async () => {
  const direct = await open(true);
  const client = await open(false);
  expect([directConnectionOf(direct) !== undefined, directConnectionOf(client) !== undefined]).toEqual([true, false]);
  const [first, second] = await insertTasks(direct, {
    tasks: [row({ priority: 3, retryBackoff: true, env: '{"A":"1"}', slurmOptions: ["--mem=1G"] }), row()],
    files: [],
    dependencies: [],
    tags: [],
  });
  // With an upload past 2^32 bytes, a dependency (so it waits, blocked) and a tag.
  const after = row({ name: "after" });
  const [waiting] = await insertTasks(direct, {
    tasks: [after],
    files: [{ taskId: after.id, placeholder: 1, originalName: "in.txt", storedName: "file1_in.txt", size: 2 ** 40, sha256: "cd".repeat(32) }],
    dependencies: [{ taskId: after.id, dependsOn: second!.id, kind: "afterok" }],
    tags: [{ taskId: after.id, key: "project", value: "beta" }],
  });
  const transitions = createTransitions({ db: direct });
  const claimed = await transitions.claim(first!.id, { executor: "local", owner: "instance-a", cpus: 2, gpus: ["0", "1"] });
  expect(claimed?.task).toMatchObject({ id: first!.id, status: TaskStatus.running, attemptCount: 1, priority: 3, retryBackoff: true, slurmOptions: ["--mem=1G"] });
  expect(await transitions.recordProcess(first!.id, 1, { pid: 4242, startToken: "1765000000" })).toBe(true);
  await transitions.recordProgress(first!.id, 1, { percent: 42.5, message: "half" });
  expect(await transitions.finish(first!.id, 1, { status: TaskStatus.failed, error: "exit 3", exitCode: 3, signal: null })).toBe(true);

  // Every task as both connections read it, and as the client's own query reads it.
  for (const id of [first!.id, second!.id, waiting!.id]) {
    const [viaDirect, viaClient] = [await findTask(direct, id), await findTask(client, id)];
    expect(viaDirect).toEqual(viaClient);
    expect(viaDirect?.task).toEqual((await client.select().from(tasks).where(eq(tasks.id, id)))[0]);
  }
  expect((await findTask(direct, first!.id))?.attempts).toEqual([
    expect.objectContaining({ number: 1, exitCode: 3, handle: expect.stringContaining("4242"), cpus: 2, gpus: "0,1", finishedAt: expect.any(Date) }),
  ]);
  expect((await findTask(direct, first!.id))?.task).toMatchObject({ progress: 42.5, progressMessage: "half", blocked: false });
  // A write through the client is seen by the direct connection at once, and the other way round.
  await client.update(tasks).set({ priority: 9 }).where(eq(tasks.id, second!.id));
  expect((await listStartCandidates(direct, "instance-a", new Date(), 5)).map((candidate) => [candidate.id, candidate.earlierAttempts])).toEqual([[second!.id, 0]]);
  expect((await findTask(direct, waiting!.id))?.task.blocked).toBe(true);
});

test("a batch is all or nothing: a failing statement undoes the ones before it, fails as the client's would, and leaves the connection fit for the next", async () => {
  const db = await open(true);
  const insert = (id: string) => ({ sql: "INSERT INTO task_tags (task_id, key, value) VALUES (?, ?, ?)", args: [id, "k", "v"] });
  const failed = await batchQueries(db, [insert("one"), insert("two"), insert("one")]).catch((error: unknown) => error);
  expect(failed).toMatchObject({ name: "LibsqlBatchError", code: "SQLITE_CONSTRAINT", extendedCode: expect.stringMatching(/^SQLITE_CONSTRAINT/), statementIndex: 2 });
  expect(String((failed as Error).cause)).toMatch(/UNIQUE/);
  expect((await executeQuery(db, { sql: "SELECT count(*) FROM task_tags", args: [] })).rows[0]?.[0]).toBe(0);
  const [stored] = await batchQueries(db, [insert("three")]);
  expect(stored).toMatchObject({ rowsAffected: 1, lastInsertRowid: 1n });
  // One statement alone fails as the client's execute does.
  await expect(executeQuery(db, { sql: "SELECT * FROM no_such_table", args: [] })).rejects.toMatchObject({ name: "LibsqlError", code: "SQLITE_ERROR" });
  // Values the client refuses are refused here too, not stored as something else.
  await expect(executeQuery(db, { sql: "SELECT ?", args: [undefined] })).rejects.toThrow(TypeError);
  await expect(executeQuery(db, { sql: "SELECT ?", args: [Number.NaN] })).rejects.toThrow(RangeError);
  expect((await executeQuery(db, { sql: "SELECT ?, ?, ?", args: [true, new Date(5), null] })).rows[0]).toEqual([1, 5, null]);
  // A statement the client ran too (it is the same connection's, kept): read with plain numbers all the same.
  const sum = { sql: "SELECT 2 + 1", args: [] };
  expect((await db.$client.execute(sum as never)).rows[0]?.[0]).toBe(3);
  expect((await executeQuery(db, sum)).rows[0]).toEqual([3]);
});

test("two databases opened at once each run on their own client's connection", async () => {
  const files = [join(dir, "a.db"), join(dir, "b.db")];
  const [a, b] = await Promise.all(files.map((each) => openDatabase({ file: each })));
  opened.push(a!.close, b!.close);
  expect([directConnectionOf(a!.db), directConnectionOf(b!.db)]).toEqual([expect.anything(), expect.anything()]);
  await insertTasks(a!.db, { tasks: [row(), row()], files: [], dependencies: [] });
  await insertTasks(b!.db, { tasks: [row()], files: [], dependencies: [] });
  // Counted through each client itself, not through the direct path.
  const count = async (db: Database) => Number((await db.$client.execute("SELECT count(*) FROM tasks")).rows[0]?.[0]);
  expect([await count(a!.db), await count(b!.db)]).toEqual([2, 1]);
});
