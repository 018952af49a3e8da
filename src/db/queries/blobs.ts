import { and, eq, gt, inArray, sql } from "drizzle-orm";
import type { Database } from "../open.ts";
import { UploadState, blobs, taskFiles, tasks, uploads, type BlobRow } from "../schema.ts";

export async function findBlob(db: Database, home: string, sha256: string): Promise<BlobRow | undefined> {
  const [row] = await db
    .select()
    .from(blobs)
    .where(and(eq(blobs.home, home), eq(blobs.sha256, sha256)));
  return row;
}

/** Records a blob, or records it again (a file stored anew where a stale row was). */
export async function upsertBlob(db: Database, row: BlobRow): Promise<void> {
  await db
    .insert(blobs)
    .values(row)
    .onConflictDoUpdate({ target: [blobs.home, blobs.sha256], set: { size: row.size, mtimeMs: row.mtimeMs, storedAt: row.storedAt } });
}

export async function deleteBlobRow(db: Database, home: string, sha256: string): Promise<void> {
  await db.delete(blobs).where(and(eq(blobs.home, home), eq(blobs.sha256, sha256)));
}

export async function listBlobHashes(db: Database, home: string): Promise<string[]> {
  return (await db.select({ sha256: blobs.sha256 }).from(blobs).where(eq(blobs.home, home))).map((row) => row.sha256);
}

/**
 * Whether something still holds the blob: a task of this server with a file of that
 * content, or a finished resumable upload of it that no submission has used yet.
 */
export async function blobInUse(db: Database, home: string, sha256: string, now: Date): Promise<boolean> {
  const [byTask] = await db
    .select({ one: sql<number>`1` })
    .from(taskFiles)
    .innerJoin(tasks, eq(tasks.id, taskFiles.taskId))
    .where(and(eq(taskFiles.sha256, sha256), eq(tasks.home, home)))
    .limit(1);
  if (byTask) return true;
  const [byUpload] = await db
    .select({ one: sql<number>`1` })
    .from(uploads)
    .where(and(eq(uploads.home, home), eq(uploads.sha256, sha256), eq(uploads.state, UploadState.complete), gt(uploads.expiresAt, now)))
    .limit(1);
  return byUpload !== undefined;
}

/** The hashes among `hashes` that no task of this server and no unused finished upload holds. */
export async function unusedBlobs(db: Database, home: string, hashes: readonly string[], now: Date): Promise<string[]> {
  const unused: string[] = [];
  for (const sha256 of hashes) if (!(await blobInUse(db, home, sha256, now))) unused.push(sha256);
  return unused;
}

/**
 * A submission used these finished uploads: they no longer hold their blobs, which
 * are the tasks' to keep from now on (and go with the last of them).
 */
export async function markUploadsUsed(db: Database, home: string, hashes: readonly string[], now: Date): Promise<void> {
  if (hashes.length === 0) return;
  await db
    .update(uploads)
    .set({ expiresAt: now })
    .where(and(eq(uploads.home, home), eq(uploads.state, UploadState.complete), inArray(uploads.sha256, [...hashes]), gt(uploads.expiresAt, now)));
}
