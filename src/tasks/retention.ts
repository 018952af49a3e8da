import type { TaskService } from "./task-service.ts";

/** How often finished tasks are checked for their age, at most. */
const SWEEP_EVERY_MS = 60 * 60_000;

/**
 * Deletes finished tasks once they are older than `keepMs` (start --keep-finished):
 * at start, then every hour (or every `keepMs`, if shorter). Queued and running
 * tasks are never touched; a failed sweep is reported and tried again at the next.
 * Returns what stops it.
 */
export function startRetention(tasks: Pick<TaskService, "flush">, keepMs: number, onError: (error: unknown) => void): () => Promise<void> {
  let sweeping: Promise<unknown> | undefined;
  const sweep = () => {
    // A sweep of many folders may outlast the interval: the next waits for its turn.
    if (sweeping) return;
    sweeping = tasks
      .flush({ olderThanMs: keepMs })
      .catch(onError)
      .finally(() => (sweeping = undefined));
  };
  sweep();
  const timer = setInterval(sweep, Math.min(keepMs, SWEEP_EVERY_MS));
  // The sweep must not keep a stopping server alive.
  timer.unref?.();
  return async () => {
    clearInterval(timer);
    await sweeping;
  };
}
