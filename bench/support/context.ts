import type { Sizes } from "../sizes.ts";
import type { ServerProcess } from "./server.ts";
import type { TaskSpoolerLookup } from "./task-spooler.ts";

/** What every metric gets from the orchestrator. */
export interface BenchContext {
  quick: boolean;
  sizes: Sizes;
  /** A fresh folder for this metric, removed afterwards (on a tmpfs when the metric asks and there is one). */
  dir: string;
  /** task-spooler, or why it is skipped. */
  taskSpooler: TaskSpoolerLookup;
  /** Starts a CubQueue server process on a fresh base dir inside `dir`; stopped when the metric ends. */
  startServer(options?: { concurrency?: number; baseDir?: string; args?: string[] }): Promise<ServerProcess>;
  /** Registers something to undo when the metric ends (even on timeout). */
  defer(cleanup: () => Promise<unknown> | unknown): void;
  /** Progress for the person watching, on stderr. */
  log(message: string): void;
}

/** One row (or a few) of the table: how to measure it and how long it may take. */
export interface Metric {
  name: string;
  /** The step is abandoned (its row marked failed) after this long. */
  timeLimitMs: { full: number; quick: number };
  /**
   * Its folder (servers' base dirs, task-spooler's) goes on a tmpfs when there is one:
   * for rows that time making many small files, which on ext4 may be ten times slower
   * for minutes after another row's tree was deleted. Rows with GiB files stay on disk.
   */
  tmpfs?: boolean;
  run(context: BenchContext): Promise<import("./rows.ts").Row[]>;
}
