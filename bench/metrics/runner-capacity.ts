import { setQueuePaused } from "../support/api.ts";
import type { BenchContext, Metric } from "../support/context.ts";
import { cpuPerOperation, cpuSince, launcherCpuSince } from "../support/proc.ts";
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
    const launched = await drainQueued(context, count, []);
    // The same queue with the server forking every task itself: what the task launcher saves.
    context.log(`CubQueue --launcher off: ${count} queued tasks, then resume`);
    const forked = await drainQueued(context, count, ["--launcher", "off"]);
    const row = (how: string, { rate, seconds, cpu, launcher }: Drained, target?: number) => ({
      metric: `runner capacity: ${count} \`true\` tasks already queued, concurrency 2${how}`,
      value: rate,
      unit: UNIT,
      reference: SPAWN_LIMIT,
      referenceValue: xargsRate,
      ratio: ratioOf(rate, xargsRate, "higher-is-better"),
      ...(target === undefined ? { target: "—", met: null } : { target: `≥ ${target}× xargs`, met: rate >= target * xargsRate }),
      notes: `${count} tasks queued by one array submit while paused; timed from POST /api/queue/resume to the last finished_at (${seconds.toFixed(2)} s); ${cpuPerOperation(cpu, count, "task")}${launcher > 0 ? `, its task launcher's ${((launcher * 1000) / count).toFixed(2)} ms` : ""} (resume to drained)`,
    });
    return [row("", launched, 0.6), row(", started by the server itself (--launcher off)", forked)];
  },
};

interface Drained {
  rate: number;
  seconds: number;
  /** The server's CPU seconds over the window. */
  cpu: number;
  /** Its task launcher's (0 without one). */
  launcher: number;
}

/** Queues `count` noop tasks on a paused server started with `args`, resumes, and times the drain. */
async function drainQueued(context: BenchContext, count: number, args: string[]): Promise<Drained> {
  const server = await context.startServer({ concurrency: 2, args });
  await registerNoop(server.url, context.dir);
  await setQueuePaused(server.url, true);
  const client = submitClient(server.url, 1);
  context.defer(() => client.close());
  const ids = await client.submitArray(prepareSubmitForm("noop", count));
  if (ids.length !== count) throw new Error(`the array made ${ids.length} of ${count} tasks`);
  // Whatever the submit left to do is done before the window opens.
  await sleep(500);

  const serverCpu = cpuSince(server.pid);
  const launcherCpu = launcherCpuSince(server.pid);
  const startedAt = Date.now();
  await setQueuePaused(server.url, false);
  await waitUntilDrained(server.url, count, 150_000);
  const cpu = serverCpu();
  const launcher = launcherCpu();
  const seconds = ((await lastFinishedAt(server.url, count)) - startedAt) / 1000;
  return { rate: count / seconds, seconds, cpu, launcher };
}
