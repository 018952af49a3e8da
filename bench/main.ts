/**
 * `npm run bench [-- --quick] [-- --out FILE] [-- --only NAME,…]`: measures CubQueue
 * against the machine's limits and a real peer, each row next to its reference
 * measured in the same run, prints one table and writes it as JSON.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { arraySubmit } from "./metrics/array-submit.ts";
import { download } from "./metrics/download.ts";
import { idle } from "./metrics/idle.ts";
import { largeDatabase } from "./metrics/large-database.ts";
import { latency } from "./metrics/latency.ts";
import { logTail } from "./metrics/log-tail.ts";
import { runnerCapacity } from "./metrics/runner-capacity.ts";
import { scheduling } from "./metrics/scheduling.ts";
import { submitRate } from "./metrics/submit-rate.ts";
import { throughput } from "./metrics/throughput.ts";
import { upload } from "./metrics/upload.ts";
import { sharedInput } from "./metrics/shared-input.ts";
import { watching } from "./metrics/watching.ts";
import { FULL, QUICK } from "./sizes.ts";
import type { Metric } from "./support/context.ts";
import { machineInfo, writeReport, type BenchReport } from "./support/results.ts";
import type { Row } from "./support/rows.ts";
import { runMetric } from "./support/run-metric.ts";
import { formatTable } from "./support/table.ts";
import { findTaskSpooler } from "./support/task-spooler.ts";
import { findTmpfs } from "./support/tmpfs.ts";
import { nowMs } from "./support/timing.ts";

/** The rows on a tmpfs come first: before them, no other row has deleted a tree on disk. */
const METRICS: readonly Metric[] = [
  runnerCapacity,
  throughput,
  submitRate,
  arraySubmit,
  latency,
  scheduling,
  upload,
  sharedInput,
  download,
  logTail,
  largeDatabase,
  idle,
  watching,
];
/** The whole run stays under this, whatever the machine: later rows get what is left. */
const RUN_LIMIT_MS = { full: 900_000, quick: 150_000 };
const RESULTS_DIR = fileURLToPath(new URL("../../bench/results/", import.meta.url));

const { values: args } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    out: { type: "string" },
    only: { type: "string" },
  },
});
const mode = args.quick ? "quick" : "full";
const only = args.only?.split(",").map((name) => name.trim().toLowerCase());
const metrics = METRICS.filter((metric) => !only || only.some((name) => metric.name.toLowerCase().includes(name)));

const started = nowMs();
const deadline = started + RUN_LIMIT_MS[mode];
const date = new Date();
const log = (message: string) => process.stderr.write(`bench: ${message}\n`);

log(`${mode} run, ${metrics.length} steps, at most ${RUN_LIMIT_MS[mode] / 1000} s`);
// The full run installs the peer when it is missing; the quick run (CI) only uses it if present.
const taskSpooler = await findTaskSpooler({ install: mode === "full" });
if ("skipped" in taskSpooler) log(`task-spooler rows skipped: ${taskSpooler.skipped}`);

const sizes = mode === "quick" ? QUICK : FULL;
const tmpRoot = await mkdtemp(join(tmpdir(), "cubqueue-bench-"));
const tmpfs = await findTmpfs(sizes.tmpfsBytes);
if ("skipped" in tmpfs) log(`no tmpfs: ${tmpfs.skipped}; every row's files are on disk`);
const tmpfsRoot = "dir" in tmpfs ? { dir: await mkdtemp(join(tmpfs.dir, "cubqueue-bench-")) } : tmpfs;
const rows: Row[] = [];
let failed = false;
try {
  for (const metric of metrics) {
    const outcome = await runMetric(metric, {
      mode,
      sizes,
      tmpRoot,
      tmpfsRoot,
      taskSpooler,
      deadline,
      log,
    });
    failed ||= outcome.failed;
    rows.push(...outcome.rows);
  }
} finally {
  await rm(tmpRoot, { recursive: true, force: true });
  if ("dir" in tmpfsRoot) await rm(tmpfsRoot.dir, { recursive: true, force: true });
}

const report: BenchReport = {
  date: date.toISOString(),
  mode,
  durationSeconds: Math.round((nowMs() - started) / 100) / 10,
  machine: machineInfo(),
  rows,
};
const out = args.out ?? join(RESULTS_DIR, mode === "quick" ? "quick" : "", `${date.toISOString().replace(/:/g, "-").replace(/\.\d+Z$/, "Z")}.json`);
await writeReport(out, report);

const machine = report.machine;
process.stdout.write(
  `\nCubQueue benchmark (${mode}), ${report.date}, ${machine.cpus} × ${machine.cpuModel}, ${(machine.memoryBytes / 2 ** 30).toFixed(0)} GiB, Node ${machine.node}, ${report.durationSeconds} s\n\n`,
);
process.stdout.write(formatTable(rows));
process.stdout.write(`\nResults written to ${out}\n`);
process.exitCode = failed ? 1 : 0;
