/** How long to wait between attempts: `firstMs`, doubling each time, never more than `maxMs`. */
export interface Backoff {
  firstMs: number;
  maxMs: number;
}

/** Half a second, doubling to 30 s: quick when a hiccup passes, quiet when the disk stays full for hours. */
export const DEFAULT_BACKOFF: Backoff = Object.freeze({ firstMs: 500, maxMs: 30_000 });

/** The wait after the `failures`-th failure in a row (1 for the first). */
export function backoffDelay(failures: number, { firstMs, maxMs }: Backoff): number {
  return Math.min(maxMs, firstMs * 2 ** Math.min(failures - 1, 30));
}

/** The clock retries wait on; tests pass a fake one. */
export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: Timers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export interface RetryOptions {
  backoff: Backoff;
  timers: Timers;
  /**
   * Called with the error that starts a streak of failures, once: the retries
   * that follow fail quietly, so a disk full for an hour is one log line, not hundreds.
   */
  onFailureStreak: (error: unknown) => void;
  /** Called after every failed attempt (the next one is pending). */
  onFailure?: () => void;
}

export type RetryResult<T> = { done: true; value: T } | { done: false };

export interface Retrying<T> {
  /** Settles with the first successful attempt's value, or `{ done: false }` once abandoned. Never rejects. */
  readonly result: Promise<RetryResult<T>>;
  /** No attempt after the one in flight (if any); a pending wait ends at once. */
  abandon(): void;
}

/**
 * Runs `attempt` now, and again after each failure (waiting per `backoff`)
 * until it succeeds or is abandoned. A timer exists only while a retry is
 * pending: nothing is left behind once it settles.
 */
export function retryUntilDone<T>(attempt: () => Promise<T>, { backoff, timers, onFailureStreak, onFailure }: RetryOptions): Retrying<T> {
  let abandoned = false;
  let timer: unknown;
  let failures = 0;
  let settle!: (result: RetryResult<T>) => void;
  const result = new Promise<RetryResult<T>>((resolve) => (settle = resolve));

  const run = (): void => {
    timer = undefined;
    // Through a promise, so that even an attempt that throws at once is retried, not thrown at a timer.
    Promise.resolve().then(attempt).then(
      (value) => settle({ done: true, value }),
      (error: unknown) => {
        failures++;
        if (failures === 1) onFailureStreak(error);
        onFailure?.();
        if (abandoned) return settle({ done: false });
        timer = timers.setTimeout(run, backoffDelay(failures, backoff));
      },
    );
  };
  run();

  return {
    result,
    abandon() {
      abandoned = true;
      if (timer === undefined) return; // an attempt is in flight: it settles the result
      timers.clearTimeout(timer);
      timer = undefined;
      settle({ done: false });
    },
  };
}
