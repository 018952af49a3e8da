import type { BenchContext, Metric } from "../support/context.ts";
import { cpuPerOperation, cpuSince } from "../support/proc.ts";
import { lastFinishedAt, waitUntilDrained } from "../support/queue-drained.ts";
import { ratioOf, skippedRow, type Row } from "../support/rows.ts";
import { registerNoop } from "../support/scripts.ts";
import { SPAWN_LIMIT, spawnLimitRate } from "../support/spawn-limit.ts";
import { feedScript } from "../support/spooler-feed.ts";
import { prepareSubmitForm, submitClient } from "../support/submit-client.ts";
import { startSpooler } from "../support/task-spooler.ts";
import { runConcurrently } from "../support/timing.ts";

const METRIC = "end-to-end throughput";
const UNIT = "tasks/s";

/**
 * N trivial tasks through a 2-slot queue, from the first submit to the last task
 * finished: submitted one by one while the queue runs (8 clients), or as one array.
 */
export const throughput: Metric = {
  name: METRIC,
  timeLimitMs: { full: 600_000, quick: 30_000 },
  tmpfs: true,
  async run(context) {
    const count = context.sizes.throughputTasks;
    const clients = context.sizes.submitClients;
    const rounds = context.sizes.throughputRounds;
    const spooler = "skipped" in context.taskSpooler ? undefined : context.taskSpooler.bin;
    // Rounds interleave CubQueue and its references, so that a change in the machine's speed (a
    // shared machine's moves by a quarter within an hour) moves them alike; the fastest run of each counts.
    let xargsRate = 0;
    let single: CubQueueRun | undefined;
    let array: CubQueueRun | undefined;
    let tsp: { rate: number; seconds: number } | undefined;
    for (let round = 1; round <= rounds; round++) {
      context.log(`round ${round} of ${rounds}: xargs -P2, ${count} single submits from ${clients} clients, one array of ${count}${spooler ? ", task-spooler" : ""}`);
      xargsRate = Math.max(xargsRate, await spawnLimitRate(count));
      single = faster(single, await measureCubQueue(context, count, "single"));
      array = faster(array, await measureCubQueue(context, count, "array"));
      if (spooler) tsp = faster(tsp, await measureSpooler(context, spooler, single.scriptPath, count));
    }
    if (!single || !array) throw new Error("no round was run");
    const fastest = rounds > 1 ? `; fastest of ${rounds} rounds, each run beside its references` : "";

    const singleMetric = `${METRIC}, ${count} single submits, concurrency 2`;
    const singleNotes = `${count} \`true\` tasks submitted over node:http keep-alive by ${clients} concurrent clients while the queue runs, after ${context.sizes.warmupSubmits} not counted; timed from the first submit to the last finished_at (${single.seconds.toFixed(2)} s); ${cpuPerOperation(single.cpu, count, "task")} (submit, run, finish)${fastest}`;
    const rows: Row[] = [
      {
        metric: `${singleMetric} vs spawn limit`,
        value: single.rate,
        unit: UNIT,
        reference: SPAWN_LIMIT,
        referenceValue: xargsRate,
        ratio: ratioOf(single.rate, xargsRate, "higher-is-better"),
        target: "≥ 0.3× xargs",
        met: single.rate >= 0.3 * xargsRate,
        notes: singleNotes,
      },
    ];

    const peer = "task-spooler `tsp -S 2` fed from a shell loop, same script";
    if ("skipped" in context.taskSpooler || !tsp) {
      rows.push(skippedRow(`${singleMetric} vs task-spooler`, UNIT, peer, "≥ 1.2× task-spooler", "skipped" in context.taskSpooler ? context.taskSpooler.skipped : "not run"));
    } else {
      rows.push({
        metric: `${singleMetric} vs task-spooler`,
        value: single.rate,
        unit: UNIT,
        reference: peer,
        referenceValue: tsp.rate,
        ratio: ratioOf(single.rate, tsp.rate, "higher-is-better"),
        target: "≥ 1.2× task-spooler",
        met: single.rate >= 1.2 * tsp.rate,
        notes: `task-spooler: one /bin/sh loop runs \`tsp sh noop.sh\` ${count} times while it runs them (queue kept under 400 jobs, it hangs near 1000), then waits for the last; output files kept like CubQueue's logs; ${tsp.seconds.toFixed(2)} s${fastest}`,
      });
    }

    rows.push({
      metric: `${METRIC}, one array submit of ${count}, concurrency 2 vs spawn limit`,
      value: array.rate,
      unit: UNIT,
      reference: SPAWN_LIMIT,
      referenceValue: xargsRate,
      ratio: ratioOf(array.rate, xargsRate, "higher-is-better"),
      target: "≥ 0.5× xargs",
      met: array.rate >= 0.5 * xargsRate,
      notes: `${count} \`true\` tasks in one POST /api/task/array into a running queue, after an array of ${context.sizes.warmupSubmits} not counted; timed from sending it to the last finished_at (${array.seconds.toFixed(2)} s); ${cpuPerOperation(array.cpu, count, "task")} (submit, run, finish)${fastest}`,
    });
    return rows;
  },
};

