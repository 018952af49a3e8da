import { execFileSync } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { chooseProcessStarter } from "../../src/runner/choose-process-starter.ts";
import { startDirectly, type ProcessStarter, type StartRequest } from "../../src/runner/process-starter.ts";
import { startTaskLauncher } from "../../src/runner/task-launcher.ts";
import { waitUntil } from "../support/api.ts";
import { makeTempDir } from "../support/temp-dir.ts";

/** A folder to run in, removed after the test. */
async function folder(): Promise<string> {
  const dir = await makeTempDir();
  onTestFinished(() => dir.remove());
  return dir.path;
}

/** Starts a shell script the way the local executor starts its wrapper. */
async function startShell(starter: ProcessStarter, script: string, extra: Partial<StartRequest> = {}) {
  const cwd = await folder();
  const request = { program: "/bin/sh", args: ["-c", script, "task"], cwd, env: { PATH: "/usr/bin:/bin", GREETING: "hello" }, logFile: join(cwd, "log"), ...extra };
  const started = await starter.start(request);
  onTestFinished(() => {
    try {
      process.kill(-started.pid, "SIGKILL");
    } catch {
      // already gone
    }
  });
  return { started, log: () => readFile(request.logFile, "utf8"), cwd };
}

/** A field of /proc/<pid>/status, e.g. SigIgn. */
async function statusField(pid: number, field: string): Promise<string> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  return new RegExp(`^${field}:\\s*(.*)$`, "m").exec(status)![1]!;
}

/** The session a process is in (the sixth field of /proc/<pid>/stat, after the command). */
async function sessionOf(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8");
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[3]);
}

async function launcher(): Promise<ProcessStarter> {
  const starter = await startTaskLauncher("/usr/bin/python3");
  onTestFinished(() => starter.close());
  return starter;
}

