import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isProcessAlive } from "../../src/server/instance.ts";
import { registerFixture, submitOk, waitUntil, type Requester } from "../support/api.ts";
import { daemonBaseDir, readTaskLog, startDaemon } from "../support/daemon-server.ts";

interface Planned {
  n: number;
  sleep: number;
  exit: number;
  /** Opened by the test: the task waits for this file (relative to the base dir) before it sleeps. */
  gate?: string;
}

/** Every task of the base dir, oldest first (paging through the list). */
async function allTasks(server: Requester) {
  const tasks: Array<{ task_id: string; status: string; exit_code: number | null; error: string | null }> = [];
  let cursor: string | undefined;
  do {
    const page = await (await server.request(`/api/task?limit=1000${cursor ? `&cursor=${cursor}` : ""}`)).json();
    tasks.push(...page.tasks);
    cursor = page.next_cursor ?? undefined;
  } while (cursor);
  return tasks.reverse();
}

const countBy = (tasks: Array<{ status: string }>, status: string) => tasks.filter((task) => task.status === status).length;

/**
 * Submits the planned tasks of crash_worker.py, kills the server with SIGKILL
 * each time `crashWhen` says so, restarts it, and returns once every task has
 * finished, with what it saw at each crash.
 */
async function runThroughCrashes(plan: Planned[], concurrency: number, crashes: Array<(tasks: Awaited<ReturnType<typeof allTasks>>) => boolean>) {
  const baseDir = await daemonBaseDir();
  const ledger = join(baseDir, "ledger.txt");
  let server = await startDaemon(baseDir, ["--concurrency", String(concurrency)]);
  await registerFixture(server, "crash_worker.py", "worker");
  const ids = new Map<string, Planned>();
  // In order, but several at a time, as a pipeline would.
  for (let start = 0; start < plan.length; start += 8) {
    await Promise.all(
      plan.slice(start, start + 8).map(async (planned) => {
        const gate = planned.gate ? join(baseDir, planned.gate) : undefined;
        const { task_id } = await submitOk(server, "worker", { args: { ...planned, gate, ledger } });
        ids.set(task_id, planned);
      }),
    );
  }

  const seen: Array<{ running: number; queued: number; finished: number; endedWhileDown: number; restartMs: number }> = [];
  for (const crashWhen of crashes) {
    let atCrash = await allTasks(server);
    await waitUntil(async () => crashWhen((atCrash = await allTasks(server))), 60_000);
    process.kill(server.pid, "SIGKILL");
    await waitUntil(() => !isProcessAlive(server.pid));
    // Gated tasks go on now, while no server watches them.
    await writeFile(join(baseDir, "gate"), "");
    const running = atCrash.filter((task) => task.status === "running");
    const exitRecords = () =>
      Promise.all(running.map((task) => readFile(join(baseDir, "tasks", task.task_id, "cubqueue.exit"), "utf8").catch(() => "")));
    // Stay down until some tasks have ended with no server watching them.
    await waitUntil(async () => (await exitRecords()).some((text) => text.startsWith("exit ")), 10_000);
    const exitFiles = await exitRecords();
    const restartStarted = Date.now();
    server = await startDaemon(baseDir, ["--concurrency", String(concurrency)]);
    seen.push({
      running: running.length,
      queued: countBy(atCrash, "queued"),
      finished: atCrash.length - running.length - countBy(atCrash, "queued"),
      endedWhileDown: exitFiles.filter((text) => text.startsWith("exit ")).length,
      restartMs: Date.now() - restartStarted,
    });
  }

  await waitUntil(async () => (await allTasks(server)).every((task) => ["succeeded", "failed"].includes(task.status)), 120_000);
  return { baseDir, ledger, ids, final: await allTasks(server), seen };
}

/** Every task ended exactly once, with the status, exit code and log its plan called for. */
async function expectEachRanOnce(result: Awaited<ReturnType<typeof runThroughCrashes>>) {
  const { baseDir, ledger, ids, final } = result;
  expect(final).toHaveLength(ids.size);
  const runs = (await readFile(ledger, "utf8")).trim().split("\n");
  expect(runs.sort()).toEqual([...ids.keys()].sort());
  for (const task of final) {
    const planned = ids.get(task.task_id)!;
    const expected = planned.exit === 0 ? { status: "succeeded", exit_code: 0 } : { status: "failed", exit_code: planned.exit };
    expect({ id: task.task_id, status: task.status, exit_code: task.exit_code, error: task.error }).toMatchObject(expected);
    expect(await readTaskLog(baseDir, task.task_id)).toBe(`start ${planned.n}\ndone ${planned.n}\n`);
  }
  // Nothing was left half-written in the staging area.
  expect(await readdir(join(baseDir, "cubqueue.incoming"))).toEqual([]);
}

describe("crash and restart", { timeout: 180_000 }, () => {
  it("a server killed with SIGKILL while 20 tasks run and 100 wait loses none and runs none twice", async () => {
    // The first 20 hold every slot until the server is killed, so the others queue up behind them. (Submitted 8 at
    // a time, up to 4 of tasks 20-23 may be taken before one of 16-19, and end while the gated ones wait.)
    const plan = Array.from({ length: 120 }, (_, n) => ({
      n,
      sleep: n < 20 ? 0.3 + (n % 5) * 0.5 : 0.2 + (n % 7) * 0.1,
      exit: n % 10 === 3 ? 3 : 0,
      gate: n < 20 ? "gate" : undefined,
    }));
    const result = await runThroughCrashes(plan, 20, [(tasks) => countBy(tasks, "running") === 20 && countBy(tasks, "queued") >= 96]);
    await expectEachRanOnce(result);
    const [crash] = result.seen;
    expect(crash).toMatchObject({ running: 20 });
    expect(crash!.queued).toBeGreaterThanOrEqual(96);
    expect(crash!.endedWhileDown).toBeGreaterThan(0); // so the recorded-status path was taken
    console.log(`crash with 20 running, ${crash!.queued} queued: ${crash!.endedWhileDown} ended while down; restart took ${crash!.restartMs} ms`);
  });

  it("a server killed at arbitrary moments, again and again, still runs every task exactly once", async () => {
    const plan = Array.from({ length: 60 }, (_, n) => ({ n, sleep: 0.05 + (n % 5) * 0.08, exit: n % 7 === 0 ? 5 : 0 }));
    // Crash once a few more tasks have finished each time, wherever each one is in its life.
    const crashes = [8, 20, 32, 44].map((done) => (tasks: Array<{ status: string }>) => tasks.length - countBy(tasks, "queued") - countBy(tasks, "running") >= done);
    const result = await runThroughCrashes(plan, 4, crashes);
    await expectEachRanOnce(result);
    console.log(`4 crashes during 60 short tasks: ${JSON.stringify(result.seen)}`);
  });
});
