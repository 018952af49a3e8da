import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { isProcessAlive } from "../../src/server/instance.ts";
import { closedPort, runCubqueue } from "../support/cli.ts";
import { makeTempDir } from "../support/temp-dir.ts";
import { listDir } from "../support/test-server.ts";

async function tempBaseDir() {
  const dir = await makeTempDir();
  onTestFinished(async () => {
    // Never leave a daemon behind, whatever the test did.
    await runCubqueue(["stop", "--cancel-running", "--base-dir", dir.path]);
    await dir.remove();
  });
  return dir.path;
}

describe("cubqueue start --daemon / stop", () => {
  it("detaches, records pid and URL, answers, refuses a second server, and stops gracefully", async () => {
    const baseDir = await tempBaseDir();
    const port = await closedPort();
    const started = await runCubqueue(["start", "--base-dir", baseDir, "--host", "127.0.0.1", "--port", String(port), "--daemon"]);
    expect(started, started.stderr).toMatchObject({ code: 0 });
    expect(started.stdout).toContain(`at http://127.0.0.1:${port}`);
    // The pid file holds the pid and the process's start time.
    const [pidText, startToken] = (await readFile(join(baseDir, "cubqueue.pid"), "utf8")).trim().split(" ");
    const pid = Number(pidText);
    expect(isProcessAlive(pid)).toBe(true);
    expect(startToken).toMatch(/^\d+$/);
    expect((await readFile(join(baseDir, "cubqueue.url"), "utf8")).trim()).toBe(`http://127.0.0.1:${port}`);
    expect((await listDir(baseDir)).sort()).toEqual(
      expect.arrayContaining(["cubqueue.db", "cubqueue.log", "cubqueue.pid", "cubqueue.url", "scripts", "tasks"]),
    );

    // The CLI finds the server through the base dir.
    const namespace = await runCubqueue(["namespace", "--base-dir", baseDir]);
    expect(namespace, namespace.stderr).toMatchObject({ code: 0 });

    // Its log has the time on each line, and a line for each change of a task's state.
    const work = await makeTempDir();
    onTestFinished(() => work.remove());
    await writeFile(join(work.path, "ok.sh"), "true\n");
    await writeFile(join(work.path, "args.json"), "{}");
    expect((await runCubqueue(["register", "--base-dir", baseDir, "--script", join(work.path, "ok.sh"), "--name", "ok"])).code).toBe(0);
    const taskId = (await runCubqueue(["submit", "--base-dir", baseDir, "--script", "ok", "--arg-file", join(work.path, "args.json"), "--quiet"])).stdout.trim();
    expect((await runCubqueue(["wait", taskId, "--base-dir", baseDir, "--quiet"])).code).toBe(0);
    const serverLog = (await readFile(join(baseDir, "cubqueue.log"), "utf8")).trim().split("\n");
    expect(serverLog.every((line) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z? /.test(line)), serverLog.join("\n")).toBe(true);
    for (const change of ["submitted (queued)", "queued → running", "running → succeeded"]) {
      expect(serverLog.some((line) => line.endsWith(`task ${taskId} (attempt ${change === "submitted (queued)" ? 0 : 1}): ${change}`)), change).toBe(true);
    }

    const second = await runCubqueue(["start", "--base-dir", baseDir, "--port", String(await closedPort()), "--daemon"]);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`A CubQueue server (pid ${pid}, http://127.0.0.1:${port}) already uses ${baseDir}`);

    const stopped = await runCubqueue(["stop", "--base-dir", baseDir]);
    expect(stopped, stopped.stderr).toMatchObject({ code: 0, stdout: `Stopped the CubQueue server (pid ${pid}) of ${baseDir}; running tasks keep running until the next start.\n` });
    expect(isProcessAlive(pid)).toBe(false);
    expect(await listDir(baseDir)).not.toContain("cubqueue.pid");
    expect(await listDir(baseDir)).not.toContain("cubqueue.url");
  });

  it("reports the server's own error when it cannot start (port in use)", async () => {
    const baseDir = await tempBaseDir();
    const { createServer } = await import("node:net");
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const started = await runCubqueue(["start", "--base-dir", baseDir, "--port", String(port), "--daemon"]);
      expect(started.code).toBe(1);
      expect(started.stderr).toBe(`cubqueue: Port ${port} on 127.0.0.1 is already in use; choose another with --port.\n`);
      expect(await listDir(baseDir)).not.toContain("cubqueue.pid");
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it("stop handles a stale pid file, and says when nothing is recorded", async () => {
    const baseDir = await tempBaseDir();
    const nothing = await runCubqueue(["stop", "--base-dir", baseDir]);
    expect(nothing.code).toBe(1);
    expect(nothing.stderr).toContain("No CubQueue server is recorded in");

    // A pid that cannot be alive: larger than any pid_max.
    await writeFile(join(baseDir, "cubqueue.pid"), "99999999\n");
    await writeFile(join(baseDir, "cubqueue.url"), "http://127.0.0.1:1\n");
    const stale = await runCubqueue(["stop", "--base-dir", baseDir]);
    expect(stale, stale.stderr).toMatchObject({ code: 0 });
    expect(stale.stdout).toContain("was not running; removed its stale pid file");
    expect(await listDir(baseDir)).toEqual([]);
  });

  it("a server takes over a base dir whose pid file is stale, even when its pid was reused by another process", async () => {
    // A pid that cannot be alive; then a live pid (this test's own) with another start time.
    for (const recorded of ["99999999\n", `${process.pid} 1\n`]) {
      const baseDir = await tempBaseDir();
      await writeFile(join(baseDir, "cubqueue.pid"), recorded);
      const started = await runCubqueue(["start", "--base-dir", baseDir, "--port", String(await closedPort()), "--daemon"]);
      expect(started, started.stderr).toMatchObject({ code: 0 });
      expect((await runCubqueue(["stop", "--base-dir", baseDir])).code).toBe(0);
      expect(isProcessAlive(process.pid)).toBe(true);
    }
  });
});
