import { describe, expect, it } from "vitest";
import { decideAttemptEnd, type AttemptEndInput } from "../../src/lifecycle/attempt-end.ts";
import { DEFAULT_RUN_POLICY, MAX_RETRY_WAIT_MS, type RunPolicy } from "../../src/lifecycle/run-policy.ts";

const decide = (input: Partial<AttemptEndInput> & Pick<AttemptEndInput, "ending">) =>
  decideAttemptEnd({ stopReason: null, adopted: false, process: "process (pid 4242)", attempt: 1, policy: DEFAULT_RUN_POLICY, ...input });
const policy = (changes: Partial<RunPolicy>): RunPolicy => ({ ...DEFAULT_RUN_POLICY, ...changes });

const exited = (exitCode: number | null, signal: string | null = null) => ({ kind: "exited", exitCode, signal }) as const;

describe("how an attempt's end is decided", () => {
  it("a script that exits 0 succeeded, with its exit code", () => {
    expect(decide({ ending: exited(0) })).toEqual({
      kind: "finish",
      outcome: { status: "succeeded", error: null, exitCode: 0, signal: null },
    });
  });

  it("a script that exits non-zero failed, saying its code", () => {
    expect(decide({ ending: exited(3) })).toEqual({
      kind: "finish",
      outcome: { status: "failed", error: "the script exited with code 3", exitCode: 3, signal: null },
    });
  });

  it("a script killed by a signal nobody here sent failed, saying the signal", () => {
    expect(decide({ ending: exited(null, "SIGSEGV") })).toEqual({
      kind: "finish",
      outcome: { status: "failed", error: "the script was killed by signal SIGSEGV", exitCode: null, signal: "SIGSEGV" },
    });
  });

  it("a cancelled script is cancelled however it exited, keeping how", () => {
    for (const ending of [exited(0), exited(143), exited(null, "SIGKILL")]) {
      expect(decide({ ending, stopReason: "cancel" })).toEqual({
        kind: "finish",
        outcome: { status: "cancelled", error: "cancelled on request", exitCode: ending.exitCode, signal: ending.signal },
      });
    }
  });

  it("a launch that failed is a failure saying why, cancelled or not", () => {
    for (const stopReason of [null, "cancel"] as const) {
      expect(decide({ ending: { kind: "launch_failed", message: "spawn ENOENT" }, stopReason, process: null })).toEqual({
        kind: "finish",
        outcome: { status: "failed", error: "could not start the script: spawn ENOENT", exitCode: null, signal: null },
      });
    }
  });

  it("a script kept at its gate: cancelled if a cancel closed it, requeued if an earlier server died first, failed otherwise", () => {
    const notStarted = { kind: "not_started" } as const;
    expect(decide({ ending: notStarted, stopReason: "cancel" })).toEqual({
      kind: "finish",
      outcome: { status: "cancelled", error: "cancelled before it started", exitCode: null, signal: null },
    });
    expect(decide({ ending: notStarted, stopReason: "cancel", adopted: true })).toMatchObject({ outcome: { status: "cancelled" } });
    expect(decide({ ending: notStarted, adopted: true })).toEqual({ kind: "requeue" });
    expect(decide({ ending: notStarted })).toEqual({
      kind: "finish",
      outcome: { status: "failed", error: "the script could not be started", exitCode: null, signal: null },
    });
  });

  it("a process gone without an exit record: cancelled if it was being cancelled, else failed, naming its process, with an unknown outcome", () => {
    const lost = { kind: "lost" } as const;
    expect(decide({ ending: lost, stopReason: "cancel" })).toEqual({
      kind: "finish",
      outcome: { status: "cancelled", error: "cancelled on request", exitCode: null, signal: null },
    });
    expect(decide({ ending: lost, adopted: true })).toEqual({
      kind: "finish",
      outcome: {
        status: "failed",
        error: "the task's process (pid 4242) ended while no server was watching and left no exit status; its outcome is unknown",
        exitCode: null,
        signal: null,
      },
    });
    expect(decide({ ending: lost, process: null })).toMatchObject({ outcome: { error: expect.stringMatching(/^the task's process ended while/) } });
  });

  it("an attempt its executor's scheduler ended failed with the scheduler's reason, and is retried while retries are left", () => {
    const endedBy = "Slurm ended job 917: its time limit was reached (TIMEOUT)";
    expect(decide({ ending: { kind: "exited", exitCode: null, signal: "SIGTERM", endedBy } })).toEqual({
      kind: "finish",
      outcome: { status: "failed", error: endedBy, exitCode: null, signal: "SIGTERM" },
    });
    expect(decide({ ending: { kind: "lost", endedBy }, adopted: true })).toEqual({
      kind: "finish",
      outcome: { status: "failed", error: endedBy, exitCode: null, signal: null },
    });
    const retries = policy({ maxRetries: 1, retryDelayMs: 500 });
    expect(decide({ ending: { kind: "exited", exitCode: 143, signal: null, endedBy }, policy: retries })).toEqual({
      kind: "retry",
      waitMs: 500,
      outcome: { status: "failed", error: endedBy, exitCode: 143, signal: null },
    });
    expect(decide({ ending: { kind: "lost", endedBy }, policy: retries })).toMatchObject({ kind: "retry", outcome: { error: endedBy } });
  });

  it("a scheduler's reason does not override a script that exited 0, a cancel or a timeout asked for here", () => {
    const endedBy = "Slurm ended job 917: it was cancelled outside CubQueue (CANCELLED)";
    expect(decide({ ending: { kind: "exited", exitCode: 0, signal: null, endedBy } })).toMatchObject({ kind: "finish", outcome: { status: "succeeded", error: null } });
    expect(decide({ ending: { kind: "exited", exitCode: null, signal: "SIGTERM", endedBy }, stopReason: "cancel" })).toMatchObject({
      outcome: { status: "cancelled", error: "cancelled on request" },
    });
    expect(decide({ ending: { kind: "lost", endedBy }, stopReason: "cancel" })).toMatchObject({ outcome: { status: "cancelled" } });
    expect(decide({ ending: { kind: "lost", endedBy }, stopReason: "timeout", policy: policy({ timeoutMs: 3000 }) })).toMatchObject({
      outcome: { status: "failed", error: "timed out after 3s" },
    });
  });

  it("a timed-out attempt failed, saying its limit, with how the script ended", () => {
    expect(decide({ ending: exited(null, "SIGTERM"), stopReason: "timeout", policy: policy({ timeoutMs: 2 * 3600_000 }) })).toEqual({
      kind: "finish",
      outcome: { status: "failed", error: "timed out after 2h", exitCode: null, signal: "SIGTERM" },
    });
    expect(decide({ ending: { kind: "lost" }, stopReason: "timeout", policy: policy({ timeoutMs: 1500 }) })).toMatchObject({
      outcome: { status: "failed", error: "timed out after 1.5s" },
    });
    expect(decide({ ending: { kind: "not_started" }, stopReason: "timeout", policy: policy({ timeoutMs: 90 * 60_000 }) })).toMatchObject({
      outcome: { error: "timed out after 1h 30m" },
    });
  });

  it("a failure is retried while retries are left, waiting the delay, doubled per retry with backoff", () => {
    const threeRetries = policy({ maxRetries: 3, retryDelayMs: 1000 });
    expect(decide({ ending: exited(2), attempt: 1, policy: threeRetries })).toEqual({
      kind: "retry",
      waitMs: 1000,
      outcome: { status: "failed", error: "the script exited with code 2", exitCode: 2, signal: null },
    });
    expect(decide({ ending: exited(2), attempt: 3, policy: threeRetries })).toMatchObject({ kind: "retry", waitMs: 1000 });
    expect(decide({ ending: exited(2), attempt: 4, policy: threeRetries })).toMatchObject({ kind: "finish", outcome: { status: "failed" } });
    const backoff = { ...threeRetries, retryBackoff: true };
    expect([1, 2, 3].map((attempt) => (decide({ ending: exited(2), attempt, policy: backoff }) as { waitMs: number }).waitMs)).toEqual([1000, 2000, 4000]);
    const huge = policy({ maxRetries: 100, retryDelayMs: 3600_000, retryBackoff: true });
    expect(decide({ ending: exited(1), attempt: 60, policy: huge })).toMatchObject({ kind: "retry", waitMs: MAX_RETRY_WAIT_MS });
  });

  it("timeouts, lost processes and failed launches are retried too; successes and cancels never are", () => {
    const retries = policy({ maxRetries: 1, timeoutMs: 1000 });
    expect(decide({ ending: exited(null, "SIGKILL"), stopReason: "timeout", policy: retries })).toMatchObject({ kind: "retry" });
    expect(decide({ ending: { kind: "lost" }, policy: retries })).toMatchObject({ kind: "retry" });
    expect(decide({ ending: { kind: "launch_failed", message: "EACCES" }, policy: retries })).toMatchObject({ kind: "retry" });
    expect(decide({ ending: exited(0), policy: retries })).toMatchObject({ kind: "finish", outcome: { status: "succeeded" } });
    expect(decide({ ending: exited(1), stopReason: "cancel", policy: retries })).toMatchObject({ kind: "finish", outcome: { status: "cancelled" } });
    expect(decide({ ending: { kind: "not_started" }, adopted: true, policy: retries })).toEqual({ kind: "requeue" });
  });
});
