import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";

export { sleep };

/** Milliseconds on a monotonic clock. */
export const nowMs = (): number => performance.now();

/** The p-th percentile (0-100) of the samples, nearest rank; NaN when there are none. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export const median = (samples: readonly number[]): number => percentile(samples, 50);

/** Times an async call, in milliseconds. */
export async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = nowMs();
  const value = await work();
  return { ms: nowMs() - start, value };
}

/** Runs `work` `count` times, at most `concurrency` at once, and returns the wall time in ms. */
export async function runConcurrently(count: number, concurrency: number, work: (index: number) => Promise<void>): Promise<number> {
  let next = 0;
  const start = nowMs();
  const worker = async () => {
    while (next < count) await work(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return nowMs() - start;
}

/** Polls `check` every `intervalMs` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function pollUntil<T>(what: string, check: () => Promise<T | undefined>, timeoutMs: number, intervalMs = 20): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still waiting after ${timeoutMs} ms`);
    await sleep(intervalMs);
  }
}

/** MB/s (10^6 bytes per second) for `bytes` moved in `ms`. */
export const mbPerSecond = (bytes: number, ms: number): number => bytes / 1e6 / (ms / 1000);

/**
 * Runs `work` `rounds` times one after another and keeps the fastest (the least disturbed by
 * other load); `before`, if given, runs before each round, untimed.
 */
export async function fastestOf<T>(rounds: number, work: () => Promise<T>, before?: () => Promise<unknown>): Promise<{ ms: number; value: T }> {
  let best: { ms: number; value: T } | undefined;
  for (let i = 0; i < rounds; i++) {
    await before?.();
    const result = await timed(work);
    if (!best || result.ms < best.ms) best = result;
  }
  return best!;
}
