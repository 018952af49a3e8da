import { randomUUID } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { openDatabase } from "../../src/db/open.ts";
import { findTask, insertTasks } from "../../src/db/queries/tasks.ts";
import { TaskStatus, type DependencyKind, type NewTaskRow } from "../../src/db/schema.ts";
import { createTransitions, type TransitionEvent, type Transitions } from "../../src/lifecycle/transitions.ts";
import type { Executor } from "../../src/runner/executor.ts";
import { createRunner } from "../../src/runner/runner.ts";
import { createLayout } from "../../src/store/layout.ts";
import { waitUntil } from "../support/api.ts";
import { createFakeExecutor, type FakeExecutorOptions } from "../support/fake-executor.ts";
import { makeTempDir } from "../support/temp-dir.ts";

/** How these tests claim a task by hand, as the runner of instance-a would. */
const CLAIM = { executor: "fake", owner: "instance-a", cpus: 1, gpus: [] };

const diskFull = () => Object.assign(new Error("SQLITE_FULL: database or disk is full"), { code: "SQLITE_FULL" });

interface HarnessOptions extends FakeExecutorOptions {
  concurrency?: number;
  /** The GPUs the runner hands out (none by default). */
  gpus?: string[];
  /** Slots decided by the executor (as Slurm's are), not by the runner. */
  executorSlots?: boolean;
  /** Replaces some transitions, to fail or delay them. */
  overrides?: (real: Transitions) => Partial<Transitions>;
}

/**
 * A runner over a real libSQL file and a real base dir, with the fake executor:
 * every branch of a run, in milliseconds.
 */
async function harness({ concurrency = 2, gpus = [], executorSlots = false, overrides, ...executorOptions }: HarnessOptions = {}) {
  const dir = await makeTempDir();
  const layout = createLayout(dir.path);
  await mkdir(layout.tasksDir, { recursive: true });
  const { db, close } = await openDatabase({ file: layout.databasePath });
  const events: TransitionEvent[] = [];
  const errors: unknown[] = [];
  const real = createTransitions({ db, onTransition: (event) => events.push(event) });
  const transitions = { ...real, ...overrides?.(real) };
  const fake = createFakeExecutor(executorOptions);
  const runners: Array<ReturnType<typeof createRunner>> = [];
  /** A runner over this base dir; a second one stands for the next server's (another instance's, with another id). */
  const makeRunner = ({ instanceId = "instance-a", executors = [fake.executor] }: { instanceId?: string; executors?: [Executor, ...Executor[]] } = {}) => {
    const made = createRunner({
      db,
      transitions,
      layout,
      executors,
      instanceId,
      concurrency,
      slots: executorSlots ? "executor" : { cpus: 64, gpus },
      killGraceMs: 20,
      baseEnv: {},
      onError: (error) => errors.push(error),
      retryBackoff: { firstMs: 5, maxMs: 20 },
    });
    runners.push(made);
    return made;
  };
  const runner = makeRunner();
  onTestFinished(async () => {
    for (const each of runners) await each.stop();
    close();
    await dir.remove();
  });

  /** A queued task with its folder and script, as submit leaves it; `row` sets its policy, priority, slots, … */
  async function addTask(row: Partial<NewTaskRow> = {}, dependencies: Array<{ id: string; kind: DependencyKind }> = []): Promise<string> {
    const id = randomUUID();
    const paths = layout.taskPaths(id);
    await mkdir(paths.dir, { recursive: true });
    await writeFile(paths.script("job.sh"), "#!/bin/sh\ntrue\n");
    await insertTasks(db, {
      tasks: [{ id, scriptName: "job", scriptFilename: "job.sh", argFile: "{}", status: TaskStatus.queued, createdAt: new Date(), ...row }],
      files: [],
      dependencies: dependencies.map((each) => ({ taskId: id, dependsOn: each.id, kind: each.kind })),
    });
    return id;
  }

  const task = async (id: string) => (await findTask(db, id))!;
  const statusOf = async (id: string) => (await task(id)).task.status;
  const waitStatus = (id: string, status: TaskStatus) => waitUntil(async () => (await statusOf(id)) === status, 3_000);
  const transitionsOf = (id: string) => events.filter((event) => event.taskId === id).map(({ from, to, attempt }) => `${attempt}:${from}→${to}`);

  return { runner, makeRunner, fake, errors, addTask, task, statusOf, waitStatus, transitionsOf, real, layout };
}

