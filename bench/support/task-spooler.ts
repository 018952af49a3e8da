import { mkdtemp, rm } from "node:fs/promises";
import { join } from "node:path";
import { run, runOk, which, type RunResult } from "./shell.ts";
import { sleep } from "./timing.ts";

export type TaskSpoolerLookup = { bin: string } | { skipped: string };

/**
 * Finds task-spooler (`tsp` on Debian; `ts` elsewhere, unless that is moreutils'
 * timestamp filter), installing the Debian package with apt when it is missing
 * and we may. Never throws: says why the peer is skipped instead.
 */
export async function findTaskSpooler(options: { install: boolean }): Promise<TaskSpoolerLookup> {
  const found = await lookup();
  if (found) return { bin: found };
  if (!options.install) return { skipped: "task-spooler is not installed (install the Debian package task-spooler)" };
  const apt = await which("apt-get");
  if (!apt) return { skipped: "task-spooler is not installed and apt-get is not available here" };
  if (process.getuid?.() !== 0) return { skipped: "task-spooler is not installed; run `apt-get install task-spooler` as root" };
  process.stderr.write("bench: installing task-spooler with apt-get …\n");
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  let install = await run(apt, ["install", "-y", "-qq", "task-spooler"], { timeoutMs: 180_000, env }).catch((error: Error) => ({ code: -1, stderr: error.message }));
  if (install.code !== 0) {
    await run(apt, ["update", "-qq"], { timeoutMs: 180_000, env }).catch(() => undefined);
    install = await run(apt, ["install", "-y", "-qq", "task-spooler"], { timeoutMs: 180_000, env }).catch((error: Error) => ({ code: -1, stderr: error.message }));
  }
  const installed = await lookup();
  return installed ? { bin: installed } : { skipped: `installing task-spooler failed: ${install.stderr.trim().split("\n").at(-1) ?? "unknown error"}` };
}

async function lookup(): Promise<string | undefined> {
  const tsp = await which("tsp");
  if (tsp) return tsp;
  const ts = await which("ts");
  if (!ts) return undefined;
  const help = await run(ts, ["-h"], { timeoutMs: 5_000, env: { ...process.env, TS_SOCKET: "/nonexistent/ts.socket" } }).catch(() => undefined);
  return help && /task spooler/i.test(help.stdout + help.stderr) ? ts : undefined;
}

/** A private task-spooler server (its own socket and temp dir), torn down by close(). */
export interface Spooler {
  /** Enqueues a command; resolves to its job id. */
  enqueue(command: readonly string[]): Promise<number>;
  /** Counts of jobs by state, from `tsp -l`. */
  states(): Promise<Record<string, number>>;
  /** Sends TERM to a running job. */
  killJob(id: number): Promise<void>;
  /**
   * Runs a /bin/sh script in this spooler's environment (its socket, its TMPDIR), with
   * `$TSP` naming task-spooler: one process feeding it, as a user's shell loop would.
   */
  shell(script: string, timeoutMs: number): Promise<RunResult>;
  close(): Promise<void>;
}

export async function startSpooler(bin: string, parentDir: string, slots: number): Promise<Spooler> {
  const dir = await mkdtemp(join(parentDir, "tsp-"));
  // TMPDIR: where it keeps each job's output file, as CubQueue keeps each log.txt.
  const env: NodeJS.ProcessEnv = { ...process.env, TS_SOCKET: join(dir, "socket"), TMPDIR: dir, TS_MAXFINISHED: "100000" };
  delete env.TS_SAVELIST;
  delete env.TS_ENV;
  const timeoutMs = 30_000;
  await runOk(bin, ["-S", String(slots)], { timeoutMs, env });
  return {
    async enqueue(command) {
      const result = await runOk(bin, [...command], { timeoutMs, env });
      return Number(result.stdout.trim());
    },
    async states() {
      const result = await runOk(bin, ["-l"], { timeoutMs, env });
      const counts: Record<string, number> = {};
      for (const line of result.stdout.split("\n").slice(1)) {
        const state = line.trim().split(/\s+/)[1];
        if (state) counts[state] = (counts[state] ?? 0) + 1;
      }
      return counts;
    },
    async killJob(id) {
      await run(bin, ["-k", String(id)], { timeoutMs, env });
    },
    shell: (script, shellTimeoutMs) => runOk("/bin/sh", ["-c", script], { timeoutMs: shellTimeoutMs, env: { ...env, TSP: bin } }),
    async close() {
      await run(bin, ["-K"], { timeoutMs, env }).catch(() => undefined);
      await sleep(50);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
