import { FINISHED, epochMs, listTasks, submitTask } from "../support/api.ts";
import type { BenchContext, Metric } from "../support/context.ts";
import { ratioOf, skippedRow, type Row } from "../support/rows.ts";
import { registerNoop } from "../support/scripts.ts";
import { sh } from "../support/shell.ts";
import { startSpooler } from "../support/task-spooler.ts";
import { nowMs, pollUntil, runConcurrently, sleep } from "../support/timing.ts";

const METRIC = "end-to-end throughput, `true` tasks, concurrency 2";
const UNIT = "tasks/s";

/** N trivial tasks through a 2-slot queue, from the first submit to the last task finished. */
export const throughput: Metric = {
  name: METRIC,
  timeLimitMs: { full: 150_000, quick: 30_000 },
  tmpfs: true,
  async run(context) {
    const count = context.sizes.throughputTasks;
    context.log(`xargs -P2: ${count} × sh -c true`);
    const xargs = await sh(`seq ${count} | xargs -P2 -n1 sh -c true`, { timeoutMs: 60_000 });
    const xargsRate = count / (xargs.ms / 1000);

    context.log(`CubQueue: ${count} tasks`);
    const cubqueue = await measureCubQueue(context, count);

    const rows: Row[] = [
      {
        metric: `${METRIC} vs spawn limit`,
        value: cubqueue.rate,
        unit: UNIT,
        reference: "`seq N | xargs -P2 -n1 sh -c true`",
        referenceValue: xargsRate,
        ratio: ratioOf(cubqueue.rate, xargsRate, "higher-is-better"),
        target: "≥ 0.5× xargs",
        met: cubqueue.rate >= 0.5 * xargsRate,
        notes: `${count} tasks submitted by 8 concurrent HTTP clients while the queue runs; timed from the first submit to the last finished_at (${cubqueue.seconds.toFixed(2)} s)`,
      },
    ];

    const peer = "task-spooler `tsp -S 2`, same script";
    if ("skipped" in context.taskSpooler) {
      rows.push(skippedRow(`${METRIC} vs task-spooler`, UNIT, peer, "≥ 1.5× task-spooler", context.taskSpooler.skipped));
    } else {
      context.log(`task-spooler: ${count} jobs`);
      const tsp = await measureSpooler(context, context.taskSpooler.bin, cubqueue.scriptPath, count);
      rows.push({
        metric: `${METRIC} vs task-spooler`,
        value: cubqueue.rate,
        unit: UNIT,
        reference: peer,
        referenceValue: tsp.rate,
        ratio: ratioOf(cubqueue.rate, tsp.rate, "higher-is-better"),
        target: "≥ 1.5× task-spooler",
        met: cubqueue.rate >= 1.5 * tsp.rate,
        notes: `task-spooler: ${count} \`tsp sh noop.sh\` enqueued one after another while it runs (queue kept under 400 jobs, it hangs near 1000), output files kept like CubQueue's logs; ${tsp.seconds.toFixed(2)} s`,
      });
    }
    return rows;
  },
};

async function measureCubQueue(context: BenchContext, count: number) {
  const server = await context.startServer({ concurrency: 2 });
  const scriptPath = await registerNoop(server.url, context.dir);
  const startedAt = Date.now();
  await runConcurrently(count, context.sizes.submitClients, async () => {
    await submitTask(server.url, "noop");
  });
  await pollUntil(
    "CubQueue to finish the tasks",
    async () => {
      const [queued, running] = await Promise.all([
        listTasks(server.url, { status: "queued", limit: 1 }),
        listTasks(server.url, { status: "running", limit: 1 }),
      ]);
      return queued.tasks.length === 0 && running.tasks.length === 0 ? true : undefined;
    },
    120_000,
    25,
  );
  let lastFinish = 0;
  let succeeded = 0;
  let cursor: string | null = null;
  do {
    const page: Awaited<ReturnType<typeof listTasks>> = await listTasks(server.url, { limit: 1000, ...(cursor ? { cursor } : {}) });
    for (const task of page.tasks) {
      if (!FINISHED.has(task.status)) throw new Error(`task ${task.task_id} is still ${task.status}`);
      if (task.status === "succeeded") succeeded += 1;
      lastFinish = Math.max(lastFinish, epochMs(task.finished_at));
    }
    cursor = page.next_cursor;
  } while (cursor);
  if (succeeded !== count) throw new Error(`${succeeded} of ${count} tasks succeeded`);
  const seconds = (lastFinish - startedAt) / 1000;
  return { rate: count / seconds, seconds, scriptPath };
}

async function measureSpooler(context: BenchContext, bin: string, scriptPath: string, count: number) {
  const spooler = await startSpooler(bin, context.dir, 2);
  context.defer(() => spooler.close());
  const start = nowMs();
  for (let i = 0; i < count; i++) {
    if (i % 50 === 49) {
      // One process per queued job: keep the queue well below where it hangs.
      while (((await spooler.states()).queued ?? 0) > 400) await sleep(20);
    }
    await spooler.enqueue(["sh", scriptPath]);
  }
  await pollUntil(
    "task-spooler to finish its jobs",
    async () => {
      const states = await spooler.states();
      return (states.queued ?? 0) + (states.running ?? 0) === 0 ? states : undefined;
    },
    120_000,
    25,
  );
  const seconds = (nowMs() - start) / 1000;
  const states = await spooler.states();
  if ((states.finished ?? 0) !== count) throw new Error(`task-spooler finished ${states.finished ?? 0} of ${count} jobs`);
  return { rate: count / seconds, seconds };
}
