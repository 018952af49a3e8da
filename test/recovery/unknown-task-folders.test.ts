import { randomUUID } from "node:crypto";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createClient } from "@libsql/client";
import { describe, expect, it, onTestFinished } from "vitest";
import { signalGroup } from "../../src/runner/process-group.ts";
import { isProcessAlive } from "../../src/server/instance.ts";
import { registerScript, submitOk, waitFinished, waitRunning } from "../support/api.ts";
import { runCubqueue } from "../support/cli.ts";
import { daemonBaseDir, readTaskLog, startDaemon } from "../support/daemon-server.ts";

const SHORT = "#!/bin/sh\necho done\n";
const LONG = "#!/bin/sh\necho begin\nsleep 30\n";

/** Removes the embedded database with its WAL files, as a lost or deleted cubqueue.db. */
async function removeDatabase(baseDir: string) {
  await Promise.all(["", "-wal", "-shm"].map((suffix) => rm(join(baseDir, `cubqueue.db${suffix}`), { force: true })));
}

/** What makes the database know nothing of the tasks in tasks/; each returns the env the restart runs with. */
const forgetfulDatabases: Array<[string, (baseDir: string) => Promise<Record<string, string>>]> = [
  ["cubqueue.db deleted", async (baseDir) => (await removeDatabase(baseDir), {})],
  [
    "cubqueue.db emptied to 0 bytes",
    async (baseDir) => {
      await removeDatabase(baseDir);
      await writeFile(join(baseDir, "cubqueue.db"), "");
      return {};
    },
  ],
  [
    "cubqueue.db replaced by another database",
    async (baseDir) => {
      await removeDatabase(baseDir);
      const other = createClient({ url: `file:${join(baseDir, "cubqueue.db")}` });
      await other.execute("CREATE TABLE notes (text TEXT)");
      other.close();
      return {};
    },
  ],
  [
    "CUBQUEUE_DATABASE_URL pointing at another libSQL database",
    async (baseDir) => ({ CUBQUEUE_DATABASE_URL: `file:${join(baseDir, "elsewhere.db")}` }),
  ],
];

describe("task folders the database has no record of", { timeout: 60_000 }, () => {
  it.each(forgetfulDatabases)("%s: every task folder survives the start, a running task included, with one warning", async (_, forget) => {
    const baseDir = await daemonBaseDir();
    let server = await startDaemon(baseDir);
    await registerScript(server, "short", "short.sh", SHORT);
    await registerScript(server, "long", "long.sh", LONG);
    const finished = (await submitOk(server, "short", { args: {} })).task_id;
    await waitFinished(server, finished);
    const running = (await submitOk(server, "long", { args: {} })).task_id;
    const pid = (await waitRunning(server, running)).pid;
    onTestFinished(() => signalGroup(pid, "SIGKILL"));
    const stopped = await runCubqueue(["stop", "--base-dir", baseDir]);
    expect(stopped, stopped.stderr).toMatchObject({ code: 0 });
    const before = await readdir(join(baseDir, "tasks", finished));

    const env = await forget(baseDir);
    server = await startDaemon(baseDir, [], env);

    expect((await readdir(join(baseDir, "tasks"))).sort()).toEqual([finished, running].sort());
    expect((await readdir(join(baseDir, "tasks", finished))).sort()).toEqual(before.sort());
    expect(await readTaskLog(baseDir, finished)).toBe("done\n");
    expect(isProcessAlive(pid)).toBe(true);
    const warnings = (await readFile(join(baseDir, "cubqueue.log"), "utf8")).split("\n").filter((line) => line.includes("no record of"));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("holds 2 folders this database has no record of");
    expect(warnings[0]).toContain("CUBQUEUE_DATABASE_URL");
    expect(warnings[0]).toContain("left untouched");
    // The server works on as usual beside them.
    await registerScript(server, "short", "short.sh", SHORT);
    expect(await waitFinished(server, (await submitOk(server, "short", { args: {} })).task_id)).toMatchObject({ status: "succeeded" });
  });

  it("a folder still marked pending with no row (a crash mid-submit) is removed at start; unmarked and listed ones are kept", async () => {
    const baseDir = await daemonBaseDir();
    let server = await startDaemon(baseDir);
    await registerScript(server, "short", "short.sh", SHORT);
    const kept = (await submitOk(server, "short", { args: {} })).task_id;
    await waitFinished(server, kept);
    // A submitted task carries no pending marker once its row exists.
    expect(await readdir(join(baseDir, "tasks", kept))).not.toContain("cubqueue.pending");
    await runCubqueue(["stop", "--base-dir", baseDir]);

    const cutShort = join(baseDir, "tasks", randomUUID());
    await mkdir(join(cutShort, "files"), { recursive: true });
    await writeFile(join(cutShort, "files", "half.bin"), "x".repeat(1000));
    await mkdir(join(cutShort, "cubqueue.pending"));
    // As an older CubQueue marked it: an empty file.
    const cutShortEarlier = join(baseDir, "tasks", randomUUID());
    await mkdir(join(cutShortEarlier, "files"), { recursive: true });
    await writeFile(join(cutShortEarlier, "cubqueue.pending"), "");
    const unknown = randomUUID();
    await mkdir(join(baseDir, "tasks", unknown, "output"), { recursive: true });
    await writeFile(join(baseDir, "tasks", unknown, "output", "result.txt"), "precious");

    server = await startDaemon(baseDir);
    expect((await readdir(join(baseDir, "tasks"))).sort()).toEqual([kept, unknown].sort());
    expect(await readFile(join(baseDir, "tasks", unknown, "output", "result.txt"), "utf8")).toBe("precious");
    expect(await readTaskLog(baseDir, kept)).toBe("done\n");
    expect(await readFile(join(baseDir, "cubqueue.log"), "utf8")).toContain("holds 1 folder this database has no record of");
    expect((await (await server.request(`/api/task/${kept}`)).json()).status).toBe("succeeded");
  });
});
