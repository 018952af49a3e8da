import { lstat, readdir, rm } from "node:fs/promises";
import { listTaskIds } from "../db/queries/tasks.ts";
import type { Database } from "../db/open.ts";
import { isTaskId, type Layout } from "../store/layout.ts";

export interface UnlistedFolders {
  /** Submissions cut short by a crash (pending marker, no row): removed. */
  removed: number;
  /** Folders with no row and no pending marker: left untouched. */
  untouched: number;
}

/**
 * Removes the task folders of submissions cut short: a submission moves its
 * folder into tasks/ just before it inserts the row, so a crash in between
 * leaves a half-written task nobody can see. Such a folder still carries the
 * pending marker, which the submission removes once the row exists.
 *
 * A folder with no row and no marker belongs to a task this database has no
 * record of (the database file was lost or replaced, or CUBQUEUE_DATABASE_URL
 * points at another one): it may hold results, or a task still running, so it
 * is left alone and only counted. Run before the server takes requests, so no
 * submission can be in that gap meanwhile.
 */
export async function removeUnlistedTaskFolders(db: Database, layout: Layout): Promise<UnlistedFolders> {
  const folders = new Set((await readdir(layout.tasksDir)).filter(isTaskId));
  if (folders.size === 0) return { removed: 0, untouched: 0 };
  for (const id of await listTaskIds(db)) folders.delete(id);
  const pending = await Promise.all([...folders].map(async (id) => ((await isPending(layout, id)) ? id : undefined)));
  const cutShort = pending.filter((id) => id !== undefined);
  await Promise.all(cutShort.map((id) => rm(layout.taskDir(id), { recursive: true, force: true })));
  return { removed: cutShort.length, untouched: folders.size - cutShort.length };
}

async function isPending(layout: Layout, id: string): Promise<boolean> {
  // lstat: a marker is an empty folder CubQueue made (a plain file, made by an older CubQueue),
  // never whatever a link points at.
  const stats = await lstat(layout.taskPaths(id).pendingMarker).catch(() => undefined);
  return (stats?.isDirectory() || stats?.isFile()) ?? false;
}

/** The one line a server logs when tasks/ holds folders its database does not know. */
export function unlistedFoldersWarning(layout: Layout, untouched: number): string {
  const folders = untouched === 1 ? "1 folder" : `${untouched} folders`;
  return (
    `warning: ${layout.tasksDir} holds ${folders} this database has no record of ` +
    "(is CUBQUEUE_DATABASE_URL right, or was cubqueue.db replaced?); they are left untouched."
  );
}
