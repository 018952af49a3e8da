import { describe, expect, it } from "vitest";
import { backoffDelay, retryUntilDone, type Timers } from "../../src/runner/retry.ts";

/** A clock that moves only when the test says so; it shows which timers exist at any moment. */
function fakeTimers() {
  const pending = new Map<number, { at: number; callback: () => void }>();
  let now = 0;
  let next = 1;
  const timers: Timers = {
    setTimeout(callback, ms) {
      const id = next++;
      pending.set(id, { at: now + ms, callback });
      return id;
    },
    clearTimeout(handle) {
      pending.delete(handle as number);
    },
  };
  return {
    timers,
    /** The waits currently scheduled, in ms from now. */
    waits: () => [...pending.values()].map((timer) => timer.at - now),
    /** Moves the clock to the next timer and fires it, then lets the attempt it starts settle. */
    async fireNext() {
      const [id, timer] = [...pending.entries()].sort(([, a], [, b]) => a.at - b.at)[0]!;
      pending.delete(id);
      now = timer.at;
      timer.callback();
      await settle();
    },
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));
const backoff = { firstMs: 500, maxMs: 30_000 };

/** An attempt that fails `failures` times with a disk-full error, then succeeds. */
function failingWrite(failures: number) {
  let calls = 0;
  return {
    attempt: async () => {
      calls++;
      if (calls <= failures) throw Object.assign(new Error("database or disk is full"), { code: "SQLITE_FULL" });
      return "written";
    },
    calls: () => calls,
  };
}

describe("retrying a write the database refuses", () => {
  it("waits 0.5 s, doubling to 30 s, reports the streak once, and leaves no timer once it succeeds", async () => {
    const clock = fakeTimers();
    const write = failingWrite(9);
    const reported: unknown[] = [];
    let failures = 0;
    const retrying = retryUntilDone(write.attempt, {
      backoff,
      timers: clock.timers,
      onFailureStreak: (error) => reported.push(error),
      onFailure: () => failures++,
    });
    await settle();
    const waits: number[] = [];
    while (clock.waits().length > 0) {
      expect(clock.waits()).toHaveLength(1);
      waits.push(clock.waits()[0]!);
      await clock.fireNext();
    }
    expect(waits).toEqual([500, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
    expect(await retrying.result).toEqual({ done: true, value: "written" });
    expect(write.calls()).toBe(10);
    expect(failures).toBe(9);
    expect(reported).toHaveLength(1);
    expect((reported[0] as { code: string }).code).toBe("SQLITE_FULL");
  });

  it("a write that succeeds at once sets no timer and reports nothing", async () => {
    const clock = fakeTimers();
    const reported: unknown[] = [];
    const retrying = retryUntilDone(failingWrite(0).attempt, { backoff, timers: clock.timers, onFailureStreak: (error) => reported.push(error) });
    expect(await retrying.result).toEqual({ done: true, value: "written" });
    expect(clock.waits()).toEqual([]);
    expect(reported).toEqual([]);
  });

  it("abandoning while a retry waits clears its timer and settles at once; no attempt follows", async () => {
    const clock = fakeTimers();
    const write = failingWrite(100);
    const retrying = retryUntilDone(write.attempt, { backoff, timers: clock.timers, onFailureStreak: () => {} });
    await settle();
    expect(clock.waits()).toEqual([500]);
    retrying.abandon();
    expect(await retrying.result).toEqual({ done: false });
    expect(clock.waits()).toEqual([]);
    expect(write.calls()).toBe(1);
  });

  it("abandoning while an attempt is in flight lets that attempt decide the result", async () => {
    const clock = fakeTimers();
    let finishWrite!: () => void;
    const retrying = retryUntilDone(() => new Promise<string>((resolve) => (finishWrite = () => resolve("written"))), {
      backoff,
      timers: clock.timers,
      onFailureStreak: () => {},
    });
    await settle();
    retrying.abandon();
    finishWrite();
    expect(await retrying.result).toEqual({ done: true, value: "written" });
    expect(clock.waits()).toEqual([]);
  });

  it("backoffDelay caps at maxMs however long the streak", () => {
    expect([1, 2, 3, 7, 8, 1_000].map((failures) => backoffDelay(failures, backoff))).toEqual([500, 1_000, 2_000, 30_000, 30_000, 30_000]);
  });
});
