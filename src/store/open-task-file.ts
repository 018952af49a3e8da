import type { Buffer } from "node:buffer";
import type { Stats } from "node:fs";
import { constants } from "node:fs";
import { lstat, open, type FileHandle } from "node:fs/promises";

/**
 * O_NOFOLLOW: a symlink in the file's place is refused, not followed (it could lead anywhere,
 * /etc/shadow included). O_NONBLOCK: a FIFO in its place opens at once instead of waiting for a
 * writer, which would hold one of libuv's four pool threads forever; the fstat below then
 * refuses it before anything is read.
 */
const SAFE_READ_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/** What stands where a regular file was expected. */
export type NotRegularKind = "symlink" | "file swapped in while it was opened" | "directory" | "FIFO" | "socket" | "device" | "file with other hard links" | "special file";

/** The path names something other than the regular file it should be (a task script replaced it). */
export class NotRegularFileError extends Error {
  constructor(
    readonly path: string | Buffer,
    readonly found: NotRegularKind,
  ) {
    super(`${path.toString()} is not a regular file but a ${found}`);
    this.name = "NotRegularFileError";
  }
}

export interface OpenTaskFileOptions {
  /**
   * Refuse a regular file that has other hard links: it may be a link to a file outside the
   * task folder (the database, another task's output), whose content must not be served.
   */
  refuseHardLinks?: boolean;
}

export interface OpenedTaskFile {
  handle: FileHandle;
  /** fstat of the open handle: the file that will be read, not whatever the path names now. */
  stats: Stats;
}

/**
 * Opens a file inside a task folder, which the task's script may have replaced by anything,
 * for reading. Resolves to null when it does not exist; rejects with NotRegularFileError when
 * it is a symlink, directory, FIFO, socket or device (or, with refuseHardLinks, a hard link).
 * The caller closes the handle.
 */
export async function openTaskFile(path: string | Buffer, options: OpenTaskFileOptions = {}): Promise<OpenedTaskFile | null> {
  let handle: FileHandle;
  try {
    handle = await open(path, SAFE_READ_FLAGS);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return null;
    // ELOOP is O_NOFOLLOW meeting a symlink; ENXIO is what opening a Unix socket gives.
    if (code === "ELOOP") throw new NotRegularFileError(path, "symlink");
    if (code === "ENXIO") throw new NotRegularFileError(path, "socket");
    throw error;
  }
  try {
    const stats = await handle.stat();
    const found = notRegular(stats, options);
    if (found !== undefined) throw new NotRegularFileError(path, found);
    // The path, not followed, must still name the file that was opened. Deno's open ignores
    // O_NOFOLLOW, so this is what refuses a symlink there; everywhere, it refuses a swap in between.
    const named = await lstat(path).catch(() => null);
    if (named?.isSymbolicLink()) throw new NotRegularFileError(path, "symlink");
    if (!named || named.ino !== stats.ino || named.dev !== stats.dev) throw new NotRegularFileError(path, "file swapped in while it was opened");
    return { handle, stats };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

function notRegular(stats: Stats, { refuseHardLinks = false }: OpenTaskFileOptions): NotRegularKind | undefined {
  if (stats.isFile()) return refuseHardLinks && stats.nlink > 1 ? "file with other hard links" : undefined;
  if (stats.isDirectory()) return "directory";
  if (stats.isFIFO()) return "FIFO";
  if (stats.isSocket()) return "socket";
  if (stats.isSymbolicLink()) return "symlink";
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return "device";
  return "special file";
}
