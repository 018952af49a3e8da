import type { BenchContext, Metric } from "../support/context.ts";
import { occupySlots } from "../support/busy-slots.ts";
import { cpuSince } from "../support/proc.ts";
import { ratioOf } from "../support/rows.ts";
import { registerNoop } from "../support/scripts.ts";
import { feedScript } from "../support/spooler-feed.ts";
import { prepareSubmitForm, submitClient } from "../support/submit-client.ts";
import { startSpooler } from "../support/task-spooler.ts";
import { runConcurrently } from "../support/timing.ts";

const METRIC = "submit rate";
const UNIT = "submits/s";

/**
 * Pure enqueue cost: both slots are first taken by long-sleeping jobs, so what is
 * submitted only queues up and nothing else competes for the CPU. Single submits
 * over node:http keep-alive with a prebuilt body, so the client costs little; the
 * server's own CPU per submit is its own row.
 */
export const submitRate: Metric = {
  name: METRIC,
  timeLimitMs: { full: 90_000, quick: 20_000 },
  tmpfs: true,
  async run(context) {
    const { submits, submitClients: clients, warmupSubmits, steadySubmits } = context.sizes;
    context.log(`CubQueue: ${submits} submits from ${clients} clients, just after start and after ${steadySubmits}`);
    const server = await context.startServer({ concurrency: 2 });
    const noopPath = await registerNoop(server.url, context.dir);
    const client = submitClient(server.url, clients);
    context.defer(() => client.close());
    const blocker = await occupySlots(server.url, context.dir, client);
    const form = prepareSubmitForm("noop");
    const send = (count: number) => runConcurrently(count, clients, async () => void (await client.submit(form)));
    const measure = async () => {
      const serverCpu = cpuSince(server.pid);
      const clientCpu = cpuSince(process.pid);
      const ms = await send(submits);
      return { rate: submits / (ms / 1000), cpuMs: (serverCpu() * 1000) / submits, clientCpuMs: (clientCpu() * 1000) / submits };
    };
    // Just after start: V8 is still compiling the submit's paths, on a thread of its own. Shown in
    // the notes; the rows time the steady state, as of a server that has been up a while.
    await send(warmupSubmits);
    const cold = await measure();
    await send(Math.max(0, steadySubmits - warmupSubmits - submits));
    const { rate, cpuMs, clientCpuMs } = await measure();
    const coldNote = `the ${submits} after the first ${warmupSubmits} after start: ${cold.rate.toFixed(0)}/s, ${cold.cpuMs.toFixed(2)} ms each`;
    await server.stop();

    const spooler = "skipped" in context.taskSpooler ? undefined : await measureSpooler(context, context.taskSpooler.bin, blocker, noopPath);
    const peerNote =
      "skipped" in context.taskSpooler
        ? `peer skipped: ${context.taskSpooler.skipped}`
        : `task-spooler: ${context.sizes.spoolerSubmits} enqueues by one /bin/sh loop behind its 2 busy slots (it keeps a process per queued job and hangs near 1000)`;
    return [
      {
        metric: `${METRIC} over HTTP, no files, ${clients} clients`,
        value: rate,
        unit: UNIT,
        reference: "task-spooler enqueue from a shell loop (`tsp sh noop.sh`)",
        referenceValue: spooler ?? null,
        ratio: ratioOf(rate, spooler ?? null, "higher-is-better"),
        target: "≥ 1,000/s",
        met: rate >= 1000,
        notes: `${submits} single POST /api/task (after ${steadySubmits} not counted) from ${clients} node:http keep-alive clients, a prebuilt ${form.body.length}-byte multipart body each, behind 2 busy slots so nothing runs meanwhile; ${coldNote}; ${peerNote}`,
      },
      {
        metric: "server CPU per submit",
        value: cpuMs,
        unit: "ms",
        reference: "— (absolute)",
        referenceValue: null,
        ratio: null,
        target: "≤ 0.8 ms",
        met: cpuMs <= 0.8,
        notes: `utime+stime of the server process (/proc/<pid>/stat) over the ${submits} submits above, per submit; ${coldNote}; the bench's client took ${clientCpuMs.toFixed(2)} ms per submit`,
      },
    ];
  },
};

/** Enqueues per second into task-spooler from one shell loop, behind two jobs holding its slots. */
async function measureSpooler(context: BenchContext, bin: string, blocker: string, noopPath: string): Promise<number> {
  const count = context.sizes.spoolerSubmits;
  context.log(`task-spooler: ${count} enqueues from a shell loop`);
  const spooler = await startSpooler(bin, context.dir, 2);
  context.defer(() => spooler.close());
  const blockers = [await spooler.enqueue(["sh", blocker]), await spooler.enqueue(["sh", blocker])];
  // Nothing can run behind the blockers: the queue is not held under a limit, the count is kept under it.
  const feed = await spooler.shell(feedScript(count, `sh '${noopPath}'`, { holdQueue: false, waitDone: false }), 60_000);
  for (const id of blockers) await spooler.killJob(id);
  return count / (feed.ms / 1000);
}
