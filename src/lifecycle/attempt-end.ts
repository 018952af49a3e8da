import { TaskStatus } from "../db/schema.ts";
import type { ProcessExit } from "../runner/executor.ts";
import { formatDuration, retryWaitMs, type RunPolicy } from "./run-policy.ts";
import type { AttemptOutcome } from "./transitions.ts";

/** How the error of an attempt stopped at its time limit starts (see timedOut). */
const TIMED_OUT = "timed out after ";

/** Whether an attempt's (or its task's) error says it was stopped at its time limit. */
export function timedOut(error: string | null): boolean {
  return error?.startsWith(TIMED_OUT) ?? false;
}

/** Why the runner stopped an attempt itself (asked to, or its time was up); null when nobody stopped it. */
export type StopReason = "cancel" | "timeout";

/** How an attempt's run came to an end: its process ended somehow, or it never got one. */
export type AttemptEnding = ProcessExit | { kind: "launch_failed"; message: string };

export interface AttemptEndInput {
  ending: AttemptEnding;
  stopReason: StopReason | null;
  /** The run was found at start, started by an earlier server. */
  adopted: boolean;
  /** The attempt's process in its executor's words ("process (pid 4242)"), when it had one. */
  process: string | null;
  /** Which attempt this was since the task was submitted or last restarted (1 for the first). */
  attempt: number;
  policy: RunPolicy;
}

/**
 * What to record: the attempt's outcome and the task's (finish); the attempt's
 * outcome and another attempt after `waitMs` (retry); or that the attempt never
 * ran and the task goes back to the queue (requeue).
 */
export type AttemptDecision =
  | { kind: "finish"; outcome: AttemptOutcome }
  | { kind: "retry"; outcome: AttemptOutcome; waitMs: number }
  | { kind: "requeue" };

/**
 * Decides what an attempt's end means for its task. Pure: every branch is
 * unit-tested (test/lifecycle/attempt-end.test.ts), and the runner only
 * carries out what it returns.
 */
export function decideAttemptEnd(input: AttemptEndInput): AttemptDecision {
  const decided = endOf(input);
  // A failure (a timeout included) is run again while retries are left; a cancel never is.
  if (decided.kind === "finish" && decided.outcome.status === TaskStatus.failed && input.attempt <= input.policy.maxRetries) {
    return { kind: "retry", outcome: decided.outcome, waitMs: retryWaitMs(input.policy, input.attempt) };
  }
  return decided;
}

/** The attempt's end on its own, before any retry. */
function endOf({ ending, stopReason, adopted, process, policy }: AttemptEndInput): AttemptDecision {
  const cancelled = stopReason === "cancel";
  if (stopReason === "timeout" && ending.kind !== "launch_failed") {
    const codes = ending.kind === "exited" ? { exitCode: ending.exitCode, signal: ending.signal } : { exitCode: null, signal: null };
    const limit = policy.timeoutMs === null ? "its time limit" : formatDuration(policy.timeoutMs);
    return finish({ ...codes, status: TaskStatus.failed, error: `${TIMED_OUT}${limit}` });
  }
  switch (ending.kind) {
    case "launch_failed":
      return finish(failed(`could not start the script: ${ending.message}`));
    case "exited": {
      const codes = { exitCode: ending.exitCode, signal: ending.signal };
      if (cancelled) return finish({ ...codes, status: TaskStatus.cancelled, error: "cancelled on request" });
      if (ending.exitCode === 0) return finish({ ...codes, status: TaskStatus.succeeded, error: null });
      // Ended by its executor's scheduler (a time limit, a node failure): that is why it failed.
      if (ending.endedBy) return finish({ ...codes, status: TaskStatus.failed, error: ending.endedBy });
      const how = ending.signal ? `was killed by signal ${ending.signal}` : `exited with code ${ending.exitCode}`;
      return finish({ ...codes, status: TaskStatus.failed, error: `the script ${how}` });
    }
    case "not_started":
      if (cancelled) return finish(withoutCodes(TaskStatus.cancelled, "cancelled before it started"));
      // The server died after claiming it but before letting it run: it runs now, once.
      if (adopted) return { kind: "requeue" };
      return finish(failed("the script could not be started"));
    case "lost": {
      if (cancelled) return finish(withoutCodes(TaskStatus.cancelled, "cancelled on request"));
      if (ending.endedBy) return finish(failed(ending.endedBy));
      return finish(failed(`the task's ${process ?? "process"} ended while no server was watching and left no exit status; its outcome is unknown`));
    }
  }
}

const finish = (outcome: AttemptOutcome): AttemptDecision => ({ kind: "finish", outcome });

const failed = (error: string): AttemptOutcome => withoutCodes(TaskStatus.failed, error);

function withoutCodes(status: AttemptOutcome["status"], error: string): AttemptOutcome {
  return { status, error, exitCode: null, signal: null };
}
