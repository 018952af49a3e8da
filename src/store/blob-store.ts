import { chmod, copyFile, link, lstat, mkdir, readdir, rename, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { deleteBlobRow, findBlob, listBlobHashes, unusedBlobs, upsertBlob } from "../db/queries/blobs.ts";
import type { Database } from "../db/open.ts";
import type { BlobRow } from "../db/schema.ts";
import { createKeyedLock } from "../util/keyed-lock.ts";
import { PRIVATE_DIR_MODE, type Layout } from "./layout.ts";

/**
 * Stored inputs are read-only: every task that uses one shares its bytes (hard links),
 * so a task that wrote to its input would change every other task's.
 */
export const STORED_INPUT_MODE = 0o400;

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** True for a sha256 as the store names its blobs: 64 lowercase hex digits. */
export function isSha256(value: string): boolean {
  return SHA256_HEX.test(value);
}

/** A modification time in whole milliseconds: Node reports nanoseconds, Deno milliseconds. */
function wholeMs(nanoseconds: bigint): number {
  return Number(nanoseconds / 1_000_000n);
}

/** Why a file could not be linked, where a copy does instead (another file system, too many links, no links at all). */
const CANNOT_LINK = new Set(["EXDEV", "EMLINK", "EPERM", "ENOTSUP", "EOPNOTSUPP"]);

export interface BlobStoreDeps {
  db: Database;
  layout: Layout;
  /** This server's instance: its base dir holds the blobs it records. */
  home: string;
  now: () => Date;
}

export type BlobStore = ReturnType<typeof createBlobStore>;

/**
 * The content-addressed store of uploaded files: each content once, under its
 * sha256 (blobs/ab/abcd…), read-only, and hard-linked (or, where that cannot be,
 * copied) into the files/ folder of every task that uses it. A blob goes when
 * the last task using it is deleted; one that nothing uses (a crash between two
 * steps, a finished upload never submitted) is collected by `sweep`.
 *
 * Every change of one blob (storing, linking out, removing) takes its lock, and
 * a submission pins the blobs it is about to link until its tasks are recorded,
 * so a deletion running meanwhile never takes a blob from under it.
 */
export function createBlobStore({ db, layout, home, now }: BlobStoreDeps) {
  const withLock = createKeyedLock();
  const pins = new Map<string, number>();

  /** Drops a blob from the store: its row first, so no one is offered a file about to go. Tasks keep their links. */
  async function drop(sha256: string): Promise<void> {
    await deleteBlobRow(db, home, sha256);
    await rm(layout.blobFile(sha256), { force: true });
  }

  /**
   * The blob of this content, if the store has it whole and unchanged. A file that no
   * longer has the size and modification time it was stored with was written to (by a
   * script that made its input writable again): it is dropped, never offered.
   */
  function lookup(sha256: string): Promise<BlobRow | undefined> {
    return withLock(sha256, () => verified(sha256));
  }

  /** lookup, for a caller that holds the blob's lock. */
  async function verified(sha256: string): Promise<BlobRow | undefined> {
    const row = await findBlob(db, home, sha256);
    if (!row) return undefined;
    const info = await lstat(layout.blobFile(sha256), { bigint: true }).catch(() => undefined);
    if (info?.isFile() && info.size === BigInt(row.size) && wholeMs(info.mtimeNs) === row.mtimeMs) return row;
    await drop(sha256);
    return undefined;
  }

  /**
   * Takes over a fully received file of that content: it becomes the blob (moved into
   * the store), or is removed when the store has it already. Resolves true when it
   * became the blob.
   */
  async function adopt(path: string, sha256: string): Promise<boolean> {
    if (!isSha256(sha256)) throw new Error(`Not a sha256: ${sha256}`);
    return withLock(sha256, async () => {
      if (await verified(sha256)) {
        await rm(path, { force: true });
        return false;
      }
      const blob = layout.blobFile(sha256);
      await chmod(path, STORED_INPUT_MODE);
      await mkdir(dirname(blob), { recursive: true, mode: PRIVATE_DIR_MODE });
      // Over whatever a crash left there without a row: a rename replaces it whole.
      await rename(path, blob);
      const info = await lstat(blob, { bigint: true });
      await upsertBlob(db, { home, sha256, size: Number(info.size), mtimeMs: wholeMs(info.mtimeNs), storedAt: now() });
      return true;
    });
  }

  /** Gives a task the blob's bytes at `destination`: a hard link, or a read-only copy where a link cannot be made. */
  async function linkInto(sha256: string, destination: string): Promise<void> {
    const blob = layout.blobFile(sha256);
    try {
      await link(blob, destination);
    } catch (error) {
      if (!CANNOT_LINK.has(String((error as NodeJS.ErrnoException).code))) throw error;
      await copyFile(blob, destination);
      await chmod(destination, STORED_INPUT_MODE);
    }
  }

  /** Keeps these blobs from being removed until the returned function is called. */
  function pin(hashes: Iterable<string>): () => void {
    const pinned = [...new Set(hashes)];
    for (const sha256 of pinned) pins.set(sha256, (pins.get(sha256) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const sha256 of pinned) {
        const left = (pins.get(sha256) ?? 1) - 1;
        if (left > 0) pins.set(sha256, left);
        else pins.delete(sha256);
      }
    };
  }

  /** Removes those of these blobs that nothing holds any more (their last task was deleted). */
  async function release(hashes: Iterable<string>): Promise<void> {
    for (const sha256 of new Set(hashes)) {
      await withLock(sha256, async () => {
        if (pins.has(sha256)) return;
        const [unused] = await unusedBlobs(db, home, [sha256], now());
        if (unused) await drop(unused);
      });
    }
  }

  /**
   * Collects what nothing holds: blobs no task or unused upload keeps, rows whose file
   * is gone, and (with `files`, at start, when nothing is being stored) files under
   * blobs/ that no row records (a crash between storing a file and recording it).
   */
  async function sweep({ files = false }: { files?: boolean } = {}): Promise<void> {
    const recorded = await listBlobHashes(db, home);
    await release(recorded);
    for (const sha256 of recorded) {
      const present = await lstat(layout.blobFile(sha256)).catch(() => undefined);
      if (!present) await withLock(sha256, () => deleteBlobRow(db, home, sha256));
    }
    if (!files) return;
    const known = new Set(await listBlobHashes(db, home));
    for (const prefix of await readdir(layout.blobsDir).catch(() => [] as string[])) {
      const dir = join(layout.blobsDir, prefix);
      for (const name of await readdir(dir).catch(() => [] as string[])) {
        if (!known.has(name) && !pins.has(name)) await rm(join(dir, name), { recursive: true, force: true });
      }
    }
  }

  return { lookup, adopt, linkInto, pin, release, sweep };
}
