import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, onTestFinished, test } from "vitest";
import { makeTempDir } from "../support/temp-dir.ts";

/** The built bench (npm test builds it first), run as `npm run bench -- --quick` runs it. */
const BENCH_ENTRY = fileURLToPath(new URL("../../dist/bench/main.js", import.meta.url));

/** Every figure the table must have, by the start of its metric name. */
const EXPECTED_ROWS = [
  "runner capacity: 30 `true` tasks already queued, concurrency 2",
  "runner capacity: 30 `true` tasks already queued, concurrency 2, started by the server itself (--launcher off)",
  "end-to-end throughput, 30 single submits, concurrency 2 vs spawn limit",
  "end-to-end throughput, 30 single submits, concurrency 2 vs task-spooler",
  "end-to-end throughput, one array submit of 30, concurrency 2 vs spawn limit",
  "submit rate over HTTP",
  "server CPU per submit",
  "array submit of 40 tasks: server CPU per task",
  "submit→start latency p50",
  "submit→start latency p95",
  "choose the next tasks, 2,000 queued, p50",
  "upload 32 MiB, resumable (tus PATCH) by curl vs minimal receiver",
  "upload 32 MiB, multipart submit by curl vs minimal receiver",
  "upload 32 MiB via CLI vs minimal receiver",
  "upload 32 MiB: cp of the file",
  "upload 32 MiB: server peak RSS growth",
  "4 tasks sharing one 16 MiB input: submit wall time",
  "4 tasks sharing one 16 MiB input: bytes sent",
  "4 tasks sharing one 16 MiB input: bytes stored",
  "result download 16 MiB, format=tar",
  "result download 16 MiB, default (tar.gz)",
  "log --lines 100 on a 16 MiB log, HTTP",
  "log --lines 100 on a 16 MiB log, CLI",
  "list first page, 2,000 tasks, p50",
  "status, 2,000 tasks, p50",
  "dashboard load, 2,000 tasks, p50",
  "idle server, 2 s from 2 s after its last task: CPU used",
  "idle server, the next 1 s: CPU used",
  "idle server: RSS",
  "log follow latency p50",
  "log follow latency p95",
  "10 followers of a task writing 10 lines/s: server CPU over 1 s",
  "10 followers of tasks that write nothing: server CPU over 1 s",
];

interface ReportRow {
  metric: string;
  value: number | null;
  referenceValue: number | null;
  skipped?: string;
}

function runBench(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BENCH_ENTRY, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

// Checks that the harness works end to end, not how fast anything is: no timing is asserted.
test("npm run bench -- --quick prints every row and writes them as JSON", { timeout: 180_000 }, async () => {
  const dir = await makeTempDir("cubqueue-bench-test-");
  onTestFinished(() => dir.remove());
  const out = join(dir.path, "quick.json");

  const { code, stdout, stderr } = await runBench(["--quick", "--out", out]);
  expect(code, `bench failed:\n${stdout}\n${stderr}`).toBe(0);

  const report = JSON.parse(await readFile(out, "utf8")) as { mode: string; rows: ReportRow[] };
  expect(report.mode).toBe("quick");
  for (const expected of EXPECTED_ROWS) {
    const row = report.rows.find((candidate) => candidate.metric.startsWith(expected));
    expect(row, `no row "${expected}"`).toBeDefined();
    expect(stdout).toContain(row!.metric);
    if (row!.skipped !== undefined) {
      // Only a missing peer may be skipped, and it must say why.
      expect(row!.skipped).not.toMatch(/^failed/);
      expect(row!.skipped.length).toBeGreaterThan(10);
    } else {
      expect(Number.isFinite(row!.value), `${row!.metric} has no figure`).toBe(true);
    }
  }
  for (const row of report.rows) expect(row.skipped ?? "", row.metric).not.toMatch(/^failed/);
});
