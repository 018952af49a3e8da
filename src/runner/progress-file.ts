import { Buffer } from "node:buffer";
import { lstatSync } from "node:fs";
import { openTaskFile } from "../store/open-task-file.ts";

/** How far a task says it got: 0-100, and what it is doing. */
export interface Progress {
  percent: number;
  message: string | null;
}

/** More than a progress line needs; the rest of a file grown by the script is not read. */
const PROGRESS_MAX_BYTES = 512;
const MAX_MESSAGE_LENGTH = 200;

/**
 * What a script last wrote to its progress file: "42", "42%", "42 aligning
 * chr7" or "42.5% aligning" (a number from 0 to 100, then a message). Anything
 * else, or no file, reads as undefined; so does a FIFO, a symlink or a folder
 * in its place (see openTaskFile), without waiting.
 */
export async function readProgress(path: string): Promise<Progress | undefined> {
  // Most scripts never write one, and every task's end reads it: a missing file is found with a
  // plain lstat. An open that fails costs a trip through the thread pool and an error with its
  // stack, some 80 µs; the lstat 4. It blocks no more than the database's own file reads do.
  if (!mayExist(path)) return undefined;
  const opened = await openTaskFile(path).catch(() => null);
  if (!opened) return undefined;
  try {
    const buffer = Buffer.alloc(PROGRESS_MAX_BYTES);
    const { bytesRead } = await opened.handle.read(buffer, 0, PROGRESS_MAX_BYTES, 0);
    return parseProgress(buffer.subarray(0, bytesRead).toString("utf8"));
  } catch {
    return undefined;
  } finally {
    await opened.handle.close();
  }
}

/** False when nothing is at the path; anything else (an error too) is left to openTaskFile to judge. */
function mayExist(path: string): boolean {
  try {
    return lstatSync(path, { throwIfNoEntry: false }) !== undefined;
  } catch {
    return true;
  }
}

export function parseProgress(text: string): Progress | undefined {
  // The last line written, for a script that appends rather than rewrites.
  const line = text.split(/\r?\n/).filter((each) => each.trim() !== "").at(-1)?.trim();
  const match = line === undefined ? null : /^(\d+(?:\.\d+)?)%?(?:\s+(.*))?$/.exec(line);
  if (!match) return undefined;
  const percent = Number(match[1]);
  if (!Number.isFinite(percent) || percent < 0 || percent > 100) return undefined;
  const message = match[2]?.replace(/[\u0000-\u001f\u007f]/g, " ").slice(0, MAX_MESSAGE_LENGTH).trim() || null;
  return { percent, message };
}
