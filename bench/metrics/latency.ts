import { spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { FINISHED, epochMs, getTask } from "../support/api.ts";
import type { Metric } from "../support/context.ts";
import { ratioOf, type Row } from "../support/rows.ts";
import { registerNoop } from "../support/scripts.ts";
import { prepareSubmitForm, submitClient } from "../support/submit-client.ts";
import { nowMs, percentile, sleep } from "../support/timing.ts";

/** Targets of submit→start, by percentile. */
const START_TARGET_MS: Partial<Record<number, number>> = { 50: 5, 95: 10 };

/**
 * One task at a time on an idle queue: from just before the submit request to the
 * task's recorded start (claimed, attempt opened; its process is spawned right
 * after) and to its recorded finish (the script has run and its exit was seen).
 * Both server times are on the same clock as the bench (same machine). The submit
 * is sent over node:http keep-alive with a prebuilt body; the status is then asked
 * every 10 ms, which only decides when the next sample may start.
 */
export const latency: Metric = {
  name: "submit→start latency, idle queue",
  timeLimitMs: { full: 60_000, quick: 20_000 },
  tmpfs: true,
  async run(context) {
    const samples = context.sizes.latencySamples;
    const server = await context.startServer({ concurrency: 2 });
    const scriptPath = await registerNoop(server.url, context.dir);
    const client = submitClient(server.url, 1);
    context.defer(() => client.close());
    const form = prepareSubmitForm("noop");
    const toStart: number[] = [];
    const toFinish: number[] = [];
    context.log(`CubQueue: ${samples} tasks one at a time`);
    for (let i = 0; i < samples; i++) {
      await sleep(30); // idle again: nothing queued, nothing running
      const before = Date.now();
      const task_id = await client.submit(form);
      let task = await getTask(server.url, task_id);
      const deadline = Date.now() + 10_000;
      while (!FINISHED.has(task.status)) {
        if (Date.now() > deadline) throw new Error(`task ${task_id} did not finish within 10 s`);
        await sleep(10);
        task = await getTask(server.url, task_id);
      }
      toStart.push(epochMs(task.started_at) - before);
      toFinish.push(epochMs(task.finished_at) - before);
    }

    context.log(`direct spawn: ${samples} × sh noop.sh`);
    const argFile = join(context.dir, "args.json");
    await writeFile(argFile, "{}\n");
    const spawnOnly: number[] = [];
    const spawnToExit: number[] = [];
    for (let i = 0; i < samples; i++) {
      const times = await spawnDirectly(["/bin/sh", scriptPath, argFile], context.dir);
      spawnOnly.push(times.spawned);
      spawnToExit.push(times.exited);
    }

    const row = (metric: string, p: number, cubqueue: number[], reference: number[], referenceName: string, notes: string): Row => {
      const value = percentile(cubqueue, p);
      const referenceValue = percentile(reference, p);
      const limit = metric.includes("start") ? START_TARGET_MS[p] : undefined;
      return {
        metric,
        value,
        unit: "ms",
        reference: referenceName,
        referenceValue,
        ratio: ratioOf(value, referenceValue, "lower-is-better"),
        target: limit === undefined ? "—" : `p${p} ≤ ${limit} ms`,
        met: limit === undefined ? null : value <= limit,
        notes,
      };
    };
    const spawnName = "spawn `sh noop.sh` directly (to 'spawn')";
    const exitName = "spawn `sh noop.sh` directly, to exit";
    const startNote = `${samples} samples, one at a time on an idle queue; submit request sent (node:http keep-alive, prebuilt body) → started_at recorded (ms clock)`;
    const finishNote = `${samples} samples; submit request sent → finished_at recorded, i.e. spawned, ran and reaped`;
    return [
      row("submit→start latency p50, idle queue", 50, toStart, spawnOnly, spawnName, startNote),
      row("submit→start latency p95, idle queue", 95, toStart, spawnOnly, spawnName, startNote),
      row("submit→finished latency p50, idle queue", 50, toFinish, spawnToExit, exitName, finishNote),
      row("submit→finished latency p95, idle queue", 95, toFinish, spawnToExit, exitName, finishNote),
    ];
  },
};

/** Spawns a command as the runner does (own process group, output to a file is skipped) and times it. */
function spawnDirectly(command: string[], cwd: string): Promise<{ spawned: number; exited: number }> {
  return new Promise((resolve, reject) => {
    const start = nowMs();
    let spawned = Number.NaN;
    const child = spawn(command[0]!, command.slice(1), { cwd, detached: true, stdio: "ignore" });
    child.once("spawn", () => (spawned = nowMs() - start));
    child.once("error", reject);
    child.once("exit", () => resolve({ spawned, exited: nowMs() - start }));
  });
}
