import { Buffer } from "node:buffer";
import { lstat } from "node:fs/promises";
import { FINISHED_STATUSES, type TaskStatus } from "../db/schema.ts";
import { NotRegularFileError, openTaskFile, type OpenedTaskFile } from "../store/open-task-file.ts";
import { tailOffset } from "../store/log-tail.ts";
import { READ_CHUNK, readFrom } from "../store/read-from.ts";
import { watchFolder } from "../store/folder-watchers.ts";

/** When nothing said the log changed (a file system that sends no notices), look anyway this often. */
const SAFETY_POLL_MS = 5_000;

export interface FollowDeps {
  taskId: string;
  /** The task's folder (watched for writes) and its latest attempt's log. */
  dir: string;
  logFile: string;
  /** How many of the last lines come first. */
  lines: number;
  /** The task's state now. */
  readState(): Promise<{ status: TaskStatus; attempt: number }>;
  /** Calls back on every event of the task (a change of state); returns how to stop. */
  onTaskEvent(callback: () => void): () => void;
  /** Aborts when the reader has gone: the follower stops even while it waits for the task. */
  signal: AbortSignal;
}

/**
 * A task's log as it is written: its last `lines` lines, then whatever is
 * appended, a chunk at a time, until the task has finished and everything its
 * last attempt wrote has been sent. A retry's new log follows the old one,
 * after a line saying which attempt starts. Nothing is held but one chunk:
 * a multi-gigabyte log is read from where the tail starts, never whole. It
 * wakes on the task's events and on writes in its folder (no polling while
 * the task is quiet but a slow safety check), and lets go of all it holds
 * when the consumer stops reading.
 */
export async function* followLog(deps: FollowDeps): AsyncGenerator<Buffer> {
  const wakeup = createWakeup();
  let stateChanged = true;
  const stopEvents = deps.onTaskEvent(() => {
    stateChanged = true;
    wakeup.ring();
  });
  const stopWatching = watchFolder(deps.dir, () => wakeup.ring());
  const hangUp = () => wakeup.ring();
  deps.signal.addEventListener("abort", hangUp);
  /** The log being read, and the attempt it was taken for. */
  let current: (OpenedTaskFile & { position: number; attempt: number }) | undefined;
  /** The one buffer this follower reads into, however long it follows. */
  const buffer = Buffer.allocUnsafe(READ_CHUNK);
  let state = await deps.readState();
  let first = true;
  try {
    for (;;) {
      if (deps.signal.aborted) return;
      if (stateChanged) {
        stateChanged = false;
        state = await deps.readState();
      }
      // The state first: once the task is seen finished, the log holds all it will ever hold.
      const finished = FINISHED_STATUSES.includes(state.status);
      if (!current) {
        const opened = await openTaskFile(deps.logFile, { refuseHardLinks: true });
        if (opened) {
          const position = first ? await tailOffset(opened.handle, opened.stats.size, deps.lines) : 0;
          if (!first) yield Buffer.from(`[cubqueue] attempt ${state.attempt} of task ${deps.taskId}\n`);
          current = { ...opened, position, attempt: state.attempt };
          first = false;
        }
      }
      if (current) yield* readFrom(current.handle, current, buffer);
      // Only once a later attempt has begun can log.txt be another file: no look at the path before.
      if (current && state.attempt > current.attempt && !(await stillNames(deps.logFile, current))) {
        // A new attempt replaced log.txt: what the old one wrote last was read just now.
        await current.handle.close();
        current = undefined;
        continue;
      }
      if (finished) return;
      await wakeup.wait(SAFETY_POLL_MS);
    }
  } finally {
    deps.signal.removeEventListener("abort", hangUp);
    stopEvents();
    stopWatching();
    await current?.handle.close();
  }
}

/** Whether the path still names the file that was opened (a retry renames log.txt away and makes a new one). */
async function stillNames(path: string, opened: OpenedTaskFile): Promise<boolean> {
  const named = await lstat(path).catch(() => null);
  return named !== null && named.ino === opened.stats.ino && named.dev === opened.stats.dev;
}

/** A wake-up that is not lost when it rings before anyone waits. */
function createWakeup() {
  let rung = false;
  let waiting: (() => void) | undefined;
  return {
    ring() {
      rung = true;
      waiting?.();
    },
    async wait(ms: number): Promise<void> {
      if (!rung) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, ms);
          waiting = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        waiting = undefined;
      }
      rung = false;
    },
  };
}

export { NotRegularFileError };
