import { Buffer } from "node:buffer";
import type { FileHandle } from "node:fs/promises";

/** How much of a file is read at once: one buffer per reader, whatever the file's size. */
export const READ_CHUNK = 64 * 1024;

/**
 * The bytes of an open file from `position` to its end as it is now, a chunk at a time; the
 * position reached is in `progress.position` when it returns. Each chunk is a fresh buffer of
 * exactly what was read (a consumer may keep it), copied out of the one this reader reuses, so
 * a follower that reads a line at a time neither allocates nor holds 64 KiB per line (it passes
 * the same `buffer` each time). A read
 * that comes back short has reached the end: it is not asked again (one read per new line).
 */
export async function* readFrom(handle: FileHandle, progress: { position: number }, buffer = Buffer.allocUnsafe(READ_CHUNK)): AsyncGenerator<Buffer> {
  for (;;) {
    const { bytesRead } = await handle.read(buffer, 0, READ_CHUNK, progress.position);
    if (bytesRead === 0) return;
    progress.position += bytesRead;
    yield Buffer.from(buffer.subarray(0, bytesRead));
    if (bytesRead < READ_CHUNK) return;
  }
}
