import type { Metric } from "../support/context.ts";
import { readCpuSeconds, readMemory } from "../support/proc.ts";
import { registerNoop } from "../support/scripts.ts";
import { FINISHED, getTask, submitTask } from "../support/api.ts";
import { pollUntil, sleep } from "../support/timing.ts";

/** A server with nothing to do: CPU time used over the idle period, and its resident memory. */
export const idle: Metric = {
  name: "idle server",
  timeLimitMs: { full: 40_000, quick: 15_000 },
  async run(context) {
    const seconds = context.sizes.idleSeconds;
    const server = await context.startServer({ concurrency: 2 });
    // Some use first, as a real server would have had.
    await registerNoop(server.url, context.dir);
    const submitted = [];
    for (let i = 0; i < 5; i++) submitted.push((await submitTask(server.url, "noop")).task_id);
    // Idle means nothing left to do: every task finished, and a moment for the last responses and timers to settle.
    for (const taskId of submitted) await pollUntil(`task ${taskId} to finish`, async () => (FINISHED.has((await getTask(server.url, taskId)).status) ? true : undefined), 10_000);
    await sleep(2000);
    context.log(`idle for ${seconds} s`);
    const cpuBefore = readCpuSeconds(server.pid);
    await sleep(seconds * 1000);
    const cpu = readCpuSeconds(server.pid) - cpuBefore;
    const memory = readMemory(server.pid);
    return [
      {
        metric: `idle server for ${seconds} s: CPU used`,
        value: cpu,
        unit: "CPU s",
        reference: "— (absolute)",
        referenceValue: null,
        ratio: null,
        target: "≈ 0 (≤ 0.02 s)",
        met: cpu <= 0.02,
        notes: "utime+stime from /proc/<pid>/stat before and after; measured from 2 s after 5 tasks finished; clock-tick resolution 0.01 s",
      },
      {
        metric: "idle server: RSS",
        value: memory.rss / 1e6,
        unit: "MB",
        reference: "— (absolute)",
        referenceValue: null,
        ratio: null,
        target: "—",
        met: null,
        notes: `VmRSS; peak so far (VmHWM) ${(memory.peakRss / 1e6).toFixed(0)} MB`,
      },
    ];
  },
};
