import { createHash, randomUUID } from "node:crypto";
import { open, readdir, rm, stat, truncate, type FileHandle } from "node:fs/promises";
import type { Readable } from "node:stream";
import { and, eq, lt, or } from "drizzle-orm";
import type { Database } from "../db/open.ts";
import { UploadState, uploads, type UploadRow } from "../db/schema.ts";
import { formatByteSize } from "../byte-size.ts";
import { AppError, badRequest, payloadTooLarge } from "../errors.ts";
import type { BlobStore } from "../store/blob-store.ts";
import type { FileHashes, GrowingFileHash } from "../store/file-hashes.ts";
import { PRIVATE_FILE_MODE, isTaskId, type Layout } from "../store/layout.ts";
import { createKeyedLock } from "../util/keyed-lock.ts";
import type { UploadChecksum } from "./upload-checksum.ts";

/** How long the record of an upload that ended (finished, expired, given up) still answers for it. */
const GONE_KEPT_MS = 7 * 24 * 3600_000;
/**
 * A PATCH's bytes are written in pieces of about this size, the next one gathered while the
 * last is written: one write per network chunk (64 KiB) would cost a round trip to the
 * file system's threads each, and bound the upload by them.
 */
const WRITE_PIECE = 1024 * 1024;
/**
 * What a PATCH has written is flushed to disk in the background each time this much more is
 * written, while the rest arrives: the fsync before the answer then has little left to do,
 * instead of all of a large file (over a second for 2 GiB here).
 */
const SYNC_EVERY = 64 * 1024 * 1024;

export interface UploadSessionsDeps {
  db: Database;
  layout: Layout;
  home: string;
  blobs: BlobStore;
  /** Hashes the uploads as they are written, off the event loop. */
  hashes: FileHashes;
  /** How long an upload may go without a byte before it is abandoned (start --upload-expiry). */
  expiryMs: number;
  /** The largest file one upload may be (start --max-upload-size). */
  maxSize?: number;
  /** Told of every byte received, for /metrics. */
  onReceived?: (bytes: number) => void;
  now?: () => Date;
}

/** Where an upload stands: its record, and how many of its bytes the server has. */
export interface UploadStatus {
  row: UploadRow;
  offset: number;
}

export interface AppendRequest {
  /** Where the client says its bytes start (Upload-Offset): must be where the server's end. */
  offset: number;
  body: Readable;
  /** The digest the client says these bytes have (Upload-Checksum): they are kept only if it matches. */
  checksum?: UploadChecksum;
}

export type UploadSessions = ReturnType<typeof createUploadSessions>;

/**
 * Resumable uploads (the tus protocol's core, creation, expiration, checksum and
 * termination): a file is sent in as many PATCH requests as it takes, each from
 * where the server's copy ends, so a connection that drops costs only what was in
 * flight. The bytes go to cubqueue.uploads/<id>, whose size is the offset: a crash
 * (even SIGKILL) loses nothing written, and each PATCH is on disk (fsync) before it
 * is acknowledged. The file is hashed as it is written (after a restart, from its first
 * byte, while the next PATCH arrives); once whole, its sha256 is checked against the one
 * the client declared, and it moves into the blob store, where submissions name it by hash.
 */
