import { access, constants, statfs } from "node:fs/promises";

/** statfs f_type of a tmpfs (linux/magic.h). */
const TMPFS_MAGIC = 0x01021994;
/** Where Linux mounts a tmpfs for everyone. */
const SHARED_MEMORY = "/dev/shm";

/**
 * A tmpfs for the rows that make many small files (task folders, task-spooler's
 * outputs): on ext4, creating inodes costs ten times more for minutes after a
 * large tree was deleted, so on disk those rows would time the filesystem's
 * state, left by the rows before. /dev/shm when it is a writable tmpfs with
 * `minFreeBytes` free; else the reason there is none.
 */
export async function findTmpfs(minFreeBytes: number): Promise<{ dir: string } | { skipped: string }> {
  try {
    await access(SHARED_MEMORY, constants.W_OK);
    const stats = await statfs(SHARED_MEMORY);
    if (stats.type !== TMPFS_MAGIC) return { skipped: `${SHARED_MEMORY} is not a tmpfs` };
    const free = stats.bavail * stats.bsize;
    if (free < minFreeBytes) return { skipped: `${SHARED_MEMORY} has ${Math.floor(free / 2 ** 20)} MiB free, under the ${minFreeBytes / 2 ** 20} MiB needed` };
    return { dir: SHARED_MEMORY };
  } catch (error) {
    return { skipped: `${SHARED_MEMORY} is not writable here (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})` };
  }
}

/** "tmpfs" or "disk": what a folder is on, for a row's notes. */
export async function filesystemKind(dir: string): Promise<string> {
  return (await statfs(dir)).type === TMPFS_MAGIC ? "tmpfs" : "disk";
}
