import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { registerScript, submitOk, waitFinished, waitUntil } from "../support/api.ts";
import { runCubqueue } from "../support/cli.ts";
import { daemonBaseDir, readTaskLog, startDaemon, taskPid } from "../support/daemon-server.ts";

/** The parent pid of a process, from /proc/<pid>/stat. */
async function parentOf(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8");
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
}

const commandLine = async (pid: number) => (await readFile(`/proc/${pid}/cmdline`, "utf8")).split("\0").join(" ").trim();

/** A script that says it runs, then waits for the test to make a file named gate in its folder. */
const GATED = "#!/bin/sh\necho running\nwhile [ ! -e gate ]; do sleep 0.05; done\nexit 7\n";
const openGate = (baseDir: string, taskId: string) => writeFile(join(baseDir, "tasks", taskId, "gate"), "");

describe("what starts a server's tasks (--launcher)", { timeout: 60_000 }, () => {
  it("refuses a setting it does not know, from the flag or from CUBQUEUE_LAUNCHER, in one line", async () => {
    const dir = await daemonBaseDir();
    const flag = await runCubqueue(["start", "--base-dir", dir, "--port", "0", "--launcher", "sometimes"]);
    expect({ code: flag.code, stderr: flag.stderr.trim() }).toEqual({ code: 2, stderr: 'cubqueue: Invalid --launcher "sometimes": use one of auto, off.' });
    const variable = await runCubqueue(["start", "--base-dir", dir, "--port", "0"], { CUBQUEUE_LAUNCHER: "python" });
    expect({ code: variable.code, stderr: variable.stderr.trim() }).toEqual({ code: 2, stderr: 'cubqueue: Invalid CUBQUEUE_LAUNCHER "python": use one of auto, off.' });
  });

  it("by default the task launcher starts them; with --launcher off, the server itself; the log says which", async () => {
    for (const [args, starter] of [
      [[], "launcher"],
      [["--launcher", "off"], "server"],
    ] as const) {
      const baseDir = await daemonBaseDir();
      const server = await startDaemon(baseDir, [...args]);
      await registerScript(server, "gated", "gated.sh", GATED);
      const { task_id } = await submitOk(server, "gated", { args: {} });
      await waitUntil(async () => (await readTaskLog(baseDir, task_id).catch(() => "")) === "running\n");
      const parent = await parentOf(await taskPid(server, task_id));
      if (starter === "server") expect(parent).toBe(server.pid);
      else {
        expect(await commandLine(parent)).toMatch(/python[0-9.]* .*task-launcher\.py$/);
        expect(await parentOf(parent)).toBe(server.pid);
      }
      await openGate(baseDir, task_id);
      expect(await waitFinished(server, task_id)).toMatchObject({ status: "failed", exit_code: 7 });
      const log = await readFile(join(baseDir, "cubqueue.log"), "utf8");
      expect(log).toContain(starter === "server" ? "tasks are started by the server itself (--launcher off)" : "tasks are started by the task launcher (");
    }
  });

  it("a launcher killed from outside: its running task is seen to its end, failed as its outcome is unknown, and the next task gets a new launcher", async () => {
    const baseDir = await daemonBaseDir();
    const server = await startDaemon(baseDir);
    await registerScript(server, "gated", "gated.sh", GATED);
    const { task_id } = await submitOk(server, "gated", { args: {} });
    await waitUntil(async () => (await readTaskLog(baseDir, task_id).catch(() => "")) === "running\n");
    const launcher = await parentOf(await taskPid(server, task_id));
    process.kill(launcher, "SIGKILL");
    await openGate(baseDir, task_id);
    expect(await waitFinished(server, task_id)).toMatchObject({
      status: "failed",
      exit_code: null,
      error: expect.stringMatching(/^the task launcher that started its process \(pid \d+\) ended before it, so its exit status is unknown$/),
    });
    const next = await submitOk(server, "gated", { args: {} });
    await waitUntil(async () => (await readTaskLog(baseDir, next.task_id).catch(() => "")) === "running\n");
    const nextLauncher = await parentOf(await taskPid(server, next.task_id));
    expect(nextLauncher).not.toBe(launcher);
    expect(await commandLine(nextLauncher)).toMatch(/task-launcher\.py$/);
    await openGate(baseDir, next.task_id);
    expect(await waitFinished(server, next.task_id)).toMatchObject({ status: "failed", exit_code: 7 });
  });
});