export function createUploadSessions({ db, layout, home, blobs, hashes, expiryMs, maxSize, onReceived = () => {}, now = () => new Date() }: UploadSessionsDeps) {
  const withLock = createKeyedLock();
  /** The PATCH under way for each upload: a newer request for it ends that one first. */
  const active = new Map<string, { abort: () => void; settled: Promise<unknown> }>();
  /** Each upload's hash, told of its first `covered` bytes (all the file has, unless a write failed). */
  const hashing = new Map<string, { hash: GrowingFileHash; covered: number }>();

  /** The upload's hash, told of its first `offset` bytes: a new one (hashing them in the background) if it knew of others. */
  function hashFor(id: string, offset: number) {
    const known = hashing.get(id);
    if (known?.covered === offset) return known;
    known?.hash.drop();
    const fresh = { hash: hashes.start(layout.uploadFile(id)), covered: offset };
    fresh.hash.advance(offset);
    hashing.set(id, fresh);
    return fresh;
  }

  function forgetHash(id: string): void {
    hashing.get(id)?.hash.drop();
    hashing.delete(id);
  }

  async function create({ length, filename, declaredSha256 }: { length: number; filename: string; declaredSha256?: string }): Promise<UploadStatus> {
    if (maxSize !== undefined && length > maxSize) {
      throw payloadTooLarge(`The file (${formatByteSize(length)}) is larger than this server's maximum of ${formatByteSize(maxSize)} per upload.`);
    }
    const id = randomUUID();
    const created = now();
    // The file first: a row always has its file, and a file without a row is collected at start.
    await (await open(layout.uploadFile(id), "wx", PRIVATE_FILE_MODE)).close();
    const row: UploadRow = {
      id,
      home,
      length,
      filename,
      declaredSha256: declaredSha256 ?? null,
      state: UploadState.open,
      sha256: null,
      createdAt: created,
      expiresAt: new Date(created.getTime() + expiryMs),
    };
    await db.insert(uploads).values(row);
    return { row, offset: 0 };
  }

  /** The upload as it stands: 404 if unknown, 410 once abandoned past its expiry. */
  async function status(id: string, { settle = false }: { settle?: boolean } = {}): Promise<UploadStatus> {
    // A client that asks where to resume has given up its earlier request: end that one, so the answer holds.
    if (settle) await endActive(id);
    return withLock(id, () => current(id));
  }

  async function current(id: string): Promise<UploadStatus> {
    const [row] = isTaskId(id) ? await db.select().from(uploads).where(and(eq(uploads.id, id), eq(uploads.home, home))) : [];
    if (!row) throw uploadNotFound(id);
    if (row.state === UploadState.complete) return { row, offset: row.length };
    const size = row.state === UploadState.open ? await stat(layout.uploadFile(id)).then((info) => info.size, () => undefined) : undefined;
    if (row.state === UploadState.expired || size === undefined || row.expiresAt.getTime() <= now().getTime()) {
      await expire(row);
      throw uploadExpired(id);
    }
    return { row, offset: size };
  }

  async function endActive(id: string): Promise<void> {
    const previous = active.get(id);
    if (!previous) return;
    previous.abort();
    await previous.settled;
  }

  /**
   * Appends a PATCH's bytes at `offset`. What arrives is kept even if the request is
   * cut (unless it carries a checksum, which only whole bytes can match). Resolves with
   * the new offset, and the upload as it is once the last byte is in.
   */
  async function append(id: string, request: AppendRequest): Promise<UploadStatus> {
    await endActive(id);
    const aborted = new AbortController();
    const settled = withLock(id, () => write(id, request, aborted.signal));
    const entry = { abort: () => aborted.abort(), settled: settled.catch(() => undefined) };
    active.set(id, entry);
    try {
      return await settled;
    } finally {
      if (active.get(id) === entry) active.delete(id);
    }
  }

  async function write(id: string, { offset, body, checksum }: AppendRequest, signal: AbortSignal): Promise<UploadStatus> {
    const found = await current(id);
    if (offset !== found.offset) {
      body.resume();
      throw offsetMismatch(offset, found.offset);
    }
    if (found.row.state === UploadState.complete) {
      body.resume();
      return found;
    }
    const left = found.row.length - found.offset;
    const hash = hashFor(id, found.offset);
    const digest = checksum ? createHash(checksum.algorithm) : undefined;
    const stop = () => body.destroy();
    signal.addEventListener("abort", stop, { once: true });
    const file = await open(layout.uploadFile(id), "a");
    /** Bytes on disk, and bytes received in all (those being written and gathered too). */
    let written = 0;
    let arrived = 0;
    let piece: Buffer[] = [];
    let gathered = 0;
    let writing: Promise<void> = Promise.resolve();
    const syncs = backgroundSyncs(file);
    /** Starts writing the gathered piece once the one before it is written. */
    const writePiece = () => {
      const buffers = piece;
      piece = [];
      gathered = 0;
      writing = writing.then(async () => {
        written += await writeAll(file, buffers).catch((error: unknown) => Promise.reject(new WriteFailure(error)));
        hash.hash.advance(found.offset + written);
        syncs.wrote(written);
      });
      // Read by the next await of it; no rejection goes unhandled meanwhile.
      writing.catch(() => undefined);
    };
    let failure: unknown;
    try {
      for await (const chunk of body) {
        const bytes = chunk as Buffer;
        if (arrived + bytes.length > left) {
          throw new AppError(
            400,
            "upload_too_long",
            `The upload is ${found.row.length} bytes long (Upload-Length), and this PATCH sends more than the ${left} bytes it lacks; none of the extra was kept.`,
          );
        }
        arrived += bytes.length;
        // As they arrive: /metrics counts an upload under way, and one cut short, byte for byte.
        onReceived(bytes.length);
        digest?.update(bytes);
        piece.push(bytes);
        gathered += bytes.length;
        if (gathered >= WRITE_PIECE) {
          await writing;
          writePiece();
        }
      }
      writePiece();
      await writing;
    } catch (error) {
      if (error instanceof WriteFailure) {
        failure = error.cause;
      } else {
        // A body that stops early (the client gone, or a newer request for this upload) is how
        // resumable uploads are cut: what arrived is kept, and the next PATCH goes on from it.
        writePiece();
        await writing.catch((writeError: WriteFailure) => (failure = writeError.cause));
        failure ??= error instanceof AppError ? error : cutShort(found.offset + written);
      }
    } finally {
      signal.removeEventListener("abort", stop);
      await writing.catch(() => undefined);
      // A flush that failed may have lost bytes this PATCH wrote: it is a failure to write them.
      const syncFailure = await syncs.settled();
      if (syncFailure !== undefined) failure = syncFailure;
      await file.sync().catch(() => undefined);
      await file.close();
    }
    hash.covered = found.offset + written;
    // With a checksum, only bytes that match it are kept: a cut or a mismatch takes this PATCH's bytes back.
    if (digest && (failure !== undefined || digest.digest("base64") !== checksum!.digest)) {
      await truncate(layout.uploadFile(id), found.offset);
      forgetHash(id);
      if (failure === undefined) throw checksumMismatch(checksum!.algorithm);
    }
    await db.update(uploads).set({ expiresAt: new Date(now().getTime() + expiryMs) }).where(eq(uploads.id, id));
    if (failure !== undefined) throw failure;
    const end = found.offset + written;
    if (end < found.row.length) return { row: found.row, offset: end };
    return finish(found.row, hash.hash);
  }

  /** The last byte is in: take its hash, check the declared one, and store the file as a blob. */
  async function finish(row: UploadRow, hash: GrowingFileHash): Promise<UploadStatus> {
    const path = layout.uploadFile(row.id);
    const sha256 = await hash.digest(row.length).finally(() => hashing.delete(row.id));
    if (row.declaredSha256 !== null && row.declaredSha256 !== sha256) {
      await rm(path, { force: true });
      await db.update(uploads).set({ state: UploadState.expired, expiresAt: now() }).where(eq(uploads.id, row.id));
      throw badRequest(
        "hash_mismatch",
        `The uploaded bytes have sha256 ${sha256}, not ${row.declaredSha256} as declared (Upload-Metadata sha256): nothing was kept; upload the file again.`,
      );
    }
    // Held from the moment it is stored until the upload's row says it holds it.
    const unpin = blobs.pin([sha256]);
    try {
      await blobs.adopt(path, sha256);
      const finished = { state: UploadState.complete, sha256, expiresAt: new Date(now().getTime() + expiryMs) };
      await db.update(uploads).set(finished).where(eq(uploads.id, row.id));
      return { row: { ...row, ...finished }, offset: row.length };
    } finally {
      unpin();
    }
  }

  /** Gives an upload up (tus termination): its bytes go at once. A finished one's blob stays for the tasks that use it. */
  async function terminate(id: string): Promise<void> {
    await endActive(id);
    await withLock(id, async () => {
      const { row } = await current(id);
      forgetHash(id);
      await rm(layout.uploadFile(id), { force: true });
      await db.delete(uploads).where(eq(uploads.id, id));
      if (row.sha256 !== null) await blobs.release([row.sha256]);
    });
  }

  async function expire(row: UploadRow): Promise<void> {
    forgetHash(row.id);
    await rm(layout.uploadFile(row.id), { force: true });
    if (row.state === UploadState.open) await db.update(uploads).set({ state: UploadState.expired }).where(eq(uploads.id, row.id));
  }

  /**
   * Removes the bytes of uploads abandoned past their expiry, and the records of those
   * that ended long ago. With `files` (at start), also files no open upload records.
   */
  async function sweep({ files = false }: { files?: boolean } = {}): Promise<void> {
    const at = now();
    const abandoned = await db
      .select()
      .from(uploads)
      .where(and(eq(uploads.home, home), eq(uploads.state, UploadState.open), lt(uploads.expiresAt, at)));
    for (const row of abandoned) if (!active.has(row.id)) await withLock(row.id, () => expire(row));
    const longGone = new Date(at.getTime() - GONE_KEPT_MS);
    await db.delete(uploads).where(and(eq(uploads.home, home), or(eq(uploads.state, UploadState.expired), eq(uploads.state, UploadState.complete)), lt(uploads.expiresAt, longGone)));
    if (!files) return;
    const open = new Set(
      (await db.select({ id: uploads.id }).from(uploads).where(and(eq(uploads.home, home), eq(uploads.state, UploadState.open)))).map((row) => row.id),
    );
    for (const name of await readdir(layout.uploadsDir).catch(() => [] as string[])) {
      if (!open.has(name)) await rm(`${layout.uploadsDir}/${name}`, { recursive: true, force: true });
    }
  }

  return { create, status, append, terminate, sweep };
}

