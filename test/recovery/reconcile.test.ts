import { spawn, spawnSync } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createClient } from "@libsql/client";
import { describe, expect, it, onTestFinished } from "vitest";
import { signalGroup } from "../../src/runner/process-group.ts";
import { processStartToken } from "../../src/runner/process-identity.ts";
import { isProcessAlive } from "../../src/server/instance.ts";
import { registerFixture, registerScript, submitOk, waitFinished, waitRunning, waitUntil } from "../support/api.ts";
import { runCubqueue } from "../support/cli.ts";
import { daemonBaseDir, readTaskLog, startDaemon, type DaemonServer } from "../support/daemon-server.ts";

const LONG = "#!/bin/sh\necho begin\nsleep 30\necho end\n";
const SHORT = "#!/bin/sh\necho begin\nsleep 1.5\necho end\n";

async function crash(server: DaemonServer) {
  process.kill(server.pid, "SIGKILL");
  await waitUntil(() => !isProcessAlive(server.pid));
}

/** Runs SQL against the base dir's database while no server is running. */
async function editDatabase(baseDir: string, statements: Array<{ sql: string; args: Array<string | number | null> }>) {
  const db = createClient({ url: `file:${join(baseDir, "cubqueue.db")}` });
  try {
    for (const statement of statements) await db.execute(statement);
  } finally {
    db.close();
  }
}

/** Kills the task launcher that started a task's process, if one did (it outlived the server). */
async function killLauncherOf(pid: number) {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8");
  const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  if ((await readFile(`/proc/${parent}/cmdline`, "utf8").catch(() => "")).includes("task-launcher.py")) process.kill(parent, "SIGKILL");
}

/** Kills a task's whole process group when the test ends, whatever happened. */
function killGroupAfterTest(pid: number) {
  onTestFinished(() => signalGroup(pid, "SIGKILL"));
}

