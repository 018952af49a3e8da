import { randomUUID } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { environmentOnlyContainment } from "../../src/runner/containment.ts";
import { createLocalExecutor } from "../../src/runner/local-executor.ts";
import { signalGroup } from "../../src/runner/process-group.ts";
import { isSameProcess, processStartToken } from "../../src/runner/process-identity.ts";
import { waitUntil } from "../support/api.ts";
import { makeTempDir } from "../support/temp-dir.ts";

/**
 * The containment of a machine where no cgroup can be made: the local
 * executor, with real scripts, told to use no cgroup whatever this machine offers.
 */
const executor = createLocalExecutor({ interpreters: new Map(), containment: Promise.resolve(environmentOnlyContainment()) });

async function launch(script: string) {
  const dir = await makeTempDir();
  onTestFinished(() => dir.remove());
  const taskId = randomUUID();
  await writeFile(join(dir.path, "job.sh"), `#!/bin/sh\n${script}\n`);
  const process = await executor.launch({
    taskId,
    attempt: 1,
    dir: dir.path,
    script: join(dir.path, "job.sh"),
    scriptSha256: null,
    resources: { cpus: 1, gpus: 0, gpuIds: [] },
    args: [],
    env: { PATH: globalThis.process.env.PATH ?? "/usr/bin:/bin", CUBQUEUE_TASK_ID: taskId },
    logFile: join(dir.path, "log.txt"),
    exitFile: join(dir.path, "cubqueue.exit"),
    timeoutMs: null,
    slurmOptions: [],
  });
  process.release();
  return { process, dir: dir.path };
}

async function recordedPid(dir: string, file: string) {
  const path = join(dir, file);
  await waitUntil(async () => /^\d+\n$/.test(await readFile(path, "utf8").catch(() => "")), 10_000);
  const pid = Number(await readFile(path, "utf8"));
  const startToken = (await processStartToken(pid))!;
  expect(startToken).toBeDefined();
  onTestFinished(async () => {
    if (await isSameProcess(pid, startToken)) globalThis.process.kill(pid, "SIGKILL");
  });
  return { pid, startToken };
}

const ESCAPE = `setsid sh -c 'echo $$ > escaped.pid; exec sleep 1000' &
sh -c 'setsid sh -c "echo \\$\\$ > double.pid; exec sleep 1000" & exit 0'
`;

describe("without a cgroup, the processes carrying the task's id", { timeout: 30_000 }, () => {
  it("are ended when the script exits", async () => {
    // The script ends once the test has seen what it left.
    const { process, dir } = await launch(`${ESCAPE}while [ ! -e go-on ]; do sleep 0.02; done`);
    const left = [await recordedPid(dir, "escaped.pid"), await recordedPid(dir, "double.pid")];
    await writeFile(join(dir, "go-on"), "");
    expect(await process.exited).toEqual({ kind: "exited", exitCode: 0, signal: null });
    for (const { pid, startToken } of left) expect(await isSameProcess(pid, startToken), `process ${pid}`).toBe(false);
  });

  it("are ended when the task is cancelled", async () => {
    const { process, dir } = await launch(`${ESCAPE}sleep 1000`);
    const left = [await recordedPid(dir, "escaped.pid"), await recordedPid(dir, "double.pid")];
    process.terminate({ graceMs: 10_000 });
    expect(await process.exited).toMatchObject({ kind: "exited", signal: "SIGTERM" });
    for (const { pid, startToken } of left) expect(await isSameProcess(pid, startToken), `process ${pid}`).toBe(false);
  });

  it("are ended when the wrapper itself was killed", async () => {
    const { process, dir } = await launch(`trap '' TERM\n${ESCAPE}sleep 1000`);
    const left = [await recordedPid(dir, "escaped.pid"), await recordedPid(dir, "double.pid")];
    signalGroup(Number(process.handle.pid), "SIGKILL");
    await process.exited;
    for (const { pid, startToken } of left) expect(await isSameProcess(pid, startToken), `process ${pid}`).toBe(false);
  });
});
