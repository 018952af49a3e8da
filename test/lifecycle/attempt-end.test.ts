import { describe, expect, it } from "vitest";
import { decideAttemptEnd, type AttemptEndInput } from "../../src/lifecycle/attempt-end.ts";

const decide = (input: Partial<AttemptEndInput> & Pick<AttemptEndInput, "ending">) =>
  decideAttemptEnd({ stopReason: null, adopted: false, pid: 4242, ...input });

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
      expect(decide({ ending: { kind: "launch_failed", message: "spawn ENOENT" }, stopReason, pid: null })).toEqual({
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

  it("a process gone without an exit record: cancelled if it was being cancelled, else failed with its pid and an unknown outcome", () => {
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
    expect(decide({ ending: lost, pid: null })).toMatchObject({ outcome: { error: expect.stringMatching(/^the task's process ended while/) } });
  });
});
