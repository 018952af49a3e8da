import type { TaskDependencyView, TaskRecord } from "../db/queries/tasks.ts";
import { DependencyKind, FINISHED_STATUSES, TaskStatus, WAITING_STATUSES, type TaskAttemptRow } from "../db/schema.ts";
import { timedOut } from "../lifecycle/attempt-end.ts";
import { taskVariables } from "../runner/attempt-env.ts";
import { parseStoredHandle } from "../runner/attempt-handle.ts";
import { slurmHandleOf } from "../runner/slurm/slurm-handle.ts";

const iso = (date: Date | null | undefined) => (date ? date.toISOString() : null);

/** The fewest characters of an id shown as its short form (see db/queries/short-ids.ts). */
export const MIN_SHORT_ID = 8;

/** A task as the API shows it. */
export function toTaskView({ task, files, dependencies, tags, attempt, attempts }: TaskRecord, shortId = task.id.slice(0, MIN_SHORT_ID)) {
  return {
    task_id: task.id,
    short_id: shortId,
    name: task.name,
    tags,
    script_name: task.scriptName,
    script_version: task.scriptVersion,
    script_sha256: task.scriptSha256,
    status: task.status,
    exit_code: attempt?.exitCode ?? null,
    signal: attempt?.signal ?? null,
    error: task.error,
    timed_out: task.status === TaskStatus.failed && timedOut(task.error),
    created_at: task.createdAt.toISOString(),
    started_at: iso(attempt?.startedAt),
    finished_at: iso(task.finishedAt),
    cancel_requested_at: iso(task.cancelRequestedAt),
    attempts: task.attemptCount,
    pid: attempt ? pidOf(attempt) : null,
    executor: attempt?.executor ?? null,
    slurm_job_id: attempt ? slurmJobIdOf(attempt) : null,
    slurm_options: task.slurmOptions ?? [],
    max_retries: task.maxRetries,
    retry_delay_s: task.retryDelayMs / 1000,
    retry_backoff: task.retryBackoff,
    timeout_s: task.timeoutMs === null ? null : task.timeoutMs / 1000,
    next_attempt_at: task.status === "queued" ? iso(task.notBefore) : null,
    progress: task.progress === null ? null : { percent: task.progress, message: task.progressMessage },
    notify_url: task.notifyUrl,
    notify_on: task.notifyOn,
    priority: task.priority,
    cpus: task.cpus,
    gpus: task.gpus,
    env: taskVariables(task.env),
    array_id: task.arrayId,
    dependencies: dependencies.map((each) => ({ task_id: each.id, kind: each.kind, status: each.status })),
    waiting_for: WAITING_STATUSES.includes(task.status) ? dependencies.filter((each) => !isMet(each)).map((each) => each.id) : [],
    attempt_history: attempts.map((each) => ({
      number: each.number,
      started_at: each.startedAt.toISOString(),
      finished_at: iso(each.finishedAt),
      exit_code: each.exitCode,
      signal: each.signal,
      error: each.error,
      executor: each.executor,
      pid: pidOf(each),
      cpus: each.cpus,
      gpu_ids: each.gpus === null ? null : each.gpus === "" ? [] : each.gpus.split(","),
      suspended_s: suspendedMs(each) / 1000,
      slurm_job_id: slurmJobIdOf(each),
      // An attempt that never started (its server stopped first) wrote no log.
      log: each.handle === null ? null : each.number === task.attemptCount ? "log.txt" : `log.${each.number}.txt`,
    })),
    files: files.map((file) => ({
      placeholder: `<file${file.placeholder}>`,
      name: file.originalName,
      stored_name: file.storedName,
      size: file.size,
      sha256: file.sha256,
    })),
  };
}

/** Whether a dependency is met (as the queue decides it, see db/queries/queue.ts): one deleted since had finished. */
function isMet({ kind, status }: TaskDependencyView): boolean {
  if (status === null || status === TaskStatus.succeeded) return true;
  return kind === DependencyKind.afterany && FINISHED_STATUSES.includes(status);
}

/** How long the attempt has been suspended in all, up to now if it is. */
function suspendedMs(attempt: TaskAttemptRow): number {
  return attempt.suspendedMs + (attempt.suspendedAt ? Math.max(0, Date.now() - attempt.suspendedAt.getTime()) : 0);
}

/** The attempt's process id, when its executor ran it as a process here (the local executor's handle has one). */
function pidOf(attempt: TaskAttemptRow): number | null {
  const { pid } = parseStoredHandle(attempt.handle);
  return typeof pid === "number" ? pid : null;
}

/** The attempt's Slurm job id, when the Slurm executor ran it. */
function slurmJobIdOf(attempt: TaskAttemptRow): string | null {
  return attempt.executor === "slurm" ? (slurmHandleOf(parseStoredHandle(attempt.handle))?.jobId ?? null) : null;
}

export type TaskView = ReturnType<typeof toTaskView>;
