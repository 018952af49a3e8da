import { Buffer } from "node:buffer";
import type { Stats } from "node:fs";
import { lstat, readdir, realpath, stat } from "node:fs/promises";

/** One item of a download archive, as decided by {@link planArchive}. */
export interface ArchiveEntry {
  /** Path inside the archive: relative, "/"-separated, no trailing slash (directories get theirs when written). */
  name: string;
  /**
   * The exact bytes of the name, present only when they are not valid UTF-8 (`name` then shows
   * U+FFFD in their place). Archives store these bytes, so such a file comes back as it was.
   */
  rawName?: Buffer;
  type: "file" | "directory";
  /** Absolute path to read; for a followed symlink this is the real path of its target. A Buffer when it is not valid UTF-8. */
  path: string | Buffer;
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

/** Why the plan left something in the folder out of the archive. */
export type OmitReason =
  /** A symlink leading outside the folder, nowhere, or back into its own ancestors. */
  | "symlink"
  /** A regular file with hard links outside the folder: its content belongs elsewhere (the database, another task). */
  | "hard_link_outside"
  /** A FIFO, socket or device. */
  | "special_file"
  /** A path longer than the system allows (PATH_MAX), or nested too deep to resolve. */
  | "too_deep"
  /** It disappeared while the folder was being read (a running task may do that). */
  | "vanished"
  /** The script's user could read it but the server cannot (its permissions were taken away). */
  | "unreadable"
  /** Its name is not valid UTF-8 and this runtime (Deno) can only name files in UTF-8. */
  | "name_not_utf8";

export interface ArchivePlan {
  /** What goes in, sorted by the bytes of the name, directories (also empty ones) included. */
  entries: ArchiveEntry[];
  /** How many entries were left out, for each reason (only reasons that occurred). */
  omitted: Partial<Record<OmitReason, number>>;
  /** The sum of `omitted`. */
  omittedCount: number;
}

/**
 * Walks rootDir and lists what goes into its archive, and counts what it left out and why.
 * A missing rootDir gives an empty plan.
 *
 * Nothing outside rootDir is ever listed: a symlink is followed only when its real path lies
 * inside the real path of rootDir, and then it is listed as the file or directory it resolves
 * to. A regular file with more than one hard link is listed only if the walk met all its links
 * inside rootDir; otherwise one of them is elsewhere (a link to cubqueue.db, say) and the file
 * is left out. Links pointing outside, dangling links, links back into their own ancestors,
 * sockets, FIFOs, devices, paths too long to open and things that vanish meanwhile are left
 * out too. rootDir itself must be a real directory, not a symlink: tasks can write into the
 * folders being archived, so a link in rootDir's place is just as untrusted as one inside it.
 *
 * Names are read as bytes, so files whose names are not valid UTF-8 are found. The walk keeps
 * its own stack rather than recursing, so no tree is too deep for it. Unexpected file-system
 * errors (EIO, say) reject.
 */
export async function planArchive(rootDir: string): Promise<ArchivePlan> {
  const plan = new PlanBuilder();
  const rootStat = await lstatOrGone(rootDir);
  if (typeof rootStat === "string" || !rootStat.isDirectory()) return plan.finish();

  const realRoot = await realpath(rootDir, { encoding: "buffer" });
  const rootId = identity(rootStat);
  const pending: PendingDirectory[] = [{ dir: realRoot, id: rootId, prefix: EMPTY, ancestors: new Set([rootId]) }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    await listDirectory(plan, realRoot, next, pending);
  }
  return plan.finish();
}

interface PendingDirectory {
  /** Where to read it (a real path inside the root, or the root). */
  dir: Buffer;
  /** Its dev:ino. */
  id: string;
  /** Its name inside the archive ("" for the root). */
  prefix: Buffer;
  /** dev:ino of it and every directory above, to stop link cycles. */
  ancestors: ReadonlySet<string>;
}

/** Lists the content of one directory, queueing its subdirectories on `pending`. */
async function listDirectory(plan: PlanBuilder, realRoot: Buffer, { dir, id: dirId, prefix, ancestors }: PendingDirectory, pending: PendingDirectory[]) {
  let children: Buffer[];
  try {
    children = await readdir(dir, { encoding: "buffer" });
  } catch (error) {
    const reason = omitReasonFor(error);
    if (reason === undefined) throw error;
    // The directory itself is listed; what it holds could not be read.
    return plan.omit(reason);
  }

  for (const child of children) {
    const name = prefix.length === 0 ? child : Buffer.concat([prefix, SLASH, child]);
    const childPath = Buffer.concat([dir, SLASH, child]);
    const found = await inspect(realRoot, childPath);
    if (typeof found === "string") {
      plan.omit(found === "vanished" && hasReplacementCharacter(child) ? "name_not_utf8" : found);
      continue;
    }
    const { target, stats, linked } = found;
    if (stats.isFile()) {
      plan.addFile(describe(name, "file", target, stats, stats.size), stats, linked ? undefined : `${dirId}/${child.toString("hex")}`);
    } else if (stats.isDirectory()) {
      const id = identity(stats);
      if (ancestors.has(id)) {
        plan.omit("symlink");
        continue;
      }
      plan.add(describe(name, "directory", target, stats, 0));
      pending.push({ dir: target, id, prefix: name, ancestors: new Set([...ancestors, id]) });
    } else {
      plan.omit("special_file");
    }
  }
}

/** Collects entries and omissions, and applies the hard-link rule once every link has been seen. */
class PlanBuilder {
  readonly #entries: ArchiveEntry[] = [];
  readonly #omitted: Partial<Record<OmitReason, number>> = {};
  /** For files with several hard links: their link count, and where the walk met each link. */
  readonly #linked = new Map<string, { nlink: number; seenAt: Set<string> }>();

