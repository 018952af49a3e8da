import { rm } from "node:fs/promises";
import { countTasksByStatus } from "../db/queries/queue.ts";
import type { Database } from "../db/open.ts";
import { TaskStatus } from "../db/schema.ts";
import type { Runner } from "../runner/runner.ts";
import type { BlobStore } from "../store/blob-store.ts";
import type { Layout } from "../store/layout.ts";
import type { UploadSessions } from "../uploads/upload-sessions.ts";
import { removeUnlistedTaskFolders, unlistedFoldersWarning } from "../tasks/remove-unlisted-folders.ts";

export interface RecoveryDeps {
  db: Database;
  instanceId: string;
  layout: Layout;
  runner: Runner;
  uploads: Pick<UploadSessions, "sweep">;
  blobs: Pick<BlobStore, "sweep">;
  log: (message: string) => void;
  /** Where what a start found is said (see StartServerOptions.info). */
  info: (message: string) => void;
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
 * 2b. resumable uploads abandoned past their expiry lose their bytes, files of
 *    uploads and blobs that no row records are removed, and blobs nothing
 *    holds (a deletion cut short) go; open uploads are kept, to be resumed;
 * 3. the runner takes back the attempts this instance left running (watched
 *    again, or given the outcome their wrapper recorded, or requeued if their
 *    script never started), then starts what is queued, unless the queue was
 *    left paused; the log says how many queued tasks it resumed, or that the
 *    queue is paused.
 */
export async function recoverAtStart({ db, instanceId, layout, runner, uploads, blobs, log, info, makePrivateDir }: RecoveryDeps): Promise<void> {
  await rm(layout.incomingDir, { recursive: true, force: true });
  await makePrivateDir(layout.incomingDir);
  const unlisted = await removeUnlistedTaskFolders(db, layout);
  if (unlisted.untouched > 0) log(unlistedFoldersWarning(layout, unlisted.untouched));
  await makePrivateDir(layout.uploadsDir);
  await makePrivateDir(layout.blobsDir);
  await uploads.sweep({ files: true });
  await blobs.sweep({ files: true });
  await runner.start();
  const waiting = (await countTasksByStatus(db, instanceId))[TaskStatus.queued];
  if (runner.paused) info(`The queue is paused: ${waiting} queued task${waiting === 1 ? " waits" : "s wait"} for \`cubqueue resume\`.`);
  else if (waiting > 0) info(`Resumed ${waiting} queued task${waiting === 1 ? "" : "s"}.`);
}
