import { rm } from "node:fs/promises";
import type { Database } from "../db/open.ts";
import type { Runner } from "../runner/runner.ts";
import type { Layout } from "../store/layout.ts";
import { removeUnlistedTaskFolders, unlistedFoldersWarning } from "../tasks/remove-unlisted-folders.ts";

export interface RecoveryDeps {
  db: Database;
  layout: Layout;
  runner: Runner;
  log: (message: string) => void;
  /** Makes one of CubQueue's own folders, private. */
  makePrivateDir: (dir: string) => Promise<void>;
}

/**
 * Everything a start does to finish what an earlier server left half done,
 * in order, before any request is taken (so nothing new is in flight):
 *
 * 1. uploads cut short (in incoming/) are removed: nothing refers to them;
 * 2. task folders of submissions and deletions cut short (a pending marker
 *    and no row) are removed; folders the database does not know are kept,
 *    with one warning;
 * 3. the runner takes back the attempts this instance left running (watched
 *    again, or given the outcome their wrapper recorded, or requeued if their
 *    script never started), then starts what is queued.
 */
export async function recoverAtStart({ db, layout, runner, log, makePrivateDir }: RecoveryDeps): Promise<void> {
  await rm(layout.incomingDir, { recursive: true, force: true });
  await makePrivateDir(layout.incomingDir);
  const unlisted = await removeUnlistedTaskFolders(db, layout);
  if (unlisted.untouched > 0) log(unlistedFoldersWarning(layout, unlisted.untouched));
  await runner.start();
}
