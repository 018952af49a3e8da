import { mkdir, rm, rmdir } from "node:fs/promises";
import { findTask, listFinishedTaskIds } from "../db/queries/tasks.ts";
import type { Database } from "../db/open.ts";
import { FINISHED_STATUSES, type TaskStatus } from "../db/schema.ts";
import { badRequest, taskNotFinished, taskNotFound } from "../errors.ts";
import type { Transitions } from "../lifecycle/transitions.ts";
import type { BlobStore } from "../store/blob-store.ts";
import { PRIVATE_DIR_MODE, isTaskId, type Layout } from "../store/layout.ts";
import { toTaskView, type TaskView } from "./task-view.ts";

export interface DeleteDeps {
  db: Database;
  /** This server's instance: a flush deletes only the tasks whose folders are here. */
  home: string;
  transitions: Transitions;
  layout: Layout;
  /** A deleted task's large files leave the store with the last task that used them. */
  blobs: Pick<BlobStore, "release">;
  /** The per-task lock restarts take too: a task is never restarted and deleted at once. */
  withTaskLock: <T>(id: string, section: () => Promise<T>) => Promise<T>;
  now?: () => Date;
}

export interface FlushFilter {
  /** Only tasks that ended so (a finished status); all finished tasks by default. */
  status?: TaskStatus;
  /** Only tasks that finished longer ago than this. */
  olderThanMs?: number;
}

const FLUSH_BATCH = 500;

/**
 * Deletes finished tasks: their rows and their folders, output and logs
 * included. A running or queued task is never deleted. The folder is marked
 * pending first, then the rows go (guarded by the status that was read), then
 * the folder, then the stored files no other task uses: a crash after the rows
 * leaves a marked folder with no row, which the next start removes (see
 * remove-unlisted-folders.ts); a crash before leaves the task whole.
 */
export function createDeleter({ db, home, transitions, layout, blobs, withTaskLock, now = () => new Date() }: DeleteDeps) {
  async function deleteTask(id: string): Promise<TaskView> {
    const found = isTaskId(id) ? await findTask(db, id) : undefined;
    if (!found) throw taskNotFound(id);
    if (!FINISHED_STATUSES.includes(found.task.status)) throw taskNotFinished(id, found.task.status, "deleted");
    return withTaskLock(id, async () => {
      const current = await findTask(db, id);
      if (!current) throw taskNotFound(id);
      if (!FINISHED_STATUSES.includes(current.task.status)) throw taskNotFinished(id, current.task.status, "deleted");
      const paths = layout.taskPaths(id);
      // Whatever the script left under the marker's name (a link, a FIFO, a folder) is removed,
      // never followed or opened; the marker is then made new (mkdir fails on anything there).
      // A folder someone removed by hand has nothing to mark; the rows still go.
      await rm(paths.pendingMarker, { recursive: true, force: true });
      const marked = await mkdir(paths.pendingMarker, { mode: PRIVATE_DIR_MODE }).then(
        () => true,
        () => false,
      );
      if (!(await transitions.remove(id, current.task.status))) {
        if (marked) await rmdir(paths.pendingMarker).catch(() => {});
        throw taskNotFinished(id, "restarted meanwhile", "deleted");
      }
      await rm(paths.dir, { recursive: true, force: true });
      // A crash before this leaves blobs nothing holds, which the next start collects.
      await blobs.release(current.files.map((file) => file.sha256));
      return toTaskView(current);
    });
  }

  /** Deletes every finished task the filter matches; resolves to their ids. */
  async function flush({ status, olderThanMs }: FlushFilter): Promise<string[]> {
    if (status !== undefined && !FINISHED_STATUSES.includes(status)) {
      throw badRequest("invalid_field", `Cannot flush ${status} tasks: only finished ones (${FINISHED_STATUSES.join(", ")}) are deleted.`);
    }
    const finishedBefore = olderThanMs === undefined ? undefined : new Date(now().getTime() - olderThanMs);
    const deleted: string[] = [];
    const skipped = new Set<string>();
    for (;;) {
      const ids = (await listFinishedTaskIds(db, { home, status, finishedBefore, limit: FLUSH_BATCH + skipped.size })).filter((id) => !skipped.has(id));
      if (ids.length === 0) return deleted;
      for (const id of ids) {
        // One restarted (or deleted) meanwhile is not an error of the flush: it is left out.
        await deleteTask(id).then(
          () => deleted.push(id),
          () => skipped.add(id),
        );
      }
    }
  }

  return { deleteTask, flush };
}
