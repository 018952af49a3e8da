import type { Stats } from "node:fs";
import { lstat, readdir, realpath, stat } from "node:fs/promises";
import path from "node:path";

/** One item of a download archive, as decided by {@link planArchive}. */
export interface ArchiveEntry {
  /** Path inside the archive: relative, "/"-separated, no trailing slash (directories get theirs when written). */
  name: string;
  type: "file" | "directory";
  /** Absolute path to read; for a followed symlink this is the real path of its target. */
  path: string;
  /** Bytes to archive for a file (streaming produces exactly this many); 0 for a directory. */
  size: number;
  /** Permission bits only (`& 0o777`): set-id bits have no business in a download. */
  mode: number;
  mtime: Date;
  /**
   * Identity of the file at plan time. When present, streaming skips the entry if `path` now
   * leads to a different file, so a task that swaps a directory for a symlink after planning
   * cannot redirect the read outside the folder.
   */
  dev?: number;
  ino?: number;
}

/**
 * Walks rootDir and lists what goes into its archive, sorted by name, directories (also empty
 * ones) included. A missing rootDir gives an empty plan.
 *
 * Nothing outside rootDir is ever listed: a symlink is followed only when its real path lies
 * inside the real path of rootDir, and then it is listed as the file or directory it resolves
 * to. Links pointing outside, dangling links, links back into their own ancestors, sockets,
 * FIFOs and devices are left out. rootDir itself must be a real directory, not a symlink: tasks
 * can write into the folders being archived, so a link in rootDir's place is just as untrusted
 * as one inside it.
 *
 * Things vanishing during the walk (a task may still be running) are left out; other
 * file-system errors, such as an unreadable directory, reject.
 */
export async function planArchive(rootDir: string): Promise<ArchiveEntry[]> {
  const rootStat = await lstatOrNull(rootDir);
  if (rootStat === null || !rootStat.isDirectory()) return [];

  const realRoot = await realpath(rootDir);
  const entries: ArchiveEntry[] = [];
  await walk({ realRoot, entries }, realRoot, "", new Set([identity(rootStat)]));
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return entries;
}

interface Walk {
  readonly realRoot: string;
  readonly entries: ArchiveEntry[];
}

/** Lists the content of one directory; `ancestors` holds the dev:ino of every directory above, to stop link cycles. */
async function walk(walkState: Walk, dir: string, prefix: string, ancestors: ReadonlySet<string>): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if (isGone(error)) return;
    throw error;
  }

  for (const childName of names) {
    const name = prefix === "" ? childName : `${prefix}/${childName}`;
    const found = await inspect(walkState.realRoot, path.join(dir, childName));
    if (found === null) continue;
    const { target, stats } = found;

    if (stats.isFile()) {
      walkState.entries.push({ ...describe(name, "file", target, stats), size: stats.size });
    } else if (stats.isDirectory()) {
      const id = identity(stats);
      if (ancestors.has(id)) continue;
      walkState.entries.push(describe(name, "directory", target, stats));
      await walk(walkState, target, name, new Set([...ancestors, id]));
    }
  }
}

/**
 * What a directory child stands for: itself, or for a symlink the real target when that lies
 * inside realRoot. Null for anything that vanished, dangles or points outside.
 */
async function inspect(realRoot: string, childPath: string): Promise<{ target: string; stats: Stats } | null> {
  const own = await lstatOrNull(childPath);
  if (own === null || !own.isSymbolicLink()) return own === null ? null : { target: childPath, stats: own };

  let target: string;
  try {
    target = await realpath(childPath);
  } catch (error) {
    if (isGone(error) || (error as NodeJS.ErrnoException).code === "ELOOP") return null;
    throw error;
  }
  if (!isInside(realRoot, target)) return null;

  try {
    return { target, stats: await stat(target) };
  } catch (error) {
    if (isGone(error)) return null;
    throw error;
  }
}

function describe(name: string, type: ArchiveEntry["type"], target: string, stats: Stats): ArchiveEntry {
  return {
    name,
    type,
    path: target,
    size: 0,
    mode: stats.mode & 0o777,
    mtime: stats.mtime,
    dev: stats.dev,
    ino: stats.ino,
  };
}

function isInside(root: string, candidate: string): boolean {
  const relative = path.relative(root, candidate);
  return relative === "" || (relative !== ".." && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative));
}

function identity(stats: Stats): string {
  return `${stats.dev}:${stats.ino}`;
}

async function lstatOrNull(target: string): Promise<Stats | null> {
  try {
    return await lstat(target);
  } catch (error) {
    if (isGone(error)) return null;
    throw error;
  }
}

/** The path disappeared (or a parent stopped being a directory) while we looked: a running task may do that. */
function isGone(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === "ENOENT" || code === "ENOTDIR";
}
