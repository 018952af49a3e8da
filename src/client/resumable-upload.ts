import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { Readable } from "node:stream";
import { CubQueueConnectionError } from "./errors.ts";
import type { ResumeRecords } from "./resume-records.ts";

/** What a resumable upload needs of the server (see CubQueueClient: the tus endpoints). */
export interface UploadTransport {
  hasBlob(sha256: string): Promise<boolean>;
  /** Starts an upload; resolves to its URL. */
  create(length: number, filename: string, sha256: string): Promise<string>;
  /** Where the upload stands, or undefined when the server no longer has it (404, 410). */
  offset(url: string): Promise<number | undefined>;
  /** Sends `body` (the file from `offset` to its end); resolves to the server's offset after it. */
  append(url: string, offset: number, length: number, body: ReadableStream<Uint8Array>): Promise<number>;
}

/** How a large file's trip is going: being hashed (to be offered by hash), then uploaded. */
export interface LargeFileProgress {
  phase: "hashing" | "uploading";
  /** Bytes hashed, or bytes the server has (a resumed upload starts at its offset). */
  done: number;
  total: number;
  file: string;
  /** Set once, when an upload resumes: where it picked up. */
  resumedAt?: number;
}

export interface StoredFile {
  sha256: string;
  size: number;
  /** True when the server had the content already: no byte of it was sent. */
  reused: boolean;
}

/** How many times in a row an upload is resumed without getting further before it fails. */
const TRIES_WITHOUT_PROGRESS = 5;
const RETRY_FIRST_MS = 500;
const RETRY_MAX_MS = 10_000;
const CHUNK = 1024 * 1024;

/** The SHA-256 and size of a file, read once in 1 MiB chunks. */
export async function hashFile(path: string, onProgress?: (done: number, total: number) => void): Promise<{ sha256: string; size: number }> {
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile()) throw new Error(`Cannot read ${path}: no such file`);
  const hash = createHash("sha256");
  let done = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: CHUNK })) {
    hash.update(chunk as Buffer);
    done += (chunk as Buffer).length;
    onProgress?.(done, info.size);
  }
  return { sha256: hash.digest("hex"), size: done };
}

/**
 * Puts a file on the server once: hashed first, it is not sent at all if the server
 * has its content; otherwise it is sent resumably, picking up where an earlier try
 * (this one, or a run cut short, found by its resume record) stopped. A connection
 * that drops is resumed, up to TRIES_WITHOUT_PROGRESS times in a row without a byte
 * more. `known` skips the hashing when the caller has hashed it already.
 */
export async function storeFile(
  transport: UploadTransport,
  records: ResumeRecords,
  path: string,
  { onProgress, known, filename }: { onProgress?: (progress: LargeFileProgress) => void; known?: { sha256: string; size: number }; filename: string },
): Promise<StoredFile> {
  const { sha256, size } = known ?? (await hashFile(path, (done, total) => onProgress?.({ phase: "hashing", done, total, file: path })));
  if (await transport.hasBlob(sha256)) {
    await records.remove(sha256);
    return { sha256, size, reused: true };
  }
  let url: string | undefined;
  let offset: number | undefined;
  const saved = await records.get(sha256);
  if (saved && saved.length === size) {
    offset = await transport.offset(saved.url);
    if (offset !== undefined) url = saved.url;
  }
  if (url === undefined || offset === undefined) {
    url = await transport.create(size, filename, sha256);
    offset = 0;
    await records.set(sha256, { url, length: size });
  } else if (offset > 0) {
    onProgress?.({ phase: "uploading", done: offset, total: size, file: path, resumedAt: offset });
  }
  let failures = 0;
  let delayMs = RETRY_FIRST_MS;
  let settled = true;
  let lastFailedAt = -1;
  while (!settled || offset < size) {
    const from = offset;
    try {
      // After a failure, where the server got to first: the bytes that arrived are kept.
      if (!settled) {
        const now = await transport.offset(url);
        if (now === undefined) throw new Error(`The server no longer has the upload of ${path} (it expired or was deleted); run the command again to start it over.`);
        offset = now;
        settled = true;
        if (offset > lastFailedAt) {
          failures = 0;
          delayMs = RETRY_FIRST_MS;
        }
        continue;
      }
      offset = await transport.append(url, from, size - from, fileFrom(path, from, (sent) => onProgress?.({ phase: "uploading", done: from + sent, total: size, file: path })));
    } catch (error) {
      // A dropped connection, or a server restarting: try again, a little later each time it gets no further.
      if (!(error instanceof CubQueueConnectionError)) throw error;
      failures += 1;
      if (failures >= TRIES_WITHOUT_PROGRESS) throw error;
      lastFailedAt = Math.max(lastFailedAt, from);
      settled = false;
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      delayMs = Math.min(delayMs * 2, RETRY_MAX_MS);
    }
  }
  await records.remove(sha256);
  return { sha256, size, reused: false };
}

/** The file from `start` to its end as a web stream, counting what is read. */
function fileFrom(path: string, start: number, onRead: (sent: number) => void): ReadableStream<Uint8Array> {
  let sent = 0;
  const file = createReadStream(path, { start, highWaterMark: CHUNK });
  file.on("data", (chunk) => {
    sent += (chunk as Buffer).length;
    onRead(sent);
  });
  return Readable.toWeb(file) as ReadableStream<Uint8Array>;
}
