import { mkdtemp, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { Sizes } from "../sizes.ts";
import type { BenchContext, Metric } from "./context.ts";
import { skippedRow, type Row } from "./rows.ts";
import { startServerProcess, type ServerProcess } from "./server.ts";
import type { TaskSpoolerLookup } from "./task-spooler.ts";
import { filesystemKind } from "./tmpfs.ts";

export interface RunSettings {
  mode: "full" | "quick";
  sizes: Sizes;
  /** The run's folder on disk. */
  tmpRoot: string;
  /** The run's folder on a tmpfs, for metrics that ask for one; or why there is none. */
  tmpfsRoot: { dir: string } | { skipped: string };
  taskSpooler: TaskSpoolerLookup;
  /** performance.now() time by which the whole run must be over. */
  deadline: number;
  log(message: string): void;
}

/**
 * Runs one metric in its own folder with its own time limit (cut to what is left of
 * the run's). Whatever happens, everything it started (servers, peers) is stopped
 * and its folder removed. A failure or timeout becomes a row saying so. Each row's
 * notes end with where its files were (tmpfs or disk).
 */
export async function runMetric(metric: Metric, settings: RunSettings): Promise<{ rows: Row[]; failed: boolean }> {
  const limitMs = Math.max(0, Math.min(metric.timeLimitMs[settings.mode], settings.deadline - performance.now()));
  const root = metric.tmpfs && "dir" in settings.tmpfsRoot ? settings.tmpfsRoot.dir : settings.tmpRoot;
  const dir = await mkdtemp(join(root, "step-"));
  let where = `files on ${await filesystemKind(dir)} (${dirname(root)})`;
  if (metric.tmpfs && "skipped" in settings.tmpfsRoot) where += `, as ${settings.tmpfsRoot.skipped}`;
  const cleanups: Array<() => Promise<unknown> | unknown> = [];
  let serverCount = 0;
  const context: BenchContext = {
    quick: settings.mode === "quick",
    sizes: settings.sizes,
    dir,
    taskSpooler: settings.taskSpooler,
    async startServer(options = {}) {
      const baseDir = options.baseDir ?? join(dir, `base-${serverCount++}`);
      const server: ServerProcess = await startServerProcess({ baseDir, logDir: dir, concurrency: options.concurrency ?? 2, args: options.args });
      cleanups.push(() => server.stop());
      return server;
    },
    defer: (cleanup) => void cleanups.push(cleanup),
    log: (message) => settings.log(`[${metric.name}] ${message}`),
  };

  settings.log(`${metric.name} (limit ${Math.round(limitMs / 1000)} s)`);
  let timer: NodeJS.Timeout | undefined;
  const work = metric.run(context);
  // After a timeout the abandoned work fails as its servers go away; that is expected.
  work.catch(() => undefined);
  try {
    const rows = await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`did not finish within its limit of ${Math.round(limitMs / 1000)} s`)), limitMs);
      }),
    ]);
    return { rows: rows.map((row) => ({ ...row, notes: row.notes ? `${row.notes}; ${where}` : where })), failed: false };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    settings.log(`${metric.name} failed: ${message}`);
    return { rows: [skippedRow(metric.name, "", "", "", `failed: ${message}`)], failed: true };
  } finally {
    clearTimeout(timer);
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch (error) {
        settings.log(`${metric.name}: cleanup failed: ${(error as Error).message}`);
      }
    }
    await rm(dir, { recursive: true, force: true });
  }
}