/**
 * A fresh server: `count` tasks submitted one by one or as one array, timed until the last has
 * finished. The same kind of submission of `warmupSubmits` tasks runs through first, not timed:
 * the row measures a server in its steady state, as the submit rows do, not its JIT warming up.
 */
async function measureCubQueue(context: BenchContext, count: number, how: "single" | "array"): Promise<CubQueueRun> {
  const server = await context.startServer({ concurrency: 2 });
  const scriptPath = await registerNoop(server.url, context.dir);
  const clients = how === "single" ? context.sizes.submitClients : 1;
  const client = submitClient(server.url, clients);
  context.defer(() => client.close());
  const form = prepareSubmitForm("noop", how === "single" ? 1 : count);

  const warmup = context.sizes.warmupSubmits;
  if (how === "single") await runConcurrently(warmup, clients, async () => void (await client.submit(form)));
  else await client.submitArray(prepareSubmitForm("noop", warmup));
  await waitUntilDrained(server.url, warmup, 150_000);

  const serverCpu = cpuSince(server.pid);
  const startedAt = Date.now();
  if (how === "single") {
    await runConcurrently(count, clients, async () => {
      await client.submit(form);
    });
  } else {
    await client.submitArray(form);
  }
  await waitUntilDrained(server.url, warmup + count, 150_000);
  const cpu = serverCpu();
  const seconds = ((await lastFinishedAt(server.url, warmup + count)) - startedAt) / 1000;
  await server.stop();
  return { rate: count / seconds, seconds, cpu, scriptPath };
}

interface CubQueueRun {
  rate: number;
  seconds: number;
  /** Server CPU seconds over the timed part. */
  cpu: number;
  scriptPath: string;
}

/** The faster of two runs (the first run, when there is no other yet). */
function faster<T extends { rate: number }>(best: T | undefined, run: T): T {
  return best === undefined || run.rate > best.rate ? run : best;
}

/** task-spooler fed by one shell loop, timed from the loop's start to the last job's end. */
async function measureSpooler(context: BenchContext, bin: string, scriptPath: string, count: number) {
  const spooler = await startSpooler(bin, context.dir, 2);
  context.defer(() => spooler.close());
  try {
    const feed = await spooler.shell(feedScript(count, `sh '${scriptPath}'`, { holdQueue: true, waitDone: true }), 120_000);
    const states = await spooler.states();
    if ((states.finished ?? 0) !== count) throw new Error(`task-spooler finished ${states.finished ?? 0} of ${count} jobs`);
    return { rate: count / (feed.ms / 1000), seconds: feed.ms / 1000 };
  } finally {
    // Its server idles with the jobs' list until closed: not beside the next round.
    await spooler.close();
  }
}
