import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";

/** Memory figures of a process from /proc/<pid>/status, in bytes. */
export interface ProcessMemory {
  /** Resident set size now (VmRSS). */
  rss: number;
  /** Peak resident set size since the process started (VmHWM). */
  peakRss: number;
}

export function readMemory(pid: number): ProcessMemory {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const field = (name: string) => {
    const match = new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status);
    if (!match) throw new Error(`/proc/${pid}/status has no ${name}`);
    return Number(match[1]) * 1024;
  };
  return { rss: field("VmRSS"), peakRss: field("VmHWM") };
}

let clockTicks: number | undefined;

/** CPU seconds (user + system) the process has used so far, from /proc/<pid>/stat. */
export function readCpuSeconds(pid: number): number {
  clockTicks ??= Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // The command name (field 2) may contain spaces; count fields after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return (utime + stime) / clockTicks;
}

/**
 * Starts counting a process's CPU time (the server's, for its cost per operation):
 * the function returned gives the CPU seconds it has used since. Its children (the
 * tasks' scripts) are not counted; its threads (libuv's pool, V8's GC) are.
 */
export function cpuSince(pid: number): () => number {
  const before = readCpuSeconds(pid);
  return () => readCpuSeconds(pid) - before;
}

/** "server CPU 0.42 ms per task": CPU seconds spread over `count` operations, for a row's notes. */
export const cpuPerOperation = (cpuSeconds: number, count: number, operation: string): string =>
  `server CPU ${((cpuSeconds * 1000) / count).toFixed(2)} ms per ${operation}`;

/**
 * Starts counting the CPU time of the server's task launcher (its python3 child, see
 * src/workers/task-launcher.py), which the server's own figure does not include: the function
 * returned gives the seconds it has used since, 0 when the server runs without one.
 */
export function launcherCpuSince(serverPid: number): () => number {
  const pid = launcherOf(serverPid);
  if (pid === undefined) return () => 0;
  const before = readCpuSeconds(pid);
  return () => {
    try {
      return readCpuSeconds(pid) - before;
    } catch {
      return 0;
    }
  };
}

/** The pid of a server's task launcher, if it runs one. */
function launcherOf(serverPid: number): number | undefined {
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (parent === serverPid && readFileSync(`/proc/${entry}/cmdline`, "utf8").includes("task-launcher.py")) return Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
}
