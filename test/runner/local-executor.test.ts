import { createHash, randomUUID } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { environmentOnlyContainment } from "../../src/runner/containment.ts";
import type { AttemptSpec, Executor } from "../../src/runner/executor.ts";
import { createLocalExecutor } from "../../src/runner/local-executor.ts";
import { signalGroup } from "../../src/runner/process-group.ts";
import { isSameProcess } from "../../src/runner/process-identity.ts";
import { startDirectly, type ProcessStarter } from "../../src/runner/process-starter.ts";
import { startTaskLauncher } from "../../src/runner/task-launcher.ts";
import { makeTempDir } from "../support/temp-dir.ts";

/** Both ways a task's process is started: the same executor, the same outcomes. */
const STARTERS: Array<[string, () => Promise<ProcessStarter>]> = [
  ["the server itself", async () => startDirectly],
  ["the task launcher", once(() => startTaskLauncher("/usr/bin/python3"))],
];

function once<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => (made ??= { value: make() }).value;
}

/** The executor under test: one per way of starting processes (set by each describe below). */
let executor: Executor;

/** A spec for a script written into a fresh folder, as the runner would give it. */
async function specFor(filename: string, source: string): Promise<AttemptSpec> {
  const dir = await makeTempDir();
  onTestFinished(() => dir.remove());
  await writeFile(join(dir.path, filename), source, { mode: 0o700 });
  const taskId = randomUUID();
  return {
    taskId,
    attempt: 1,
    dir: dir.path,
    script: join(dir.path, filename),
    scriptSha256: null,
    resources: { cpus: 1, gpus: 0, gpuIds: [] },
    args: ["one arg"],
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin" },
    logFile: join(dir.path, "log.txt"),
    exitFile: join(dir.path, "cubqueue.exit"),
    timeoutMs: null,
    slurmOptions: [],
  };
}

async function launchReleased(spec: AttemptSpec) {
  const attempt = await executor.launch(spec);
  onTestFinished(() => signalGroup(Number(attempt.handle.pid), "SIGKILL"));
  attempt.release();
  return attempt;
}

