import { readdir, rm } from "node:fs/promises";
import { listTaskIds } from "../db/queries/tasks.ts";
import type { Database } from "../db/open.ts";
import { isTaskId, type Layout } from "../store/layout.ts";

/**
 * Removes task folders with no task in the database. A submission moves its
 * folder into tasks/ just before it inserts the row, so a crash in between
 * leaves such a folder: a half-written task nobody can see. Run before the
 * server takes requests, so no submission can be in that gap meanwhile.
 * Resolves to the number of folders removed.
 */
export async function removeUnlistedTaskFolders(db: Database, layout: Layout): Promise<number> {
  const folders = new Set((await readdir(layout.tasksDir)).filter(isTaskId));
  if (folders.size === 0) return 0;
  for (const id of await listTaskIds(db)) folders.delete(id);
  await Promise.all([...folders].map((id) => rm(layout.taskDir(id), { recursive: true, force: true })));
  return folders.size;
}
