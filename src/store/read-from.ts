import { Buffer } from "node:buffer";
import type { FileHandle } from "node:fs/promises";

/** How much of a file is read at once: one buffer per reader, whatever the file's size. */
export const READ_CHUNK = 64 * 1024;

/**
 * The bytes of an open file from `position` to its end as it is now, a chunk
 * at a time (each a fresh buffer, so a consumer may keep it); the position
 * reached is in `progress.position` when it returns.
 */
export async function* readFrom(handle: FileHandle, progress: { position: number }): AsyncGenerator<Buffer> {
  for (;;) {
    const buffer = Buffer.allocUnsafe(READ_CHUNK);
    const { bytesRead } = await handle.read(buffer, 0, READ_CHUNK, progress.position);
    if (bytesRead === 0) return;
    progress.position += bytesRead;
    yield buffer.subarray(0, bytesRead);
  }
}
