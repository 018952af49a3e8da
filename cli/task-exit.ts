import { constants } from "node:os";
import type { Task } from "../src/client/index.ts";

/**
 * The exit status of `wait` and `submit --wait`, which is the task's own where it has one, so
 * that a shell script or CI job can act on it as if it had run the script itself:
 *   0         it succeeded
 *   1-123     the script exited with that code (a failed task)
 *   124       it was stopped at its time limit (as timeout(1) exits)
 *   125       it failed without an exit status (it could not start, or its process was lost)
 *   128+N     the script was killed by signal N (137 for SIGKILL)
 *   130       it was cancelled (as a shell reports Ctrl-C)
 *   75        the wait gave up (--timeout) before the task finished; it goes on
 */
export const TASK_EXIT = { timedOut: 124, notRun: 125, cancelled: 130, stillRunning: 75 } as const;

export function taskExitCode(task: Task): number {
  if (task.status === "succeeded") return 0;
  if (task.status === "cancelled") return TASK_EXIT.cancelled;
  if (task.timed_out) return TASK_EXIT.timedOut;
  const signal = task.signal ? constants.signals[task.signal as keyof typeof constants.signals] : undefined;
  if (signal !== undefined) return 128 + signal;
  if (task.exit_code !== null && task.exit_code > 0 && task.exit_code < 256) return task.exit_code;
  return TASK_EXIT.notRun;
}

/** "Task 3f2a9c1d failed (the script exited with code 3)." */
export function taskEndLine(task: Task): string {
  return `Task ${task.short_id} ${task.status}${task.error ? ` (${task.error})` : ""}.`;
}
