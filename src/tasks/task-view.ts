import type { TaskRecord } from "../db/queries/tasks.ts";

const iso = (date: Date | null | undefined) => (date ? date.toISOString() : null);

/** A task as the API shows it. */
export function toTaskView({ task, files, attempt }: TaskRecord) {
  return {
    task_id: task.id,
    script_name: task.scriptName,
    status: task.status,
    exit_code: attempt?.exitCode ?? null,
    signal: attempt?.signal ?? null,
    error: task.error,
    created_at: task.createdAt.toISOString(),
    started_at: iso(attempt?.startedAt),
    finished_at: iso(task.finishedAt),
    cancel_requested_at: iso(task.cancelRequestedAt),
    attempts: task.attemptCount,
    pid: attempt?.pid ?? null,
    files: files.map((file) => ({
      placeholder: `<file${file.placeholder}>`,
      name: file.originalName,
      stored_name: file.storedName,
      size: file.size,
      sha256: file.sha256,
    })),
  };
}

export type TaskView = ReturnType<typeof toTaskView>;
