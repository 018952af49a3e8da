/**
 * `npm run bench:slurm`: Slurm's own submit→start latency and end-to-end rate, next to
 * CubQueue's through Slurm (a `cubqueue start --executor slurm` server), measured in one run
 * on the same cluster. The npm script runs it on a private single-node cluster
 * (tools/slurm-test-cluster.sh); with SLURM_CONF set, `node dist/bench/slurm.js` measures any.
 *
 * Latency: one job (or task) at a time on an idle cluster, from just before the submission to
 * the first instruction of the job's script (which writes the time, ms, into a file). Rate:
 * 100 trivial jobs submitted one after the other, from the first submission to the last end
 * that the submitter learns of (squeue for Slurm alone, the recorded finish for CubQueue).
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { promisify } from "node:util";
import { FINISHED, epochMs, getTask, listTasks, registerScript, submitTask } from "./support/api.ts";
import { startServerProcess } from "./support/server.ts";
import { percentile, pollUntil, sleep } from "./support/timing.ts";

const run = promisify(execFile);
const { values: options } = parseArgs({
  options: {
    samples: { type: "string", default: "10" },
    jobs: { type: "string", default: "100" },
    // The server's --slurm-poll: how soon it learns that a job has ended.
    poll: { type: "string", default: "2" },
  },
});
const SAMPLES = Number(options.samples);
const JOBS = Number(options.jobs);
const log = (message: string) => process.stderr.write(`bench:slurm: ${message}\n`);

if (!process.env.SLURM_CONF) log("SLURM_CONF is not set: measuring the cluster Slurm's commands find by themselves");

async function slurm(command: string, args: string[]): Promise<string> {
  return (await run(command, args)).stdout;
}

/** A job's state, or "" once forgotten. */
async function states(jobIds: string[]): Promise<Map<string, string>> {
  const out = await slurm("squeue", ["--noheader", "--states=all", `--jobs=${jobIds.join(",")}`, "--format=%i %T"]).catch(() => "");
  return new Map(out.split("\n").filter(Boolean).map((line) => line.trim().split(" ") as [string, string]));
}

const FINAL = new Set(["COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "PREEMPTED", "OUT_OF_MEMORY", "BOOT_FAIL", "DEADLINE"]);

async function waitJobsEnded(jobIds: string[], intervalMs: number): Promise<void> {
  await pollUntil(
    `${jobIds.length} Slurm jobs to end`,
    async () => {
      const known = await states(jobIds);
      return jobIds.every((id) => !known.has(id) || FINAL.has(known.get(id)!)) ? true : undefined;
    },
    300_000,
    intervalMs,
  );
}

/** Waits for a file the job's script writes, and reads the time (epoch ms) it holds. */
async function stampOf(path: string): Promise<number> {
  return pollUntil(
    `${path} to be written`,
    async () => {
      const text = (await readFile(path, "utf8").catch(() => "")).trim();
      return /^\d{13}$/.test(text) ? Number(text) : undefined;
    },
    60_000,
    5,
  );
}

async function slurmAloneLatency(): Promise<number[]> {
  log(`Slurm alone: ${SAMPLES} jobs one at a time`);
  const samples: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const stamp = join(dir, `slurm-start-${i}`);
    const before = Date.now();
    const jobId = (await slurm("sbatch", ["--parsable", "--output=/dev/null", `--wrap=date +%s%3N > ${stamp}`])).trim();
    samples.push((await stampOf(stamp)) - before);
    await waitJobsEnded([jobId], 20);
    await sleep(200);
  }
  return samples;
}

interface RateResult {
  perSecond: number;
  submitMs: number;
  totalMs: number;
  lastScriptRanMs: number;
}

async function slurmAloneRate(): Promise<RateResult> {
  log(`Slurm alone: ${JOBS} × sbatch --wrap true`);
  const started = Date.now();
  const jobIds: string[] = [];
  for (let i = 0; i < JOBS; i++) jobIds.push((await slurm("sbatch", ["--parsable", "--output=/dev/null", "--wrap=true"])).trim());
  const submitMs = Date.now() - started;
  await waitJobsEnded(jobIds, 100);
  const totalMs = Date.now() - started;
  await sleep(500);
  return { perSecond: JOBS / (totalMs / 1000), submitMs, totalMs, lastScriptRanMs: Number.NaN };
}

async function throughCubQueue(url: string, baseDir: string): Promise<{ latency: number[]; finishLatency: number[]; rate: RateResult }> {
  const stampScript = join(dir, "stamp.sh");
  await writeFile(stampScript, '#!/bin/sh\ndate +%s%3N > "$CUBQUEUE_OUTPUT_DIR/start"\n');
  await registerScript(url, "stamp", stampScript);
  log(`CubQueue through Slurm: ${SAMPLES} tasks one at a time`);
  const latency: number[] = [];
  const finishLatency: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const before = Date.now();
    const { task_id } = await submitTask(url, "stamp");
    latency.push((await stampOf(join(baseDir, "tasks", task_id, "output", "start"))) - before);
    const finished = await pollUntil("the task to finish", async () => {
      const task = await getTask(url, task_id);
      return FINISHED.has(task.status) ? task : undefined;
    }, 60_000, 10);
    finishLatency.push(epochMs(finished.finished_at) - before);
    await sleep(200);
  }

  log(`CubQueue through Slurm: ${JOBS} trivial tasks`);
  const started = Date.now();
  const ids: string[] = [];
  for (let i = 0; i < JOBS; i++) ids.push((await submitTask(url, "stamp")).task_id);
  const submitMs = Date.now() - started;
  const lastFinish = await pollUntil(
    `${JOBS} tasks to finish`,
    async () => {
      const page = await listTasks(url, { limit: 1000 });
      const ours = page.tasks.filter((task) => ids.includes(task.task_id));
      return ours.length === JOBS && ours.every((task) => FINISHED.has(task.status)) ? Math.max(...ours.map((task) => epochMs(task.finished_at))) : undefined;
    },
    600_000,
    100,
  );
  const scriptEnds = await Promise.all(ids.map((id) => stampOf(join(baseDir, "tasks", id, "output", "start"))));
  const totalMs = lastFinish - started;
  return { latency, finishLatency, rate: { perSecond: JOBS / (totalMs / 1000), submitMs, totalMs, lastScriptRanMs: Math.max(...scriptEnds) - started } };
}