/** Writes the buffers at the file's end, all of them (a write may take fewer bytes); resolves to how many. */
async function writeAll(file: FileHandle, buffers: Buffer[]): Promise<number> {
  const total = buffers.reduce((sum, buffer) => sum + buffer.length, 0);
  let done = (await file.writev(buffers)).bytesWritten;
  while (done < total) done += (await file.write(Buffer.concat(buffers).subarray(done))).bytesWritten;
  return total;
}

/**
 * Flushes a file being written to disk in the background, one flush at a time, each time
 * SYNC_EVERY more bytes are written. settled() waits for the flush under way and says how
 * one failed, if one did (the error is reported to one flush only: it must not be lost).
 */
function backgroundSyncs(file: FileHandle) {
  let flushedAt = 0;
  let flushing: Promise<void> | undefined;
  let failed: unknown;
  return {
    wrote(bytes: number): void {
      if (flushing || bytes - flushedAt < SYNC_EVERY) return;
      flushedAt = bytes;
      flushing = file.datasync().then(
        () => (flushing = undefined),
        (error: unknown) => {
          failed ??= error;
          flushing = undefined;
        },
      );
    },
    async settled(): Promise<unknown> {
      await flushing;
      return failed;
    },
  };
}

/** A failure to write the bytes, told apart from a body that stopped arriving. */
class WriteFailure extends Error {
  constructor(override readonly cause: unknown) {
    super("writing the upload failed");
  }
}

const cutShort = (offset: number) =>
  new AppError(400, "upload_interrupted", `The PATCH ended before its last byte; the ${offset} bytes received are kept: resume from there (HEAD, then PATCH with Upload-Offset: ${offset}).`, {
    "Upload-Offset": String(offset),
  });

export const uploadNotFound = (id: string) => new AppError(404, "upload_not_found", `No upload with id "${id}" (it finished long ago, was deleted, or never existed).`);

export const uploadExpired = (id: string) =>
  new AppError(410, "upload_expired", `Upload ${id} was abandoned past the server's expiry and its bytes removed; start a new upload.`);

const offsetMismatch = (sent: number, actual: number) =>
  new AppError(
    409,
    "offset_mismatch",
    `This PATCH starts at byte ${sent}, but the server has ${actual} bytes of the upload: send from byte ${actual} (Upload-Offset: ${actual}).`,
    { "Upload-Offset": String(actual) },
  );

const checksumMismatch = (algorithm: string) =>
  new AppError(460, "checksum_mismatch", `The bytes of this PATCH do not have the ${algorithm} it declared (Upload-Checksum): none of them were kept; send them again.`);
