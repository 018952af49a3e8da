import type { Timers } from "./retry.ts";
import { readProgress, type Progress } from "./progress-file.ts";

export interface ProgressWatchOptions {
  /**
   * Called with a task's progress each time it changes; awaited, so that what a task said
   * last is recorded before its end is. Must not reject.
   */
  onChange: (taskId: string, attempt: number, progress: Progress) => void | Promise<void>;
  intervalMs?: number;
  timers: Timers;
  read?: (path: string) => Promise<Progress | undefined>;
}

interface Watched {
  attempt: number;
  file: string;
  last: string | undefined;
}

/**
 * Reads the progress files of the running tasks once a second and reports
 * what changed. Its timer runs only while some task is watched: an idle
 * server reads nothing.
 */
export function createProgressWatch({ onChange, intervalMs = 1_000, timers, read = readProgress }: ProgressWatchOptions) {
  const watched = new Map<string, Watched>();
  let timer: unknown;
  let checking = false;

  async function check(taskId: string, entry: Watched): Promise<void> {
    const progress = await read(entry.file);
    const key = progress && `${progress.percent} ${progress.message ?? ""}`;
    if (!progress || key === entry.last) return;
    entry.last = key;
    await onChange(taskId, entry.attempt, progress);
  }

  function schedule(): void {
    if (timer !== undefined || watched.size === 0) return;
    timer = timers.setTimeout(() => void tick(), intervalMs);
  }

  async function tick(): Promise<void> {
    timer = undefined;
    if (checking) return schedule();
    checking = true;
    try {
      await Promise.all([...watched].map(([taskId, entry]) => check(taskId, entry)));
    } finally {
      checking = false;
      schedule();
    }
  }

  return {
    watch(taskId: string, attempt: number, file: string): void {
      watched.set(taskId, { attempt, file, last: undefined });
      schedule();
    },
    /** Stops watching a task, after reading its file one last time (what it said just before it ended). */
    async unwatch(taskId: string): Promise<void> {
      const entry = watched.get(taskId);
      if (!entry) return;
      watched.delete(taskId);
      await check(taskId, entry);
      if (watched.size === 0 && timer !== undefined) {
        timers.clearTimeout(timer);
        timer = undefined;
      }
    },
    stop(): void {
      watched.clear();
      if (timer !== undefined) timers.clearTimeout(timer);
      timer = undefined;
    },
  };
}