/** Holds the recording of a launched process until `letRecord()`: the run stays "starting" meanwhile. */
function heldRecord() {
  let letRecord!: () => void;
  const recordMayGo = new Promise<void>((resolve) => (letRecord = resolve));
  const overrides = (real: Transitions): Partial<Transitions> => ({
    async recordProcess(...args) {
      await recordMayGo;
      return real.recordProcess(...args);
    },
  });
  return { overrides, letRecord };
}

describe("the runner, over a fake executor", () => {
  it("records the process before it opens the gate, and a script that exits 0 succeeds", async () => {
    let recordedBeforeRelease: boolean | undefined;
    const h = await harness({
      overrides: (real) => ({
        async recordProcess(...args) {
          const applied = await real.recordProcess(...args);
          const process = h.fake.processes.find((p) => p.taskId === args[0])!;
          recordedBeforeRelease = process.gate === "waiting";
          return applied;
        },
      }),
    });
    const id = await h.addTask();
    h.runner.wake();
    const process = await h.fake.processOf(id);
    await waitUntil(() => process.gate === "released");
    expect(recordedBeforeRelease).toBe(true);
    expect((await h.task(id)).attempt).toMatchObject({ number: 1, executor: "fake", owner: "instance-a", handle: JSON.stringify({ pid: process.pid, startToken: "fake" }) });
    expect(process.spec).toMatchObject({ taskId: id, attempt: 1, dir: h.layout.taskPaths(id).dir, args: [h.layout.taskPaths(id).argFile] });
    process.end({ kind: "exited", exitCode: 0, signal: null });
    await h.waitStatus(id, TaskStatus.succeeded);
    expect((await h.task(id)).attempt).toMatchObject({ exitCode: 0, signal: null, finishedAt: expect.any(Date) });
    expect(h.transitionsOf(id)).toEqual(["1:queued→running", "1:running→succeeded"]);
    expect(h.errors).toEqual([]);
  });

  it("with no cap on how many run (an executor that queues them itself, as Slurm does), starts every queued task", async () => {
    const h = await harness({ concurrency: Infinity, executorSlots: true });
    const ids = await Promise.all(Array.from({ length: 5 }, () => h.addTask()));
    h.runner.wake();
    for (const id of ids) await h.fake.processOf(id);
    expect(h.fake.processes.map((p) => p.taskId).sort()).toEqual([...ids].sort());
    expect(h.errors).toEqual([]);
  });

  it("never runs more than the concurrency limit, and each end starts the next", async () => {
    const h = await harness({ concurrency: 2 });
    const ids = [await h.addTask(), await h.addTask(), await h.addTask()];
    h.runner.wake();
    await h.fake.processOf(ids[1]!);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(h.fake.processes.map((p) => p.taskId)).toEqual([ids[0], ids[1]]);
    expect(await h.statusOf(ids[2]!)).toBe(TaskStatus.queued);
    (await h.fake.processOf(ids[0]!)).end({ kind: "exited", exitCode: 1, signal: null });
    await h.fake.processOf(ids[2]!);
    expect(await h.task(ids[0]!)).toMatchObject({ task: { status: "failed", error: "the script exited with code 1" } });
    expect(h.runner.runningCount).toBe(2);
  });

  it("a launch that fails records a failure saying why, and the queue moves on", async () => {
    const h = await harness({ launchFails: ({ taskId }) => (taskId === first ? new Error("spawn /bin/nope ENOENT") : undefined) });
    const first = await h.addTask();
    const second = await h.addTask();
    h.runner.wake();
    await h.waitStatus(first, TaskStatus.failed);
    expect((await h.task(first)).task.error).toBe("could not start the script: spawn /bin/nope ENOENT");
    await h.fake.processOf(second);
  });

  it("a process that cannot be recorded after its spawn never lets its script run, and the task fails", async () => {
    const h = await harness({
      overrides: () => ({
        async recordProcess() {
          throw new Error("the database went away");
        },
      }),
    });
    const id = await h.addTask();
    h.runner.wake();
    await h.waitStatus(id, TaskStatus.failed);
    expect((await h.fake.processOf(id)).gate).toBe("abandoned");
    expect((await h.task(id)).task.error).toBe("could not start the script: the database went away");
  });

  it("a cancel while the task is starting closes its gate: the script never runs and the task is cancelled", async () => {
    const { overrides, letRecord } = heldRecord();
    const h = await harness({ overrides });
    const id = await h.addTask();
    h.runner.wake();
    const process = await h.fake.processOf(id);
    const cancelling = h.runner.cancelRunning(id);
    await waitUntil(async () => (await h.task(id)).task.cancelRequestedAt !== null);
    letRecord();
    expect(await cancelling).toBe("cancelled");
    expect(process.gate).toBe("abandoned");
    expect(await h.task(id)).toMatchObject({ task: { status: "cancelled", error: "cancelled before it started" } });
  });

  it("a cancel of a running task asks its executor to terminate it, with the grace period, and the task is cancelled", async () => {
    const h = await harness({ onTerm: { kind: "exited", exitCode: null, signal: "SIGTERM" } });
    const id = await h.addTask();
    h.runner.wake();
    const process = await h.fake.processOf(id);
    await waitUntil(() => process.gate === "released");
    expect(await h.runner.cancelRunning(id)).toBe("cancelled");
    expect(process.terminations).toEqual([20]);
    expect((await h.task(id)).task).toMatchObject({ status: "cancelled", error: "cancelled on request" });
    expect((await h.task(id)).attempt).toMatchObject({ exitCode: null, signal: "SIGTERM" });
  });

  it("a cancel waits for the attempt to end, however long its executor takes to stop it", async () => {
    const h = await harness();
    const id = await h.addTask();
    h.runner.wake();
    const process = await h.fake.processOf(id);
    await waitUntil(() => process.gate === "released");
    let settled = false;
    const cancelling = h.runner.cancelRunning(id).finally(() => (settled = true));
    await waitUntil(() => process.terminations.length === 1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(settled).toBe(false);
    process.end({ kind: "exited", exitCode: null, signal: "SIGKILL" });
    expect(await cancelling).toBe("cancelled");
  });

  it("an outcome the database refuses is retried until it is written; a cancel meanwhile answers finishing", async () => {
    let refusals = 3;
    const h = await harness({
      overrides: (real) => ({
        async finish(...args) {
          if (refusals-- > 0) throw diskFull();
          return real.finish(...args);
        },
      }),
    });
    const id = await h.addTask();
    h.runner.wake();
    const process = await h.fake.processOf(id);
    process.end({ kind: "exited", exitCode: 0, signal: null });
    await waitUntil(() => refusals < 3);
    expect(await h.runner.cancelRunning(id)).toBe("finishing");
    await h.waitStatus(id, TaskStatus.succeeded);
    expect(h.runner.runningCount).toBe(0);
    // The streak is reported once, not at every retry.
    expect(h.errors).toHaveLength(1);
  });

  it("a stop while an outcome waits for the database leaves the task running, for the next start to settle", async () => {
    const h = await harness({
      overrides: () => ({
        async finish() {
          throw diskFull();
        },
      }),
    });
    const id = await h.addTask();
    h.runner.wake();
    (await h.fake.processOf(id)).end({ kind: "exited", exitCode: 0, signal: null });
    await waitUntil(() => h.errors.length > 0);
    await h.runner.stop();
    expect(await h.statusOf(id)).toBe(TaskStatus.running);
  });

  it("a stop leaves running tasks running and no longer watched; the next start watches them again", async () => {
    const h = await harness();
    const id = await h.addTask();
    h.runner.wake();
    const first = await h.fake.processOf(id);
    await waitUntil(() => first.gate === "released");
    await h.runner.stop();
    expect(first.detached).toBe(true);
    expect(await h.statusOf(id)).toBe(TaskStatus.running);

    const next = h.makeRunner();
    await next.start();
    const adopted = h.fake.processes.find((p) => p.taskId === id && p.adopted)!;
    expect(adopted.pid).toBe(first.pid);
    adopted.end({ kind: "exited", exitCode: 7, signal: null });
    await h.waitStatus(id, TaskStatus.failed);
    expect(h.transitionsOf(id)).toEqual(["1:queued→running", "1:running→failed"]);
  });

  it("an adopted task whose script never started goes back to the queue and runs once, as attempt 2", async () => {
    const h = await harness();
    const id = await h.addTask();
    h.runner.wake();
    const first = await h.fake.processOf(id);
    await waitUntil(() => first.gate === "released");
    await h.runner.stop();

    const next = h.makeRunner();
    await next.start();
    h.fake.processes.find((p) => p.taskId === id && p.adopted)!.end({ kind: "not_started" });
    await waitUntil(() => h.transitionsOf(id).length === 3);
    expect(h.transitionsOf(id)).toEqual(["1:queued→running", "1:running→queued", "2:queued→running"]);
  });

  it("a transition that lost its race reports it and writes nothing", async () => {
    const h = await harness();
    const id = await h.addTask();
    expect(await h.real.finish(id, 1, { status: TaskStatus.succeeded, error: null, exitCode: 0, signal: null })).toBe(false);
    expect(await h.real.requeue(id, 1)).toBe(false);
    expect(await h.real.recordProcess(id, 1, { pid: 1, startToken: null })).toBe(false);
    expect(await h.real.requestCancel(id)).toBe(false);
    const claimed = await h.real.claim(id, CLAIM);
    expect(claimed).toMatchObject({ task: { id }, attemptNumber: 1 });
    expect(await h.real.cancelWaiting(id)).toBe(false);
    // An outcome for another attempt than the one running is refused.
    expect(await h.real.finish(id, 2, { status: TaskStatus.succeeded, error: null, exitCode: 0, signal: null })).toBe(false);
    expect(await h.statusOf(id)).toBe(TaskStatus.running);
    expect(h.transitionsOf(id)).toEqual(["1:queued→running"]);
  });

  it("a run past its time limit gets TERM and fails, saying its limit", async () => {
    const h = await harness({ onTerm: { kind: "exited", exitCode: null, signal: "SIGTERM" } });
    const id = await h.addTask({ timeoutMs: 80 });
    h.runner.wake();
    const process = await h.fake.processOf(id);
    await h.waitStatus(id, TaskStatus.failed);
    expect(process.terminations).toEqual([20]);
    expect((await h.task(id)).task.error).toBe("timed out after 0.08s");
  });

  it("an attempt waiting in a scheduler's queue has its time limit counted from when its script began to run", async () => {
    const h = await harness({ queued: true, onTerm: { kind: "exited", exitCode: null, signal: "SIGTERM" } });
    const id = await h.addTask({ timeoutMs: 60 });
    h.runner.wake();
    const process = await h.fake.processOf(id);
    await waitUntil(() => process.gate === "released");
    // Queued in the scheduler for longer than its limit: not running time.
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(process.terminations).toEqual([]);
    expect(await h.statusOf(id)).toBe(TaskStatus.running);
    const began = Date.now();
    process.beginRunning(new Date(began));
    await h.waitStatus(id, TaskStatus.failed);
    expect(Date.now() - began).toBeGreaterThanOrEqual(55);
    expect(process.terminations).toEqual([20]);
    expect((await h.task(id)).task.error).toBe("timed out after 0.06s");
  });

  it("an attempt whose script began to run longer ago than its limit (found again after a restart) is stopped at once", async () => {
    const h = await harness({ queued: true, onTerm: { kind: "exited", exitCode: null, signal: "SIGTERM" } });
    const id = await h.addTask({ timeoutMs: 60_000 });
    h.runner.wake();
    const process = await h.fake.processOf(id);
    await waitUntil(() => process.gate === "released");
    process.beginRunning(new Date(Date.now() - 61_000));
    await h.waitStatus(id, TaskStatus.failed);
    expect((await h.task(id)).task.error).toBe("timed out after 1m");
  });

  it("a time limit that passes while the task is still starting closes its gate: the script never runs", async () => {
    const { overrides, letRecord } = heldRecord();
    const h = await harness({ overrides });
    const id = await h.addTask({ timeoutMs: 30 });
    h.runner.wake();
    const process = await h.fake.processOf(id);
    await new Promise((resolve) => setTimeout(resolve, 80));
    letRecord();
    await h.waitStatus(id, TaskStatus.failed);
    expect(process.gate).toBe("abandoned");
    expect((await h.task(id)).task.error).toBe("timed out after 0.03s");
  });

  it("a failure with retries left goes back to the queue for its delay, and the runner wakes for it by itself", async () => {
    const h = await harness();
    const id = await h.addTask({ maxRetries: 1, retryDelayMs: 100 });
    h.runner.wake();
    (await h.fake.processOf(id)).end({ kind: "exited", exitCode: 9, signal: null });
    await h.waitStatus(id, TaskStatus.queued);
    const waiting = await h.task(id);
    expect(waiting.task.notBefore!.getTime() - waiting.attempts[0]!.finishedAt!.getTime()).toBe(100);
    expect(waiting.attempts[0]).toMatchObject({ exitCode: 9, error: "the script exited with code 9" });
    // Nothing but the runner's own timer starts the retry.
    await waitUntil(() => h.fake.processes.length === 2);
    h.fake.processes[1]!.end({ kind: "exited", exitCode: 9, signal: null });
    await h.waitStatus(id, TaskStatus.failed);
    expect(h.transitionsOf(id)).toEqual(["1:queued→running", "1:running→queued", "2:queued→running", "2:running→failed"]);
  });

  it("the last attempt's exit record is gone before the next attempt is claimed: a start never takes it for the new one's", async () => {
    const h = await harness();
    const id = await h.addTask({ maxRetries: 1, retryDelayMs: 200 });
    h.runner.wake();
    const { exitFile } = h.layout.taskPaths(id);
    await writeFile(exitFile, "exit 9         \n");
    (await h.fake.processOf(id)).end({ kind: "exited", exitCode: 9, signal: null });
    await h.waitStatus(id, TaskStatus.queued);
    expect(await readFile(exitFile, "utf8")).toBe("exit 9         \n");
    await waitUntil(() => h.fake.processes.length === 2);
    await expect(readFile(exitFile)).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("a retry due at once runs as the next attempt and is the run tracked under its id: a cancel reaches it", async () => {
    const h = await harness({ onTerm: { kind: "exited", exitCode: null, signal: "SIGTERM" } });
    const id = await h.addTask({ maxRetries: 1 });
    h.runner.wake();
    (await h.fake.processOf(id)).end({ kind: "exited", exitCode: 1, signal: null });
    await waitUntil(() => h.fake.processes.length === 2);
    const second = h.fake.processes[1]!;
    await waitUntil(() => second.gate === "released");
    expect(h.runner.runningCount).toBe(1);
    expect(await h.runner.cancelRunning(id)).toBe("cancelled");
    expect(second.terminations).toEqual([20]);
    expect(await h.task(id)).toMatchObject({ task: { status: "cancelled" }, attempts: [{ number: 1 }, { number: 2 }] });
  });

  it("an attempt that never started uses up no retry", async () => {
    const h = await harness();
    const id = await h.addTask({ maxRetries: 1 });
    h.runner.wake();
    const first = await h.fake.processOf(id);
    await waitUntil(() => first.gate === "released");
    await h.runner.stop();
    const next = h.makeRunner();
    await next.start();
    // The first attempt's script never ran: requeued as attempt 2, which fails; its one retry is attempt 3.
    h.fake.processes.find((p) => p.adopted)!.end({ kind: "not_started" });
    await waitUntil(() => h.fake.processes.length === 3);
    h.fake.processes[2]!.end({ kind: "exited", exitCode: 1, signal: null });
    await waitUntil(() => h.fake.processes.length === 4);
    h.fake.processes[3]!.end({ kind: "exited", exitCode: 1, signal: null });
    await h.waitStatus(id, TaskStatus.failed);
    expect(h.transitionsOf(id)).toEqual([
      "1:queued→running",
      "1:running→queued",
      "2:queued→running",
      "2:running→queued",
      "3:queued→running",
      "3:running→failed",
    ]);
  });

  it("a log is kept under the number of the attempt that wrote it, also when a later claim never launched", async () => {
    const h = await harness();
    const id = await h.addTask();
    const paths = h.layout.taskPaths(id);
    // Attempt 1 ran and wrote its log; the task was restarted; attempt 2 was claimed, and the server died before launching it.
    await h.real.claim(id, CLAIM);
    await h.real.recordProcess(id, 1, { pid: 1, startToken: null });
    await writeFile(paths.logFile, "attempt one\n");
    await h.real.finish(id, 1, { status: TaskStatus.failed, error: "x", exitCode: 1, signal: null });
    await h.real.restart(id, TaskStatus.failed);
    await h.real.claim(id, CLAIM);
    await h.runner.start(); // requeues attempt 2 (no process) and runs attempt 3
    const third = await h.fake.processOf(id);
    expect(await readFile(join(paths.dir, "log.1.txt"), "utf8")).toBe("attempt one\n");
    third.end({ kind: "exited", exitCode: 0, signal: null });
    await h.waitStatus(id, TaskStatus.succeeded);
    expect((await h.task(id)).attempts.map((a) => [a.number, a.handle === null])).toEqual([
      [1, false],
      [2, true],
      [3, false],
    ]);
  });

  it("at start, an attempt goes back to the executor that recorded it, whichever one launches new attempts now", async () => {
    const h = await harness();
    const id = await h.addTask();
    h.runner.wake();
    const first = await h.fake.processOf(id);
    await waitUntil(() => first.gate === "released");
    await h.runner.stop();

    const cluster = createFakeExecutor({ name: "cluster" });
    const next = h.makeRunner({ executors: [cluster.executor, h.fake.executor] });
    await next.start();
    const adopted = h.fake.processes.find((p) => p.taskId === id && p.adopted)!;
    expect(adopted.pid).toBe(first.pid);
    expect(cluster.processes).toEqual([]);
    adopted.end({ kind: "exited", exitCode: 0, signal: null });
    await h.waitStatus(id, TaskStatus.succeeded);
  });

  it("an attempt whose executor this server lacks is reported and left running, not judged lost", async () => {
    const h = await harness();
    const id = await h.addTask();
    h.runner.wake();
    const first = await h.fake.processOf(id);
    await waitUntil(() => first.gate === "released");
    await h.runner.stop();

    const cluster = createFakeExecutor({ name: "cluster" });
    const next = h.makeRunner({ executors: [cluster.executor] });
    await next.start();
    expect(String(h.errors.at(-1))).toContain('ran on the executor "fake", which this server does not have');
    expect(await h.statusOf(id)).toBe(TaskStatus.running);
    expect(h.fake.processes.filter((p) => p.adopted)).toEqual([]);
  });

  it("a server sharing the database leaves the attempts another instance started alone; their own server takes them back", async () => {
    const h = await harness();
    const id = await h.addTask();
    h.runner.wake();
    const first = await h.fake.processOf(id);
    await waitUntil(() => first.gate === "released");

    // Another server on the same database starts while instance a still watches the task.
    const other = h.makeRunner({ instanceId: "instance-b" });
    await other.start();
    expect(h.fake.processes.filter((p) => p.adopted)).toEqual([]);
    expect(await h.statusOf(id)).toBe(TaskStatus.running);

    // Instance a restarts: the task is its own, and it watches it again.
    await h.runner.stop();
    const again = h.makeRunner({ instanceId: "instance-a" });
    await again.start();
    const adopted = h.fake.processes.find((p) => p.taskId === id && p.adopted)!;
    adopted.end({ kind: "exited", exitCode: 0, signal: null });
    await h.waitStatus(id, TaskStatus.succeeded);
    expect(h.transitionsOf(id)).toEqual(["1:queued→running", "1:running→succeeded"]);
  });
});

describe("the runner's scheduling, over a fake executor", () => {
  it("starts queued tasks by priority, then age, and a dependent only once its dependency succeeded", async () => {
    const h = await harness({ concurrency: 1 });
    const low = await h.addTask({ priority: -1 });
    const first = await h.addTask();
    const high = await h.addTask({ priority: 5 });
    const dependent = await h.addTask({ priority: 100 }, [{ id: first, kind: "afterok" }]);
    h.runner.wake();
    const order: string[] = [];
    for (let n = 0; n < 4; n++) {
      await waitUntil(() => h.fake.processes.length === n + 1);
      const process = h.fake.processes[n]!;
      order.push(process.taskId);
      process.end({ kind: "exited", exitCode: 0, signal: null });
    }
    expect(order).toEqual([high, first, dependent, low]);
  });

  it("a paused runner starts nothing until resumed, and a new runner reads the pause back", async () => {
    const h = await harness();
    await h.runner.start();
    await h.runner.pause();
    const id = await h.addTask();
    h.runner.wake();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(h.fake.processes).toEqual([]);
    await h.runner.stop();
    const next = h.makeRunner();
    await next.start();
    expect(next.paused).toBe(true);
    await next.resume();
    await h.fake.processOf(id);
  });

  it("more concurrency starts more at once; less lets the running ones finish", async () => {
    const h = await harness({ concurrency: 1 });
    const ids = [await h.addTask(), await h.addTask(), await h.addTask()];
    h.runner.wake();
    await h.fake.processOf(ids[0]!);
    h.runner.setConcurrency(3);
    await waitUntil(() => h.fake.processes.length === 3);
    h.runner.setConcurrency(1);
    expect(h.fake.processes.every((process) => process.terminations.length === 0)).toBe(true);
  });

  it("an adopted attempt keeps its GPUs: a new task gets another, or waits", async () => {
    const h = await harness({ gpus: ["0", "1"] });
    const gpuTask = await h.addTask({ gpus: 1 });
    h.runner.wake();
    const first = await h.fake.processOf(gpuTask);
    await waitUntil(() => first.gate === "released");
    expect(first.spec?.resources).toEqual({ cpus: 1, gpus: 1, gpuIds: ["0"] });
    expect(first.spec?.env.CUDA_VISIBLE_DEVICES).toBe("0");
    await h.runner.stop();

    const next = h.makeRunner();
    await next.start();
    const second = await h.addTask({ gpus: 1 });
    const third = await h.addTask({ gpus: 1 });
    next.wake();
    const process = await h.fake.processOf(second);
    expect(process.spec?.resources).toEqual({ cpus: 1, gpus: 1, gpuIds: ["1"] });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await h.statusOf(third)).toBe(TaskStatus.queued);
  });

  it("a suspended run's time limit leaves the suspension out", async () => {
    const h = await harness({ onTerm: { kind: "exited", exitCode: null, signal: "SIGTERM" } });
    const id = await h.addTask({ timeoutMs: 300 });
    h.runner.wake();
    const process = await h.fake.processOf(id);
    await waitUntil(() => process.gate === "released");
    expect(await h.runner.suspend(id)).toBe("done");
    expect(process.suspended).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(process.terminations).toEqual([]);
    expect(await h.runner.resumeTask(id)).toBe("done");
    expect(process.suspended).toBe(false);
    await h.waitStatus(id, TaskStatus.failed);
    expect(h.transitionsOf(id)).toEqual(["1:queued→running", "1:running→suspended", "1:suspended→running", "1:running→failed"]);
    expect((await h.task(id)).attempts[0]!.suspendedMs).toBeGreaterThanOrEqual(480);
  });
});