  add(entry: ArchiveEntry): void {
    this.#entries.push(entry);
  }

  /** `seenAt` names the directory entry the file was met through; undefined when met through a symlink (which is no hard link). */
  addFile(entry: ArchiveEntry, stats: Stats, seenAt: string | undefined): void {
    this.#entries.push(entry);
    if (stats.nlink <= 1) return;
    const id = identity(stats);
    const links = this.#linked.get(id) ?? { nlink: stats.nlink, seenAt: new Set<string>() };
    this.#linked.set(id, links);
    if (seenAt !== undefined) links.seenAt.add(seenAt);
  }

  omit(reason: OmitReason): void {
    this.#omitted[reason] = (this.#omitted[reason] ?? 0) + 1;
  }

  finish(): ArchivePlan {
    const entries = this.#entries.filter((entry) => {
      const links = entry.type === "file" ? this.#linked.get(`${entry.dev}:${entry.ino}`) : undefined;
      if (links === undefined || links.seenAt.size >= links.nlink) return true;
      this.omit("hard_link_outside");
      return false;
    });
    entries.sort((a, b) => Buffer.compare(nameBytes(a), nameBytes(b)));
    const omittedCount = Object.values(this.#omitted).reduce((sum, count) => sum + count, 0);
    return { entries, omitted: this.#omitted, omittedCount };
  }
}

/** The exact bytes of an entry's name. */
export function nameBytes(entry: ArchiveEntry): Buffer {
  return entry.rawName ?? Buffer.from(entry.name, "utf8");
}

/**
 * What a directory child stands for: itself, or for a symlink the real target when that lies
 * inside realRoot (`linked`). Otherwise why it is left out.
 */
async function inspect(realRoot: Buffer, childPath: Buffer): Promise<{ target: Buffer; stats: Stats; linked: boolean } | OmitReason> {
  const own = await lstatOrGone(childPath);
  if (typeof own === "string") return own;
  if (!own.isSymbolicLink()) return { target: childPath, stats: own, linked: false };

  let target: Buffer;
  try {
    target = await realpath(childPath, { encoding: "buffer" });
  } catch (error) {
    const reason = omitReasonFor(error);
    if (reason === undefined) throw error;
    // A link that dangles or loops leads nowhere: a symlink problem, not a vanished file.
    return reason === "vanished" || (error as NodeJS.ErrnoException).code === "ELOOP" ? "symlink" : reason;
  }
  if (!isInside(realRoot, target)) return "symlink";

  try {
    return { target, stats: await stat(target), linked: true };
  } catch (error) {
    const reason = omitReasonFor(error);
    if (reason === undefined) throw error;
    return reason;
  }
}

function describe(name: Buffer, type: ArchiveEntry["type"], target: Buffer, stats: Stats, size: number): ArchiveEntry {
  const entry: ArchiveEntry = {
    name: name.toString("utf8"),
    type,
    path: isUtf8(target) ? target.toString("utf8") : target,
    size,
    mode: stats.mode & 0o777,
    mtime: stats.mtime,
    dev: stats.dev,
    ino: stats.ino,
  };
  if (!isUtf8(name)) entry.rawName = name;
  return entry;
}

function isInside(root: Buffer, candidate: Buffer): boolean {
  if (candidate.equals(root)) return true;
  const rootWithSlash = root.at(-1) === SLASH[0] ? root : Buffer.concat([root, SLASH]);
  return candidate.length > rootWithSlash.length && candidate.subarray(0, rootWithSlash.length).equals(rootWithSlash);
}

function identity(stats: Stats): string {
  return `${stats.dev}:${stats.ino}`;
}

async function lstatOrGone(target: string | Buffer): Promise<Stats | OmitReason> {
  try {
    return await lstat(target);
  } catch (error) {
    const reason = omitReasonFor(error);
    if (reason === undefined) throw error;
    return reason;
  }
}

/**
 * Errors a task's doing can cause while the folder is read, and what they mean for the
 * archive; undefined for the rest (an I/O error, say), which fail the download.
 */
function omitReasonFor(error: unknown): OmitReason | undefined {
  switch ((error as NodeJS.ErrnoException | undefined)?.code) {
    case "ENOENT":
    case "ENOTDIR":
      return "vanished";
    case "ENAMETOOLONG":
    case "ELOOP":
      return "too_deep";
    case "EACCES":
    case "EPERM":
      return "unreadable";
    default:
      return undefined;
  }
}

const EMPTY = Buffer.alloc(0);
const SLASH = Buffer.from("/");
const REPLACEMENT_CHARACTER = Buffer.from("\uFFFD", "utf8");

/** Deno reads names lossily, as UTF-8 with U+FFFD for what is not; such a name then names nothing. */
function hasReplacementCharacter(name: Buffer): boolean {
  return name.includes(REPLACEMENT_CHARACTER);
}

function isUtf8(bytes: Buffer): boolean {
  return Buffer.from(bytes.toString("utf8"), "utf8").equals(bytes);
}