describe.each(STARTERS)("the local executor, tasks started by %s", { timeout: 20_000 }, (startedBy, processes) => {
  beforeAll(() => {
    executor = createLocalExecutor({
      interpreters: new Map([["python3", "/usr/bin/python3"]]),
      adoptedPollMs: 20,
      containment: Promise.resolve(environmentOnlyContainment()),
      processes,
    });
  });

  it("builds the command from the script: its shebang, else the interpreter of its extension, with the spec's arguments", async () => {
    const shebang = await specFor("job", '#!/bin/sh\necho "sh got: $1"\n');
    expect(await (await launchReleased(shebang)).exited).toEqual({ kind: "exited", exitCode: 0, signal: null });
    const byExtension = await specFor("job.py", 'import sys\nprint("python got:", sys.argv[1])\n');
    expect(await (await launchReleased(byExtension)).exited).toEqual({ kind: "exited", exitCode: 0, signal: null });
    expect(await readFile(shebang.logFile, "utf8")).toBe("sh got: one arg\n");
    expect(await readFile(byExtension.logFile, "utf8")).toBe("python got: one arg\n");
  });

  it("a script that exits with the wrapper's own not-started status (125) is reported as it exited; an abandoned one never runs, or is ended", async () => {
    expect(await (await launchReleased(await specFor("job.sh", "#!/bin/sh\nexit 125\n"))).exited).toEqual({ kind: "exited", exitCode: 125, signal: null });
    const spec = await specFor("job.sh", "#!/bin/sh\nsleep 0.5\ntouch ran\n");
    const abandoned = await executor.launch(spec);
    abandoned.abandon();
    // Held at the wrapper's gate, it never starts; the launcher's, started at once, is ended before it gets far.
    expect(await abandoned.exited).toEqual(startedBy === "the server itself" ? { kind: "not_started" } : { kind: "exited", exitCode: null, signal: "SIGKILL" });
    expect(await readFile(join(spec.dir, "ran")).catch(() => "never")).toBe("never");
  });

  it("a script killed by a signal is reported with that signal", async () => {
    const attempt = await launchReleased(await specFor("job.sh", "#!/bin/sh\nkill -USR1 $$\nsleep 5\n"));
    expect(await attempt.exited).toEqual({ kind: "exited", exitCode: null, signal: "SIGUSR1" });
  });

  it("a first attempt's copy is run by the rule of the script version it was given (read once); a later attempt's copy is read again", async () => {
    const source = '#!/bin/sh\necho "as sh"\n';
    const sha256 = createHash("sha256").update(source).digest("hex");
    const first = await specFor("job", source);
    expect(await (await launchReleased({ ...first, scriptSha256: sha256 })).exited).toMatchObject({ exitCode: 0 });
    expect(await readFile(first.logFile, "utf8")).toBe("as sh\n");
    // A copy that is not what that digest says: the digest is trusted, so it runs under sh.
    const python = '#!/usr/bin/env python3\nprint("as python")\n';
    const trusted = await specFor("job", python);
    const underSh = await (await launchReleased({ ...trusted, scriptSha256: sha256 })).exited;
    expect(underSh).toMatchObject({ kind: "exited", exitCode: expect.any(Number) });
    expect(underSh).not.toMatchObject({ exitCode: 0 });
    expect(await readFile(trusted.logFile, "utf8")).not.toContain("as python");
    // Without a digest (a retry: its script may have rewritten its copy), the copy decides.
    const retried = await specFor("job", python);
    expect(await (await launchReleased({ ...retried, attempt: 2, scriptSha256: null })).exited).toMatchObject({ exitCode: 0 });
    expect(await readFile(retried.logFile, "utf8")).toBe("as python\n");
  });

  it("terminate() sends TERM and, to a script that ignores it, KILL once the grace period is over", async () => {
    const attempt = await launchReleased(await specFor("job.sh", "#!/bin/sh\ntrap '' TERM\necho ready\nwhile :; do sleep 0.05; done\n"));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const asked = Date.now();
    attempt.terminate({ graceMs: 400 });
    attempt.terminate({ graceMs: 0 }); // asked again: the first grace stands
    const exit = await attempt.exited;
    expect(exit).toMatchObject({ kind: "exited", signal: "SIGKILL" });
    expect(Date.now() - asked).toBeGreaterThanOrEqual(380);
  });

  it("hands out a JSON handle that finds the attempt again after the server let go of it", async () => {
    const spec = await specFor("job.sh", "#!/bin/sh\nwhile [ ! -e go-on ]; do sleep 0.02; done\nexit 3\n");
    const attempt = await launchReleased(spec);
    const handle = JSON.parse(JSON.stringify(attempt.handle));
    expect(handle).toEqual({ pid: expect.any(Number), startToken: expect.any(String) });
    expect(attempt.description).toBe(`process (pid ${handle.pid})`);
    attempt.detach();

    const adopted = await executor.adopt({ taskId: spec.taskId, attempt: 1, handle, exitFile: spec.exitFile });
    expect(adopted.handle).toEqual(handle);
    await writeFile(join(spec.dir, "go-on"), "");
    expect(await adopted.exited).toEqual({ kind: "exited", exitCode: 3, signal: null });
    expect(await isSameProcess(handle.pid, handle.startToken)).toBe(false);
  });

  it("a handle it never gave out finds no process: only the exit record left, else lost", async () => {
    const spec = await specFor("job.sh", "#!/bin/sh\ntrue\n");
    const adopted = await executor.adopt({ taskId: spec.taskId, attempt: 1, handle: { job: "917" }, exitFile: spec.exitFile });
    expect(await adopted.exited).toEqual({ kind: "lost" });
  });

  it("a recorded pid that now belongs to another process is not that attempt", async () => {
    const spec = await specFor("job.sh", "#!/bin/sh\ntrue\n");
    // This test's own pid, with a start time it never had.
    const adopted = await executor.adopt({ taskId: spec.taskId, attempt: 1, handle: { pid: process.pid, startToken: "1" }, exitFile: spec.exitFile });
    expect(await adopted.exited).toEqual({ kind: "lost" });
  });
});
