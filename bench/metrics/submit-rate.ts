import { join } from "node:path";
import { pollUntilRunning, registerScript, submitTask } from "../support/api.ts";
import type { BenchContext, Metric } from "../support/context.ts";
import { writeScript } from "../support/files.ts";
import { ratioOf } from "../support/rows.ts";
import { registerNoop } from "../support/scripts.ts";
import { startSpooler } from "../support/task-spooler.ts";
import { runConcurrently } from "../support/timing.ts";

const METRIC = "submit rate over HTTP, no files, 8 clients";
const UNIT = "submits/s";
const TARGET = "≥ 1,000/s and ≥ task-spooler";

/**
 * Pure enqueue cost: both slots are first taken by long-sleeping jobs, so what is
 * submitted only queues up and nothing else competes for the CPU.
 */
export const submitRate: Metric = {
  name: METRIC,
  timeLimitMs: { full: 90_000, quick: 20_000 },
  tmpfs: true,
  async run(context) {
    const { submits, submitClients } = context.sizes;
    const blocker = join(context.dir, "block.sh");
    await writeScript(blocker, "#!/bin/sh\nexec sleep 120\n");

    context.log(`CubQueue: ${submits} submits from ${submitClients} clients`);
    const server = await context.startServer({ concurrency: 2 });
    const noopPath = await registerNoop(server.url, context.dir);
    await registerScript(server.url, "block", blocker);
    for (let i = 0; i < 2; i++) await pollUntilRunning(server.url, (await submitTask(server.url, "block")).task_id);
    const ms = await runConcurrently(submits, submitClients, async () => {
      await submitTask(server.url, "noop");
    });
    const rate = submits / (ms / 1000);
    await server.stop();

    const peer = "task-spooler enqueue (`tsp sh noop.sh`), 8 at once";
    if ("skipped" in context.taskSpooler) {
      const reason = context.taskSpooler.skipped;
      return [{ metric: METRIC, value: rate, unit: UNIT, reference: peer, referenceValue: null, ratio: null, target: TARGET, met: rate >= 1000, notes: `peer skipped: ${reason}` }];
    }
    const spoolerRate = await measureSpooler(context, context.taskSpooler.bin, blocker, noopPath);
    return [
      {
        metric: METRIC,
        value: rate,
        unit: UNIT,
        reference: peer,
        referenceValue: spoolerRate,
        ratio: ratioOf(rate, spoolerRate, "higher-is-better"),
        target: TARGET,
        met: rate >= 1000,
        notes: `${submits} submits (task-spooler: ${context.sizes.spoolerSubmits}, it keeps a process per queued job) behind 2 busy slots, so nothing runs meanwhile; 1 KB multipart body each`,
      },
    ];
  },
};

async function measureSpooler(context: BenchContext, bin: string, blocker: string, noopPath: string): Promise<number> {
  const count = context.sizes.spoolerSubmits;
  context.log(`task-spooler: ${count} enqueues`);
  const spooler = await startSpooler(bin, context.dir, 2);
  context.defer(() => spooler.close());
  const blockers = [await spooler.enqueue(["sh", blocker]), await spooler.enqueue(["sh", blocker])];
  const ms = await runConcurrently(count, context.sizes.submitClients, async () => {
    await spooler.enqueue(["sh", noopPath]);
  });
  for (const id of blockers) await spooler.killJob(id);
  return count / (ms / 1000);
}

