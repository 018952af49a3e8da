import { Buffer } from "node:buffer";
import { open } from "node:fs/promises";
import type { FileHandle } from "node:fs/promises";

/**
 * Size of each backwards read. Large enough that a typical `tail -n 100` of a log
 * needs a single read, small enough that overshooting costs nothing noticeable.
 */
const CHUNK_SIZE = 64 * 1024;

const NEWLINE = 0x0a;

/**
 * Returns the last `lines` lines of the file at path, reading backwards from the
 * end in fixed-size chunks, so the cost does not depend on the file's size.
 * A missing file reads as "".
 *
 * - Lines end with "\n"; a final "\n" ends the last line rather than starting an
 *   empty one, and a last line without "\n" still counts. "\r\n" files work: lines
 *   are returned as they are, "\r" included.
 * - The result ends with a newline iff the file does.
 * - `lines <= 0` (or NaN) returns "" without touching the file.
 * - Memory use is proportional to the returned text (plus one chunk), not to the file.
 * - The file is measured once when opened: lines appended while reading are not
 *   returned; if the file shrinks meanwhile, the lines read up to that point are.
 */
export async function tailLines(path: string, lines: number): Promise<string> {
  if (!(lines > 0)) return "";

  let handle: FileHandle;
  try {
    handle = await open(path, "r");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return "";
    throw error;
  }

  try {
    const { size } = await handle.stat();
    return decode(await collectTail(handle, size, lines));
  } finally {
    await handle.close();
  }
}

/**
 * Reads chunks from the end of the file until `lines` line starts have been found,
 * returning the collected chunks in file order (the first one trimmed to the start
 * of the first wanted line).
 */
async function collectTail(handle: FileHandle, size: number, lines: number): Promise<Buffer[]> {
  // Chunks are collected last-first and reversed once at the end.
  const collected: Buffer[] = [];
  let newlinesSeen = 0;
  let position = size;

  while (position > 0) {
    const length = Math.min(CHUNK_SIZE, position);
    position -= length;
    const chunk = await readExactly(handle, position, length);
    // The file shrank under us: what was collected so far is still a consistent
    // suffix of what the file held, so return that rather than mixing two versions.
    if (chunk === undefined) break;

    // Scan this chunk backwards with the native lastIndexOf. The very last byte of
    // the file is excluded: a newline there terminates the last line, it does not
    // start a new (empty) one.
    let searchFrom = position + length === size ? length - 2 : length - 1;
    while (searchFrom >= 0) {
      const index = chunk.lastIndexOf(NEWLINE, searchFrom);
      if (index === -1) break;
      newlinesSeen += 1;
      if (newlinesSeen === lines) {
        collected.push(chunk.subarray(index + 1));
        return collected.reverse();
      }
      searchFrom = index - 1;
    }
    collected.push(chunk);
  }
  // Reached the start of the file: the whole file has fewer lines than asked for.
  return collected.reverse();
}

/**
 * Reads exactly `length` bytes at `position`, looping over short reads.
 * Returns undefined if the file ended first (it was truncated while we read).
 */
async function readExactly(handle: FileHandle, position: number, length: number): Promise<Buffer | undefined> {
  const buffer = Buffer.allocUnsafe(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await handle.read(buffer, filled, length - filled, position + filled);
    if (bytesRead === 0) return undefined;
    filled += bytesRead;
  }
  return buffer;
}

/**
 * Decodes once, from all collected bytes: a multi-byte UTF-8 character may straddle
 * two chunks, and decoding chunk by chunk would mangle it. Cutting only right after
 * "\n" is safe because 0x0A never occurs inside a multi-byte UTF-8 sequence.
 */
function decode(chunks: Buffer[]): string {
  if (chunks.length === 1) return chunks[0]!.toString("utf8");
  return Buffer.concat(chunks).toString("utf8");
}
