import { Buffer } from "node:buffer";
import type { FileHandle } from "node:fs/promises";
import { openTaskFile } from "./open-task-file.ts";

/**
 * Size of each backwards read. Large enough that a typical `tail -n 100` of a log
 * needs a single read, small enough that overshooting costs nothing noticeable.
 */
const CHUNK_SIZE = 64 * 1024;

/**
 * The most bytes a tail returns by default. A log of progress bars (`\r`, tqdm) can hold
 * gigabytes in a handful of lines; without a cap its tail would be the whole file, in memory.
 */
export const DEFAULT_TAIL_MAX_BYTES = 1024 * 1024;

const LF = 0x0a;
const CR = 0x0d;

export interface LogTail {
  /** The tail, decoded as UTF-8. */
  content: string;
  /** Bytes of the log the content holds. */
  bytes: number;
  /** True when the cap cut the tail: the log holds more of the requested lines than `content` does. */
  truncated: boolean;
}

/**
 * Returns the last `lines` lines of the log at path, at most `maxBytes` bytes of them, reading
 * backwards from the end in fixed-size chunks: memory and time are bounded by the cap however
 * large the file. A missing file reads as "". Anything but a regular file in the log's place
 * (symlink, FIFO, directory, hard link to elsewhere) rejects with NotRegularFileError.
 *
 * - A line ends with "\n", "\r\n" or a lone "\r" (progress bars redraw with "\r", so each
 *   redraw counts as a line). Lines are returned as they are, breaks included.
 * - A break at the very end of the file ends the last line rather than starting an empty one,
 *   and a last line without a break still counts.
 * - When the requested lines hold more than `maxBytes`, the last `maxBytes` bytes are returned,
 *   their start moved forward to the next UTF-8 character, and `truncated` is true.
 * - `lines <= 0` (or NaN) returns "" without touching the file.
 * - The file is measured once when opened: lines appended while reading are not returned; if
 *   the file shrinks meanwhile, the lines read up to that point are.
 */
export async function tailLines(path: string, lines: number, maxBytes = DEFAULT_TAIL_MAX_BYTES): Promise<LogTail> {
  if (!(lines > 0) || !(maxBytes > 0)) return { content: "", bytes: 0, truncated: false };

  const opened = await openTaskFile(path, { refuseHardLinks: true });
  if (opened === null) return { content: "", bytes: 0, truncated: false };
  try {
    const tail = await collectTail(opened.handle, opened.stats.size, lines, maxBytes);
    const bytes = tail.cut ? fromCharacterStart(tail.bytes) : tail.bytes;
    return { content: bytes.toString("utf8"), bytes: bytes.length, truncated: tail.truncated };
  } finally {
    await opened.handle.close();
  }
}

/**
 * Where the last `lines` lines of an open log start, as a byte offset (at most
 * `maxBytes` before its end, moved forward to a whole UTF-8 character): what a
 * follower sends first, before what is appended.
 */
export async function tailOffset(handle: FileHandle, size: number, lines: number, maxBytes = DEFAULT_TAIL_MAX_BYTES): Promise<number> {
  if (!(lines > 0) || size === 0) return size;
  const tail = await collectTail(handle, size, lines, maxBytes);
  const bytes = tail.cut ? fromCharacterStart(tail.bytes) : tail.bytes;
  return size - bytes.length;
}

interface CollectedTail {
  bytes: Buffer;
  /** The cap stopped the search before the wanted lines were complete. */
  truncated: boolean;
  /** The bytes start somewhere other than a line start or the file's start, maybe mid-character. */
  cut: boolean;
}

/**
 * Reads chunks from the end of the file until `lines` line starts have been found or
 * `maxBytes` bytes have been read, returning the bytes of the tail in file order.
 */
async function collectTail(handle: FileHandle, size: number, lines: number, maxBytes: number): Promise<CollectedTail> {
  // Chunks are collected last-first and joined once at the end.
  const collected: Buffer[] = [];
  const done = (truncated: boolean, cut: boolean, first?: Buffer): CollectedTail => {
    if (first !== undefined) collected.push(first);
    return { bytes: Buffer.concat(collected.reverse()), truncated, cut };
  };
  let breaksSeen = 0;
  let position = size;
  /** The byte just after the current chunk (the first byte of the previous one), to tell "\r\n" from a lone "\r". */
  let following = -1;

  while (position > 0) {
    const budget = maxBytes - (size - position);
    if (budget <= 0) {
      // The cap is reached; the tail is still complete if the byte before it ends the line before.
      const before = await readExactly(handle, position - 1, 1);
      const complete = before !== undefined && breaksSeen + 1 === lines && endsLine(before[0]!, following);
      return done(!complete, !complete);
    }
    const length = Math.min(CHUNK_SIZE, position, budget);
    position -= length;
    const chunk = await readExactly(handle, position, length);
    // The file shrank under us: what was collected so far is still a consistent
    // suffix of what the file held, so return that rather than mixing two versions.
    if (chunk === undefined) return done(false, true);

    for (let index = length - 1; index >= 0; index--) {
      const byte = chunk[index]!;
      const next = index + 1 < length ? chunk[index + 1]! : following;
      const isBreak = endsLine(byte, next);
      // A break as the very last byte ends the last line; it does not start an empty one.
      if (!isBreak || position + index === size - 1) continue;
      breaksSeen += 1;
      if (breaksSeen === lines) return done(false, false, chunk.subarray(index + 1));
    }
    collected.push(chunk);
    following = chunk[0]!;
  }
  // Reached the start of the file: the whole file has fewer lines than asked for.
  return done(false, false);
}

/** Whether `byte` ends a line, given the byte after it (-1 at the end of what was read). */
function endsLine(byte: number, next: number): boolean {
  return byte === LF || (byte === CR && next !== LF);
}

/**
 * Drops the continuation bytes a cut may have left at the start (at most three: a UTF-8
 * character is at most four bytes long), so the text starts with a whole character.
 */
function fromCharacterStart(bytes: Buffer): Buffer {
  let start = 0;
  while (start < 3 && start < bytes.length && (bytes[start]! & 0xc0) === 0x80) start++;
  return start === 0 ? bytes : bytes.subarray(start);
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