describe("the task launcher", { timeout: 20_000 }, () => {
  it("starts a process held at its gate, in its own session and folder, with only the given environment, writing to its new log", async () => {
    const starter = await launcher();
    const { started, log, cwd } = await startShell(starter, 'read gate; echo "$gate $GREETING $(pwd) ${HOME-unset}"; echo oops >&2; exit 3');
    expect(await sessionOf(started.pid)).toBe(started.pid);
    // Every signal at its default in the task, though the launcher ignores some; all but glibc's
    // two internal ones (32 and 33), which its posix_spawn leaves ignored and glibc programs take back at start.
    const GLIBC_INTERNAL = (1n << 31n) | (1n << 32n);
    expect(BigInt(`0x${await statusField(started.pid, "SigIgn")}`) & ~GLIBC_INTERNAL).toBe(0n);
    expect(await statusField(started.pid, "SigBlk")).toBe("0000000000000000");
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await log()).toBe("");
    started.release();
    expect(await started.exited).toEqual({ exitCode: 3, signal: null });
    expect(await log()).toBe(`go hello ${cwd} unset\noops\n`);
  });

  it("an abandoned gate ends the input: the process reads nothing", async () => {
    const { started, log } = await startShell(await launcher(), 'if read gate; then echo ran; else echo "not started"; fi');
    started.abandon();
    expect(await started.exited).toEqual({ exitCode: 0, signal: null });
    expect(await log()).toBe("not started\n");
  });

  it("reports a process killed by a signal with the signal's name", async () => {
    const { started } = await startShell(await launcher(), "read gate; kill -USR1 $$");
    started.release();
    expect(await started.exited).toEqual({ exitCode: null, signal: "SIGUSR1" });
  });

  it("refuses, as the server's own start does, a log that exists (a FIFO, a symlink) and a folder that does not", async () => {
    for (const starter of [await launcher(), startDirectly]) {
      const cwd = await folder();
      execFileSync("mkfifo", [join(cwd, "fifo")]);
      await writeFile(join(cwd, "target"), "kept\n");
      execFileSync("ln", ["-s", join(cwd, "target"), join(cwd, "link")]);
      const request = { program: "/bin/sh", args: ["-c", "echo written"], cwd, env: {} };
      await expect(starter.start({ ...request, logFile: join(cwd, "fifo") })).rejects.toMatchObject({ code: "EEXIST" });
      await expect(starter.start({ ...request, logFile: join(cwd, "link") })).rejects.toMatchObject({ code: "EEXIST" });
      await expect(starter.start({ ...request, cwd: join(cwd, "missing"), logFile: join(cwd, "log") })).rejects.toMatchObject({ code: "ENOENT" });
      expect(await readFile(join(cwd, "target"), "utf8")).toBe("kept\n");
    }
  });

  it("many at once: each start is answered with its own process", async () => {
    const starter = await launcher();
    const runs = await Promise.all(Array.from({ length: 40 }, (_, n) => startShell(starter, `read gate; echo ${n}; exit ${n % 7}`)));
    for (const { started } of runs) started.release();
    const exits = await Promise.all(runs.map(({ started }) => started.exited));
    expect(exits).toEqual(runs.map((_, n) => ({ exitCode: n % 7, signal: null })));
    expect(await Promise.all(runs.map(({ log }) => log()))).toEqual(runs.map((_, n) => `${n}\n`));
  });

  it("a launcher killed from outside leaves its running tasks running, reported unwatched; unreleased ones never run; the next start gets a new launcher", async () => {
    const starter = await launcher();
    const running = await startShell(starter, "read gate; echo running; sleep 30");
    const held = await startShell(starter, 'if read gate; then echo ran; else echo "not started"; fi');
    running.started.release();
    await waitUntil(async () => (await running.log()) === "running\n");
    const launcherPid = Number(execFileSync("ps", ["-o", "ppid=", "-p", String(running.started.pid)]).toString().trim());
    process.kill(launcherPid, "SIGKILL");
    expect(await running.started.exited).toBe("unwatched");
    expect(await held.started.exited).toBe("unwatched");
    process.kill(running.started.pid, 0);
    await waitUntil(async () => (await held.log()) === "not started\n");
    const next = await startShell(starter, "read gate; exit 4");
    next.started.release();
    expect(await next.started.exited).toEqual({ exitCode: 4, signal: null });
  });

  it("its tasks outlive a closed launcher; one held at its gate never runs", async () => {
    const starter = await startTaskLauncher("/usr/bin/python3");
    const running = await startShell(starter, "read gate; sleep 30");
    const held = await startShell(starter, 'if read gate; then echo ran; else echo "not started"; fi');
    running.started.release();
    starter.close();
    await waitUntil(async () => (await held.log()) === "not started\n");
    process.kill(running.started.pid, 0);
  });
});

describe("choosing what starts tasks", () => {
  const quiet = { warn: () => {}, info: () => {} };
  it("the launcher where python3 runs it; the server with --launcher off or without python3", async () => {
    const chosen = await chooseProcessStarter("auto", { path: "/usr/bin", ...quiet });
    onTestFinished(() => chosen.close());
    expect(chosen.kind).toBe("launcher");
    expect((await chooseProcessStarter("off", { path: "/usr/bin", ...quiet })).kind).toBe("server");
    expect((await chooseProcessStarter("auto", { path: await folder(), ...quiet })).kind).toBe("server");
  });

  it("a python3 that cannot run the launcher: the server starts tasks, and says why", async () => {
    const bin = await folder();
    await writeFile(join(bin, "python3"), "#!/bin/sh\necho 'Python 2.7' >&2\nexit 1\n", { mode: 0o755 });
    const warnings: string[] = [];
    const chosen = await chooseProcessStarter("auto", { path: bin, warn: (message) => warnings.push(message), info: () => {} });
    expect(chosen.kind).toBe("server");
    expect(warnings).toEqual([expect.stringMatching(/^The task launcher could not start \(.*python3 exited before the task launcher was ready \(exit 1\)\); tasks are started by the server itself/)]);
  });
});
