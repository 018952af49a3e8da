import { FINISHED, getTask, submitTask } from "../support/api.ts";
import type { Metric } from "../support/context.ts";
import { readCpuSeconds, readMemory } from "../support/proc.ts";
import type { Row } from "../support/rows.ts";
import { registerNoop } from "../support/scripts.ts";
import { pollUntil, sleep } from "../support/timing.ts";

/**
 * A server with nothing to do: CPU time used over two back-to-back windows, and
 * its resident memory. The first window starts 2 s after the last task finished
 * and lasts twice as long as the second, so that it includes V8's memory reducer,
 * which shrinks the heap with a few full GCs 8 to 15 s after activity stops (seen
 * with --trace-gc as "Mark-Compact (reduce)"); the second window is the steady state.
 */
export const idle: Metric = {
  name: "idle server",
  timeLimitMs: { full: 60_000, quick: 15_000 },
  async run(context) {
    const seconds = context.sizes.idleSeconds;
    const server = await context.startServer({ concurrency: 2 });
    // Some use first, as a real server would have had.
    await registerNoop(server.url, context.dir);
    const submitted = [];
    for (let i = 0; i < 5; i++) submitted.push((await submitTask(server.url, "noop")).task_id);
    // Idle means nothing left to do: every task finished, and a moment for the last responses to settle.
    for (const taskId of submitted) {
      await pollUntil(`task ${taskId} to finish`, async () => (FINISHED.has((await getTask(server.url, taskId)).status) ? true : undefined), 10_000);
    }
    await sleep(2000);

    /** CPU seconds in each second of a window, so a one-off shows apart from a steady cost. */
    const window = async (length: number) => {
      const perSecond: number[] = [];
      let last = readCpuSeconds(server.pid);
      for (let second = 0; second < length; second++) {
        await sleep(1000);
        const now = readCpuSeconds(server.pid);
        perSecond.push(Math.round((now - last) * 100) / 100);
        last = now;
      }
      return { total: perSecond.reduce((sum, value) => sum + value, 0), perSecond };
    };
    context.log(`idle for ${2 * seconds} s, then ${seconds} s`);
    const afterActivity = await window(2 * seconds);
    const steady = await window(seconds);
    const memory = readMemory(server.pid);

    const cpuRow = (metric: string, measured: { total: number; perSecond: number[] }, steadyState: boolean, notes: string): Row => ({
      metric,
      value: measured.total,
      unit: "CPU s",
      reference: "— (absolute)",
      referenceValue: null,
      ratio: null,
      target: steadyState ? "≈ 0 (≤ 0.02 s)" : "—",
      met: steadyState ? measured.total <= 0.02 : null,
      notes: `${notes}; utime+stime from /proc/<pid>/stat, per second: ${measured.perSecond.join(" ")} (clock ticks of 0.01 s)`,
    });
    return [
      cpuRow(`idle server, ${2 * seconds} s from 2 s after its last task: CPU used`, afterActivity, false, "includes V8's one-off heap-shrinking GCs 8 to 15 s after activity stops"),
      cpuRow(`idle server, the next ${seconds} s: CPU used`, steady, true, "steady state: no timers, no polling"),
      {
        metric: "idle server: RSS",
        value: memory.rss / 1e6,
        unit: "MB",
        reference: "— (absolute)",
        referenceValue: null,
        ratio: null,
        target: "—",
        met: null,
        notes: `VmRSS after both windows; peak so far (VmHWM) ${(memory.peakRss / 1e6).toFixed(0)} MB`,
      },
    ];
  },
};