describe("reconciling tasks at start", { timeout: 60_000 }, () => {
  it("a task still running is watched again to its end; one that ended meanwhile gets its recorded status", async () => {
    const baseDir = await daemonBaseDir();
    let server = await startDaemon(baseDir, ["--concurrency", "4"]);
    // Each runs until the test lets it end, however slow the machine is.
    const gated = (code: number) => `#!/bin/sh\necho begin\nwhile [ ! -e "$CUBQUEUE_TASK_DIR/go-on" ]; do sleep 0.05; done\necho end\nexit ${code}\n`;
    await registerScript(server, "short", "short.sh", gated(0));
    await registerScript(server, "waiting", "waiting.sh", gated(7));
    const short = (await submitOk(server, "short", { args: {} })).task_id;
    const long = (await submitOk(server, "waiting", { args: {} })).task_id;
    killGroupAfterTest((await waitRunning(server, short)).pid);
    const longPid = (await waitRunning(server, long)).pid;
    killGroupAfterTest(longPid);
    await crash(server);
    // The short task ends only now, while no server runs: its outcome can come only from its exit record.
    const exitRecord = () => readFile(join(baseDir, "tasks", short, "cubqueue.exit"), "utf8").catch(() => "");
    // "running", or, from the task launcher, "running <pid>".
    expect((await exitRecord()).trim()).toMatch(/^running( \d+)?$/);
    await writeFile(join(baseDir, "tasks", short, "go-on"), "");
    await waitUntil(async () => (await exitRecord()).trim() === "exit 0", 10_000);
    expect(isProcessAlive(longPid)).toBe(true);

    server = await startDaemon(baseDir, ["--concurrency", "4"]);
    expect(await waitFinished(server, short)).toMatchObject({ status: "succeeded", exit_code: 0, error: null });
    expect((await (await server.request(`/api/task/${long}`)).json()).status).toBe("running");
    await writeFile(join(baseDir, "tasks", long, "go-on"), "");
    expect(await waitFinished(server, long)).toMatchObject({ status: "failed", exit_code: 7, error: "the script exited with code 7" });
    expect(await readTaskLog(baseDir, long)).toBe("begin\nend\n");
  });

  it("a task whose process vanished while the server was down fails saying so, and a recycled pid is not taken for it", async () => {
    const baseDir = await daemonBaseDir();
    let server = await startDaemon(baseDir, ["--concurrency", "4"]);
    await registerScript(server, "long", "long.sh", LONG);
    const vanished = (await submitOk(server, "long", { args: {} })).task_id;
    const impostor = (await submitOk(server, "long", { args: {} })).task_id;
    const vanishedPid = (await waitRunning(server, vanished)).pid;
    const impostorPid = (await waitRunning(server, impostor)).pid;
    killGroupAfterTest(vanishedPid);
    killGroupAfterTest(impostorPid);
    await crash(server);

    // One task's processes are killed outright, with what would record their exit status (its task
    // launcher, or its wrapper, which leads its group). The other's
    // recorded pid is given to some other process, as if the system had handed it on: one
    // that leads its own process group, which must not be mistaken for the task's.
    await killLauncherOf(vanishedPid);
    signalGroup(vanishedPid, "SIGKILL");
    const stranger = spawn("sleep", ["60"], { detached: true, stdio: "ignore" });
    onTestFinished(() => void stranger.kill("SIGKILL"));
    await editDatabase(baseDir, [
      { sql: "UPDATE task_attempts SET handle = ? WHERE task_id = ?", args: [JSON.stringify({ pid: stranger.pid!, startToken: "elsewhere" }), impostor] },
    ]);

    server = await startDaemon(baseDir, ["--concurrency", "4"]);
    for (const id of [vanished, impostor]) {
      const task = await waitFinished(server, id);
      expect(task.status).toBe("failed");
      expect(task.error).toMatch(/ended while no server was watching and left no exit status/);
    }
    // The process that is not the task's own was left alone.
    expect(await processStartToken(stranger.pid!)).toBeDefined();
  });

  it("a task the launcher started just before a crash, its pid not yet in the database, is found by its exit record and runs once", async () => {
    const baseDir = await daemonBaseDir();
    let server = await startDaemon(baseDir);
    await registerScript(server, "gated", "gated.sh", "#!/bin/sh\necho begin\nwhile [ ! -e go-on ]; do sleep 0.05; done\necho end\nexit 5\n");
    const task = (await submitOk(server, "gated", { args: {} })).task_id;
    const pid = (await waitRunning(server, task)).pid;
    killGroupAfterTest(pid);
    await crash(server);
    const exitFile = join(baseDir, "tasks", task, "cubqueue.exit");
    expect((await readFile(exitFile, "utf8")).trim()).toBe(`running ${pid}`);
    // As after a crash between the launcher's start of the script and the server's record of it.
    await editDatabase(baseDir, [{ sql: "UPDATE task_attempts SET handle = NULL WHERE task_id = ?", args: [task] }]);

    server = await startDaemon(baseDir);
    expect(await (await server.request(`/api/task/${task}`)).json()).toMatchObject({ status: "running", pid });
    await writeFile(join(baseDir, "tasks", task, "go-on"), "");
    expect(await waitFinished(server, task)).toMatchObject({ status: "failed", exit_code: 5, attempts: 1 });
    expect(await readTaskLog(baseDir, task)).toBe("begin\nend\n");
  });

  it("a task whose launcher ended while starting it (its record says starting) fails, and is not run again", async () => {
    const baseDir = await daemonBaseDir();
    let server = await startDaemon(baseDir);
    await registerScript(server, "long", "long.sh", LONG);
    const task = (await submitOk(server, "long", { args: {} })).task_id;
    const pid = (await waitRunning(server, task)).pid;
    killGroupAfterTest(pid);
    await crash(server);
    // As if the launcher had been killed between writing "starting" and the script's start.
    await killLauncherOf(pid);
    signalGroup(pid, "SIGKILL");
    await writeFile(join(baseDir, "tasks", task, "cubqueue.exit"), "starting       \n");
    await editDatabase(baseDir, [{ sql: "UPDATE task_attempts SET handle = NULL WHERE task_id = ?", args: [task] }]);

    server = await startDaemon(baseDir);
    const ended = await waitFinished(server, task);
    expect(ended).toMatchObject({ status: "failed", attempts: 1 });
    expect(ended.error).toMatch(/left no exit status; its outcome is unknown/);
    expect(await readTaskLog(baseDir, task)).toBe("begin\n");
  });

  it("a task claimed but never let run goes back to the queue and runs once", async () => {
    const baseDir = await daemonBaseDir();
    let server = await startDaemon(baseDir, ["--concurrency", "1"]);
    await registerScript(server, "long", "long.sh", LONG);
    await registerFixture(server, "echo_args.py", "echo");
    const blocker = (await submitOk(server, "long", { args: {} })).task_id;
    killGroupAfterTest((await waitRunning(server, blocker)).pid);
    const unrecorded = (await submitOk(server, "echo", { args: { which: "unrecorded" } })).task_id;
    const gateClosed = (await submitOk(server, "echo", { args: { which: "gate closed" } })).task_id;
    await crash(server);

    // As the database and task folder look after a crash just after the claim, and
    // after one between recording the process and letting its script run.
    const gone = spawnSync("true").pid!;
    await writeFile(join(baseDir, "tasks", gateClosed, "cubqueue.exit"), "not-started\n");
    const now = Date.now();
    await editDatabase(baseDir, [
      { sql: "UPDATE tasks SET status = 'running', attempt_count = 1 WHERE id IN (?, ?)", args: [unrecorded, gateClosed] },
      { sql: "INSERT INTO task_attempts (task_id, number, executor, started_at) VALUES (?, 1, 'local', ?)", args: [unrecorded, now] },
      { sql: "INSERT INTO task_attempts (task_id, number, executor, handle, started_at) VALUES (?, 1, 'local', ?, ?)", args: [gateClosed, JSON.stringify({ pid: gone, startToken: "1" }), now] },
    ]);

    server = await startDaemon(baseDir, ["--concurrency", "2"]);
    for (const [id, which] of [[unrecorded, "unrecorded"], [gateClosed, "gate closed"]] as const) {
      expect(await waitFinished(server, id)).toMatchObject({ status: "succeeded", exit_code: 0 });
      const log = await readTaskLog(baseDir, id);
      expect(log.match(/which/g), log).toHaveLength(1);
      expect(log).toContain(which);
    }
  });

  it("cubqueue stop leaves running tasks running and the next start adopts them; a cancel still reaches them", async () => {
    const baseDir = await daemonBaseDir();
    let server = await startDaemon(baseDir);
    await registerScript(server, "short", "short.sh", SHORT);
    await registerFixture(server, "sleeper.sh", "sleeper");
    const short = (await submitOk(server, "short", { args: {} })).task_id;
    const sleeper = (await submitOk(server, "sleeper", { args: {} })).task_id;
    await waitRunning(server, short);
    const sleeperPid = (await waitRunning(server, sleeper)).pid;
    killGroupAfterTest(sleeperPid);

    const stopped = await runCubqueue(["stop", "--base-dir", baseDir]);
    expect(stopped, stopped.stderr).toMatchObject({ code: 0 });
    expect(stopped.stdout).toContain("running tasks keep running until the next start");
    expect(isProcessAlive(sleeperPid)).toBe(true);

    server = await startDaemon(baseDir);
    expect(await waitFinished(server, short)).toMatchObject({ status: "succeeded" });
    expect(await readTaskLog(baseDir, short)).toBe("begin\nend\n");
    const cancel = await server.request(`/api/task/${sleeper}`, { method: "DELETE" });
    expect(cancel.status).toBe(200);
    expect(await waitFinished(server, sleeper)).toMatchObject({ status: "cancelled" });
    await waitUntil(() => !isProcessAlive(sleeperPid));
  });

  it("cubqueue stop --cancel-running cancels the running tasks before the server exits", async () => {
    const baseDir = await daemonBaseDir();
    let server = await startDaemon(baseDir);
    await registerFixture(server, "sleeper.sh", "sleeper");
    const sleeper = (await submitOk(server, "sleeper", { args: {} })).task_id;
    const pid = (await waitRunning(server, sleeper)).pid;
    killGroupAfterTest(pid);

    const stopped = await runCubqueue(["stop", "--cancel-running", "--base-dir", baseDir]);
    expect(stopped, stopped.stderr).toMatchObject({ code: 0 });
    expect(stopped.stdout).toContain("its running tasks were cancelled");
    expect(isProcessAlive(pid)).toBe(false);

    server = await startDaemon(baseDir);
    expect(await (await server.request(`/api/task/${sleeper}`)).json()).toMatchObject({ status: "cancelled", error: "cancelled on request" });
  });
});
