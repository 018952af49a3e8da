import { execFileSync } from "node:child_process";
import { lstat, open, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { chooseProcessStarter } from "../../src/runner/choose-process-starter.ts";
import { findContainment } from "../../src/runner/containment.ts";
import { startDirectly, type ProcessStarter, type StartRequest } from "../../src/runner/process-starter.ts";
import { isSameProcess, processStartToken } from "../../src/runner/process-identity.ts";
import { startTaskLauncher } from "../../src/runner/task-launcher.ts";
import { waitUntil } from "../support/api.ts";
import { makeTempDir } from "../support/temp-dir.ts";

/** A folder to run in, removed after the test. */
async function folder(): Promise<string> {
  const dir = await makeTempDir();
  onTestFinished(() => dir.remove());
  return dir.path;
}

/** Starts a shell script as the local executor starts a task: with its empty exit record, made beforehand for a starter that does not make it. */
async function startShell(starter: ProcessStarter, script: string, extra: Partial<StartRequest> = {}) {
  const cwd = await folder();
  const taskId = `t-${Math.random().toString(36).slice(2)}`;
  const request: StartRequest = {
    command: ["/bin/sh", "-c", script, "task"],
    cwd,
    env: { PATH: "/usr/bin:/bin", GREETING: "hello", CUBQUEUE_TASK_ID: taskId },
    logFile: join(cwd, "log"),
    exitFile: join(cwd, "cubqueue.exit"),
    taskId,
    cgroup: { dir: "", home: "" },
    ...extra,
  };
  if (!starter.prepares) await writeFile(request.exitFile, "", { mode: 0o600 });
  const started = await starter.start(request);
  onTestFinished(() => {
    try {
      process.kill(-started.pid, "SIGKILL");
    } catch {
      // already gone
    }
  });
  return { started, log: () => readFile(request.logFile, "utf8"), record: async () => (await readFile(request.exitFile, "utf8")).trim(), cwd, taskId };
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

/** A line the script writes with its own signal masks, read with shell builtins only. */
const SIGNALS = 'while read -r key value; do case $key in SigIgn:|SigBlk:) echo "$key $value";; esac; done < /proc/$$/status';

describe("the task launcher", { timeout: 20_000 }, () => {
  it("starts the script itself, at once, in its own session and folder, with only the given environment; its pid, then its outcome, in the exit record", async () => {
    const starter = await launcher();
    const { started, log, record, cwd } = await startShell(starter, `echo "$GREETING $(pwd) \${HOME-unset}"; ${SIGNALS}; echo oops >&2; while [ ! -e gate ]; do sleep 0.02; done; exit 3`);
    expect(await sessionOf(started.pid)).toBe(started.pid);
    // The script is the process: no shell of CubQueue's own in between.
    expect((await readFile(`/proc/${started.pid}/cmdline`, "utf8")).split("\0").slice(0, 3)).toEqual(["/bin/sh", "-c", expect.stringContaining("GREETING")]);
    expect(await record()).toBe(`running ${started.pid}`);
    started.release();
    await writeFile(join(cwd, "gate"), "");
    expect(await started.exited).toEqual({ outcome: { kind: "exited", exitCode: 3, signal: null }, leftoversEnded: true });
    const [greeting, blocked, ignored, oops] = (await log()).split("\n");
    expect([greeting, blocked, oops]).toEqual([`hello ${cwd} unset`, "SigBlk: 0000000000000000", "oops"]);
    // Every signal at its default, though the launcher ignores some; all but glibc's two internal
    // ones (32 and 33), which its posix_spawn leaves ignored and glibc programs take back at start.
    const GLIBC_INTERNAL = (1n << 31n) | (1n << 32n);
    expect(BigInt(`0x${ignored!.replace("SigIgn: ", "")}`) & ~GLIBC_INTERNAL).toBe(0n);
    expect(await record()).toBe("exit 3");
  });

  it("each script gets exactly its own environment, as the tasks before it on the same launcher change, drop and add variables", async () => {
    const starter = await launcher();
    const shared = { PATH: "/usr/bin:/bin", HOME: "/nowhere", LANG: "C", TZ: "UTC", USER: "someone", SHELL: "/bin/sh" };
    const base = { ...shared, CHANGED: "first", DROPPED: "soon" };
    const { DROPPED: _, ...withoutDropped } = base;
    const environments: Record<string, string>[] = [
      base,
      // One changed, one dropped, one added: sent as changes to the first.
      { ...withoutDropped, CHANGED: "second", ADDED: "new" },
      // Most of it different: sent whole, as the next base.
      { PATH: "/bin", ONLY: "this", EMPTY: "" },
      // Sent whole again, then changes to it: one dropped, one given a value with spaces and "=".
      { ...base, SPACE: "a b" },
      { ...withoutDropped, SPACE: "a = b" },
    ];
    for (const env of environments) {
      const { started, log } = await startShell(starter, "", { command: ["/usr/bin/env"], env });
      expect((await started.exited) !== "unwatched").toBe(true);
      expect((await log()).split("\n").filter(Boolean).sort()).toEqual(Object.entries(env).map(([name, value]) => `${name}=${value}`).sort());
    }
  });

  it("abandon ends the script at once", async () => {
    const { started, record } = await startShell(await launcher(), "sleep 30");
    started.abandon();
    expect(await started.exited).toEqual({ outcome: { kind: "exited", exitCode: null, signal: "SIGKILL" }, leftoversEnded: true });
    expect(await record()).toBe("exit 137");
  });

  it("a script killed by a signal: reported with the signal's name, recorded as a shell would (128 + its number)", async () => {
    const { started, record } = await startShell(await launcher(), "kill -USR1 $$");
    expect(await started.exited).toEqual({ outcome: { kind: "exited", exitCode: null, signal: "SIGUSR1" }, leftoversEnded: true });
    expect(await record()).toBe("exit 138");
  });

  it("a program that cannot be found, or cannot run, ends as a shell reports it (127, 126)", async () => {
    const missing = await startShell(await launcher(), "", { command: ["no-such-program", "x"] });
    expect(await missing.started.exited).toEqual({ outcome: { kind: "exited", exitCode: 127, signal: null }, leftoversEnded: true });
    expect(await missing.log()).toBe("cubqueue: no-such-program: not found\n");
    const dir = await folder();
    await writeFile(join(dir, "not-runnable"), "plain text\n", { mode: 0o644 });
    const refused = await startShell(await launcher(), "", { command: [join(dir, "not-runnable")] });
    expect(await refused.started.exited).toEqual({ outcome: { kind: "exited", exitCode: 126, signal: null }, leftoversEnded: true });
    expect(await refused.log()).toBe(`cubqueue: ${join(dir, "not-runnable")}: Permission denied\n`);
  });

  it("a script open for writing elsewhere a moment (a fork of the server holding its copy) runs once it is closed; held on, it ends as a shell reports it (126)", async () => {
    const dir = await folder();
    const script = join(dir, "busy.sh");
    await writeFile(script, '#!/bin/sh\necho "ran $1"\n', { mode: 0o755 });
    const starter = await launcher();
    // Open for writing in this process: exec refuses it (ETXTBSY) until it is closed.
    const writer = await open(script, "r+");
    setTimeout(() => void writer.close(), 20);
    const { started, log } = await startShell(starter, "", { command: [script, "once"] });
    expect(await started.exited).toEqual({ outcome: { kind: "exited", exitCode: 0, signal: null }, leftoversEnded: true });
    expect(await log()).toBe("ran once\n");

    const held = await open(script, "r+");
    onTestFinished(() => held.close());
    const refused = await startShell(await launcher(), "", { command: [script] });
    expect(await refused.started.exited).toEqual({ outcome: { kind: "exited", exitCode: 126, signal: null }, leftoversEnded: true });
    expect(await refused.log()).toBe(`cubqueue: ${script}: Text file busy\n`);
  });

  it("an executable file without a #! line is run by sh, as a shell runs one", async () => {
    const dir = await folder();
    await writeFile(join(dir, "plain"), 'echo "plain got $1"\n', { mode: 0o755 });
    const { started, log } = await startShell(await launcher(), "", { command: [join(dir, "plain"), "an arg"] });
    expect(await started.exited).toEqual({ outcome: { kind: "exited", exitCode: 0, signal: null }, leftoversEnded: true });
    expect(await log()).toBe("plain got an arg\n");
  });

  it("ends what the script left running, even what left its group, before it says the script ended", async () => {
    const { started, log } = await startShell(await launcher(), "setsid sleep 60 & echo $!; sleep 0.2");
    await waitUntil(async () => /^\d+\n$/.test(await log()));
    const escaped = Number((await log()).trim());
    const token = await processStartToken(escaped);
    expect(token).toBeDefined();
    expect(await started.exited).toMatchObject({ outcome: { kind: "exited", exitCode: 0 } });
    await waitUntil(async () => !(await isSameProcess(escaped, token!)));
  });

  it("with a cgroup, the script is born in it, the launcher steps back out, and all of it is ended when the script ends", async () => {
    const containment = await findContainment();
    const taskId = `t-cg-${process.pid}`;
    const cgroup = containment.cgroupOf(taskId, 1);
    if (cgroup === undefined) return expect(containment.home).toBe("");
    const { started, log } = await startShell(await launcher(), "setsid sh -c 'sleep 60 </dev/null >/dev/null 2>&1 &' ; cat /proc/$$/cgroup; sleep 0.2", {
      taskId,
      cgroup: { dir: cgroup, home: containment.home },
    });
    const launcherPid = Number(execFileSync("ps", ["-o", "ppid=", "-p", String(started.pid)]).toString().trim());
    expect(await readFile(`/proc/${launcherPid}/cgroup`, "utf8")).not.toContain(`task-${taskId}-1`);
    expect(await started.exited).toMatchObject({ outcome: { kind: "exited", exitCode: 0 } });
    expect(await log()).toContain(`task-${taskId}-1`);
    // The launcher made it, so it removes it once what it killed has left, and only then says the
    // script ended: by then nothing of the task is left.
    expect(await readFile(join(cgroup, "cgroup.procs"), "utf8").catch(() => "gone")).toBe("gone");
  });

  it("never writes a record through a symlink or into a FIFO the script put in its place", async () => {
    const { started, cwd } = await startShell(await launcher(), "rm cubqueue.exit; ln -s target cubqueue.exit");
    await writeFile(join(cwd, "target"), "kept\n");
    expect(await started.exited).toMatchObject({ outcome: { kind: "exited", exitCode: 0 } });
    expect(await readFile(join(cwd, "target"), "utf8")).toBe("kept\n");
    const fifo = await startShell(await launcher(), "rm cubqueue.exit; mkfifo cubqueue.exit");
    // Answered at once, not stuck opening a FIFO no one reads.
    expect(await fifo.started.exited).toMatchObject({ outcome: { kind: "exited", exitCode: 0 } });
    expect((await lstat(join(fifo.cwd, "cubqueue.exit"))).isFIFO()).toBe(true);
  });

  it("refuses, as the server's own start does, a log that exists (a FIFO, a symlink) and a folder that does not", async () => {
    for (const starter of [await launcher(), startDirectly]) {
      const cwd = await folder();
      execFileSync("mkfifo", [join(cwd, "fifo")]);
      await writeFile(join(cwd, "target"), "kept\n");
      execFileSync("ln", ["-s", join(cwd, "target"), join(cwd, "link")]);
      const request: StartRequest = {
        command: ["/bin/sh", "-c", "echo written"],
        cwd,
        env: {},
        logFile: join(cwd, "log"),
        exitFile: join(cwd, "exit"),
        taskId: "t",
        cgroup: { dir: "", home: "" },
      };
      await expect(starter.start({ ...request, logFile: join(cwd, "fifo") })).rejects.toMatchObject({ code: "EEXIST" });
      await expect(starter.start({ ...request, logFile: join(cwd, "link") })).rejects.toMatchObject({ code: "EEXIST" });
      await expect(starter.start({ ...request, cwd: join(cwd, "missing") })).rejects.toMatchObject({ code: "ENOENT" });
      if (starter.prepares) {
        // The exit record it makes is new too: nothing a script left there is opened, and nothing runs.
        await expect(starter.start({ ...request, logFile: join(cwd, "log1"), exitFile: join(cwd, "fifo") })).rejects.toMatchObject({ code: "EEXIST" });
        await expect(starter.start({ ...request, logFile: join(cwd, "log2"), exitFile: join(cwd, "link") })).rejects.toMatchObject({ code: "EEXIST" });
      }
      expect(await readFile(join(cwd, "target"), "utf8")).toBe("kept\n");
    }
  });

  it("makes the exit record, private, and says when the script started, as the server reads it from /proc", async () => {
    const { started, cwd } = await startShell(await launcher(), "sleep 30");
    expect((await lstat(join(cwd, "cubqueue.exit"))).mode & 0o777).toBe(0o600);
    expect(started.startToken).toMatch(/^\d+$/);
    expect(started.startToken).toBe(await processStartToken(started.pid));
  });

  it("many at once: each start is answered with its own process", async () => {
    const starter = await launcher();
    const runs = await Promise.all(Array.from({ length: 40 }, (_, n) => startShell(starter, `echo ${n}; exit ${n % 7}`)));
    const exits = await Promise.all(runs.map(({ started }) => started.exited));
    expect(exits).toEqual(runs.map((_, n) => ({ outcome: { kind: "exited", exitCode: n % 7, signal: null }, leftoversEnded: true })));
    expect(await Promise.all(runs.map(({ log }) => log()))).toEqual(runs.map((_, n) => `${n}\n`));
  });

  it("a launcher killed from outside: its running tasks keep running, reported unwatched; the next start gets a new launcher", async () => {
    const starter = await launcher();
    const running = await startShell(starter, "echo running; sleep 30");
    await waitUntil(async () => (await running.log()) === "running\n");
    const launcherPid = Number(execFileSync("ps", ["-o", "ppid=", "-p", String(running.started.pid)]).toString().trim());
    process.kill(launcherPid, "SIGKILL");
    expect(await running.started.exited).toBe("unwatched");
    process.kill(running.started.pid, 0);
    const next = await startShell(starter, "sleep 0.5; exit 4");
    const nextLauncher = Number(execFileSync("ps", ["-o", "ppid=", "-p", String(next.started.pid)]).toString().trim());
    expect(nextLauncher).not.toBe(launcherPid);
    expect(await readFile(`/proc/${nextLauncher}/cmdline`, "utf8")).toContain("task-launcher.py");
    expect(await next.started.exited).toMatchObject({ outcome: { kind: "exited", exitCode: 4 } });
  });

  it("outlives its server: once closed, it goes on recording how its running tasks end, then exits", async () => {
    const starter = await startTaskLauncher("/usr/bin/python3");
    const running = await startShell(starter, "while [ ! -e gate ]; do sleep 0.05; done; exit 5");
    const launcherPid = Number(execFileSync("ps", ["-o", "ppid=", "-p", String(running.started.pid)]).toString().trim());
    starter.close();
    await new Promise((resolve) => setTimeout(resolve, 200));
    process.kill(launcherPid, 0);
    await writeFile(join(running.cwd, "gate"), "");
    await waitUntil(async () => (await running.record()) === "exit 5");
    await waitUntil(async () => (await processStartToken(launcherPid)) === undefined);
  });
});

describe("choosing what starts tasks", () => {
  const quiet = { warn: () => {}, info: () => {} };
  it("the launcher where python3 runs it; the server with --launcher off or without python3", async () => {
    const chosen = await chooseProcessStarter("auto", { python: "/usr/bin/python3", ...quiet });
    onTestFinished(() => chosen.close());
    expect(chosen.kind).toBe("launcher");
    expect((await chooseProcessStarter("off", { python: "/usr/bin/python3", ...quiet })).kind).toBe("server");
    expect((await chooseProcessStarter("auto", { python: undefined, ...quiet })).kind).toBe("server");
  });

  it("a python3 that cannot run the launcher: the server starts tasks, and says why", async () => {
    const bin = await folder();
    await writeFile(join(bin, "python3"), "#!/bin/sh\necho 'Python 2.7' >&2\nexit 1\n", { mode: 0o755 });
    const warnings: string[] = [];
    const chosen = await chooseProcessStarter("auto", { python: join(bin, "python3"), warn: (message) => warnings.push(message), info: () => {} });
    expect(chosen.kind).toBe("server");
    expect(warnings).toEqual([expect.stringMatching(/^The task launcher could not start \(.*python3 exited before the task launcher was ready \(exit 1\)\); tasks are started by the server itself/)]);
  });
});