/** Runs the measurements in order, each on an idle cluster, and prints one table. */
async function main(): Promise<void> {
  try {
    const slurmLatency = await slurmAloneLatency();
    const slurmRate = await slurmAloneRate();
    const server = await startServerProcess({ baseDir: join(dir, "base"), logDir: dir, args: ["--executor", "slurm", "--slurm-poll", options.poll] });
    let cubqueue: { latency: number[]; finishLatency: number[]; rate: RateResult };
    try {
      cubqueue = await throughCubQueue(server.url, join(dir, "base"));
    } finally {
      await server.stop();
    }
    const row = (metric: string, slurm: number, viaCubQueue: number, unit: string, better: "lower" | "higher") => {
      const ratio = better === "lower" ? viaCubQueue / slurm : slurm / viaCubQueue;
      return `| ${metric} | ${slurm.toFixed(unit === "ms" ? 0 : 1)} ${unit} | ${viaCubQueue.toFixed(unit === "ms" ? 0 : 1)} ${unit} | ${ratio.toFixed(2)}× |`;
    };
    const lines = [
      `Slurm vs CubQueue through Slurm (${SAMPLES} latency samples, ${JOBS} jobs for the rate, server --slurm-poll ${options.poll} s)`,
      "",
      "| metric | Slurm alone (sbatch --wrap) | CubQueue --executor slurm | CubQueue's cost |",
      "|---|---|---|---|",
      row("submit→start latency p50", percentile(slurmLatency, 50), percentile(cubqueue.latency, 50), "ms", "lower"),
      row("submit→start latency p95", percentile(slurmLatency, 95), percentile(cubqueue.latency, 95), "ms", "lower"),
      row(`end-to-end rate, ${JOBS} trivial jobs`, slurmRate.perSecond, cubqueue.rate.perSecond, "jobs/s", "higher"),
      "",
      `Slurm alone: ${JOBS} sbatch took ${(slurmRate.submitMs / 1000).toFixed(1)} s to submit, all ended after ${(slurmRate.totalMs / 1000).toFixed(1)} s.`,
      `CubQueue: ${JOBS} submissions took ${(cubqueue.rate.submitMs / 1000).toFixed(1)} s, the last script ran after ${(cubqueue.rate.lastScriptRanMs / 1000).toFixed(1)} s, ` +
        `the last end was recorded after ${(cubqueue.rate.totalMs / 1000).toFixed(1)} s; submit→finished recorded p50 ${percentile(cubqueue.finishLatency, 50).toFixed(0)} ms.`,
    ];
    process.stdout.write(`${lines.join("\n")}\n`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const dir = await mkdtemp(join(tmpdir(), "cubqueue-bench-slurm-"));
await main();
