import { occupySlots } from "../support/busy-slots.ts";
import type { Metric } from "../support/context.ts";
import { cpuSince } from "../support/proc.ts";
import { ratioOf } from "../support/rows.ts";
import { registerNoop } from "../support/scripts.ts";
import { prepareSubmitForm, submitClient } from "../support/submit-client.ts";
import { nowMs, runConcurrently } from "../support/timing.ts";

/** How many arrays are timed: one would put a whole garbage collection, or none, in the row. */
const ARRAYS = 3;

/**
 * What one task of an array costs the server: N tasks in one POST /api/task/array
 * (the mean over ARRAYS such requests), against as many single submits to the same
 * server, both behind 2 busy slots so nothing runs meanwhile and the server's CPU
 * is the enqueueing alone.
 */
export const arraySubmit: Metric = {
  name: "array submit",
  timeLimitMs: { full: 90_000, quick: 20_000 },
  tmpfs: true,
  async run(context) {
    const { submits: count, submitClients: clients, steadySubmits } = context.sizes;
    const server = await context.startServer({ concurrency: 2 });
    await registerNoop(server.url, context.dir);
    const client = submitClient(server.url, clients);
    context.defer(() => client.close());
    await occupySlots(server.url, context.dir, client);
    const single = prepareSubmitForm("noop");
    const array = prepareSubmitForm("noop", count);
    // Handlers compiled first, as in a server that has been up a while (an array of the same size
    // among them: its loops are not a small one's); not counted.
    await runConcurrently(steadySubmits, clients, async () => void (await client.submit(single)));
    await client.submitArray(array);

    context.log(`${ARRAYS} arrays of ${count} tasks, one request each`);
    let serverCpu = cpuSince(server.pid);
    const start = nowMs();
    for (let round = 0; round < ARRAYS; round++) {
      const ids = await client.submitArray(array);
      if (ids.length !== count) throw new Error(`the array made ${ids.length} of ${count} tasks`);
    }
    const arrayMs = (nowMs() - start) / ARRAYS;
    const arrayCpuMs = (serverCpu() * 1000) / (ARRAYS * count);

    context.log(`${count} single submits from ${clients} clients`);
    serverCpu = cpuSince(server.pid);
    const singleMs = await runConcurrently(count, clients, async () => void (await client.submit(single)));
    const singleCpuMs = (serverCpu() * 1000) / count;
    await server.stop();

    return [
      {
        metric: `array submit of ${count} tasks: server CPU per task`,
        value: arrayCpuMs,
        unit: "ms",
        reference: `server CPU per single submit (${count}, ${clients} clients)`,
        referenceValue: singleCpuMs,
        ratio: ratioOf(arrayCpuMs, singleCpuMs, "lower-is-better"),
        target: "≤ 0.3 ms",
        met: arrayCpuMs <= 0.3,
        notes: `${ARRAYS} POST /api/task/array of ${count} \`{}\` argument files each (${(array.body.length / 1000).toFixed(0)} kB, prebuilt, node:http) behind 2 busy slots, ${arrayMs.toFixed(0)} ms each (${Math.round(count / (arrayMs / 1000)).toLocaleString("en-US")} tasks/s); the single submits: ${Math.round(count / (singleMs / 1000)).toLocaleString("en-US")}/s; utime+stime of the server process (/proc/<pid>/stat), after ${steadySubmits} single submits and one array of ${count} not counted`,
      },
    ];
  },
};
