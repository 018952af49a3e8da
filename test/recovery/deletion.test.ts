import { access, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createClient } from "@libsql/client";
import { describe, expect, it } from "vitest";
import { registerScript, submitOk, waitFinished, waitUntil } from "../support/api.ts";
import { runCubqueue } from "../support/cli.ts";
import { daemonBaseDir, startDaemon } from "../support/daemon-server.ts";

const exists = (path: string) => access(path).then(() => true, () => false);

/** Runs SQL against the base dir's database while no server is running. */
async function editDatabase(baseDir: string, statements: Array<{ sql: string; args: Array<string | number> }>) {
  const db = createClient({ url: `file:${join(baseDir, "cubqueue.db")}` });
  try {
    for (const statement of statements) await db.execute(statement);
  } finally {
    db.close();
  }
}

describe("deleting across a stop or a crash", { timeout: 60_000 }, () => {
  it("a delete cut short after its rows went (a marked folder, no row) is finished by the next start", async () => {
    const baseDir = await daemonBaseDir();
    let server = await startDaemon(baseDir);
    await registerScript(server, "ok", "ok.sh", "#!/bin/sh\necho kept > output/result.txt\n");
    const cut = (await submitOk(server, "ok", { args: {} })).task_id;
    const kept = (await submitOk(server, "ok", { args: {} })).task_id;
    await waitFinished(server, cut);
    await waitFinished(server, kept);
    expect((await runCubqueue(["stop", "--base-dir", baseDir])).code).toBe(0);
    // As a crash between the two steps of a delete leaves it.
    await writeFile(join(baseDir, "tasks", cut, "cubqueue.pending"), "");
    await editDatabase(baseDir, ["task_attempts", "task_files", "tasks"].map((table) => ({ sql: `DELETE FROM ${table} WHERE ${table === "tasks" ? "id" : "task_id"} = ?`, args: [cut] })));

    server = await startDaemon(baseDir);
    expect(await exists(join(baseDir, "tasks", cut))).toBe(false);
    expect(await exists(join(baseDir, "tasks", kept, "output", "result.txt"))).toBe(true);
  });

  it("start --keep-finished deletes the finished tasks older than that, at start and after", async () => {
    const baseDir = await daemonBaseDir();
    let server = await startDaemon(baseDir);
    await registerScript(server, "ok", "ok.sh", "#!/bin/sh\ntrue\n");
    const old = (await submitOk(server, "ok", { args: {} })).task_id;
    const recent = (await submitOk(server, "ok", { args: {} })).task_id;
    await waitFinished(server, old);
    await waitFinished(server, recent);
    expect((await runCubqueue(["stop", "--base-dir", baseDir])).code).toBe(0);
    const twoDaysAgo = Date.now() - 2 * 86_400_000;
    await editDatabase(baseDir, [{ sql: "UPDATE tasks SET finished_at = ? WHERE id = ?", args: [twoDaysAgo, old] }]);

    server = await startDaemon(baseDir, ["--keep-finished", "1d"]);
    await waitUntil(async () => (await server.request(`/api/task/${old}`)).status === 404);
    expect(await exists(join(baseDir, "tasks", old))).toBe(false);
    expect((await server.request(`/api/task/${recent}`)).status).toBe(200);
  });

  it("start refuses a --keep-finished that is not a duration, in one line", async () => {
    const baseDir = await daemonBaseDir();
    const result = await runCubqueue(["start", "--base-dir", baseDir, "--port", "0", "--keep-finished", "forever"]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toMatch(/^cubqueue: Invalid --keep-finished "forever": give a duration such as 90, 30s/);
  });
});
