import { mkdir, writeFile } from "node:fs/promises";
import { cpus, release, totalmem } from "node:os";
import { dirname } from "node:path";
import type { Row } from "./rows.ts";

export interface BenchReport {
  date: string;
  mode: "full" | "quick";
  durationSeconds: number;
  machine: { cpus: number; cpuModel: string; memoryBytes: number; kernel: string; node: string };
  rows: Row[];
}

export function machineInfo(): BenchReport["machine"] {
  const list = cpus();
  return { cpus: list.length, cpuModel: list[0]?.model ?? "unknown", memoryBytes: totalmem(), kernel: release(), node: process.version };
}

/** Writes the report as JSON, creating the folder. */
export async function writeReport(path: string, report: BenchReport): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(report, null, 2)}\n`);
}
