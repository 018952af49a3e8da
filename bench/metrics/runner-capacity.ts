import { setQueuePaused } from "../support/api.ts";
import type { Metric } from "../support/context.ts";
import { cpuPerOperation, cpuSince } from "../support/proc.ts";
import { lastFinishedAt, waitUntilDrained } from "../support/queue-drained.ts";
import { ratioOf } from "../support/rows.ts";
import { registerNoop } from "../support/scripts.ts";
import { SPAWN_LIMIT, spawnLimitRate } from "../support/spawn-limit.ts";
import { prepareSubmitForm, submitClient } from "../support/submit-client.ts";
import { sleep } from "../support/timing.ts";

const METRIC = "runner capacity";
const UNIT = "tasks/s";

/**
 * How fast the runner alone goes through a queue: N `true` tasks are queued while
 * the queue is paused (one array submit), then resume starts the clock, which ends
 * at the last finished_at. No submit competes with the runner meanwhile.
 */
export const runnerCapacity: Metric = {
  name: METRIC,
  timeLimitMs: { full: 180_000, quick: 30_000 },
  tmpfs: true,
  async run(context) {
    const count = context.sizes.throughputTasks;
    context.log(`xargs -P2: ${count} × sh -c true`);
    const xargsRate = await spawnLimitRate(count);

    context.log(`CubQueue: ${count} queued tasks, then resume`);
    const server = await context.startServer({ concurrency: 2 });
    await registerNoop(server.url, context.dir);
    await setQueuePaused(server.url, true);
    const client = submitClient(server.url, 1);
    context.defer(() => client.close());
    const ids = await client.submitArray(prepareSubmitForm("noop", count));
    if (ids.length !== count) throw new Error(`the array made ${ids.length} of ${count} tasks`);
    // Whatever the submit left to do is done before the window opens.
    await sleep(500);

    const serverCpu = cpuSince(server.pid);
    const startedAt = Date.now();
    await setQueuePaused(server.url, false);
    await waitUntilDrained(server.url, count, 150_000);
    const cpu = serverCpu();
    const seconds = ((await lastFinishedAt(server.url, count)) - startedAt) / 1000;
    const rate = count / seconds;
    return [
      {
        metric: `runner capacity: ${count} \`true\` tasks already queued, concurrency 2`,
        value: rate,
        unit: UNIT,
        reference: SPAWN_LIMIT,
        referenceValue: xargsRate,
        ratio: ratioOf(rate, xargsRate, "higher-is-better"),
        target: "≥ 0.6× xargs",
        met: rate >= 0.6 * xargsRate,
        notes: `${count} tasks queued by one array submit while paused; timed from POST /api/queue/resume to the last finished_at (${seconds.toFixed(2)} s); ${cpuPerOperation(cpu, count, "task")} (resume to drained)`,
      },
    ];
  },
};
