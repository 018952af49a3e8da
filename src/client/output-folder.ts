import { Buffer } from "node:buffer";
import { constants, createWriteStream } from "node:fs";
import { chmod, lstat, mkdir, open, readdir, realpath, utimes } from "node:fs/promises";
import path from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";

/**
 * Writing an archive's entries into an output folder, whatever the archive's format (see
 * unpack.ts for tar, unzip.ts for zip), without ever writing outside it.
 *
 * Paths are "byte strings": latin1 strings with one character per byte, so that path
 * arithmetic works on names that are not valid UTF-8 and Buffer.from(name, "latin1")
 * gives their bytes back.
 */

const WRITE_CHUNK = 1024 * 1024;
const ON_DENO = typeof (globalThis as { Deno?: unknown }).Deno !== "undefined";
const STRICT_UTF8 = new TextDecoder("utf-8", { fatal: true });

/** A byte string's bytes. */
export const bytes = (byteString: string) => Buffer.from(byteString, "latin1");

/** A path as given (text) as a byte string: its UTF-8 bytes. */
export const byteString = (text: string) => Buffer.from(text, "utf8").toString("latin1");

/** A byte string for people: decoded as UTF-8. */
export function readable(byteString: string): string {
  return bytes(byteString).toString("utf8");
}

/**
 * A byte string as the path the file system takes: its bytes on Node. Deno's
 * file system takes only strings, so there it is the UTF-8 text of the bytes,
 * and a name that is not UTF-8 cannot be written at all: refused, not mangled.
 */
export function fsPath(byteString: string): Buffer | string {
  if (!ON_DENO) return bytes(byteString);
  try {
    return STRICT_UTF8.decode(bytes(byteString));
  } catch {
    throw new Error(`Cannot write "${readable(byteString)}": its name is not UTF-8, and Deno can only name files in UTF-8; unpack it with Node.`);
  }
}

/**
 * The real path of a folder as a byte string. Deno's realpath cannot answer in
 * bytes; its paths are UTF-8 anyway, so their UTF-8 bytes are the path's.
 */
export async function realByteName(folder: string): Promise<string> {
  if (ON_DENO) return Buffer.from(await realpath(folder), "utf8").toString("latin1");
  return (await realpath(folder, { encoding: "buffer" })).toString("latin1");
}

/** The names in a folder, as byte strings. */
export async function byteNamesIn(folder: string): Promise<string[]> {
  if (ON_DENO) return (await readdir(fsPath(folder) as string)).map((name) => Buffer.from(name, "utf8").toString("latin1"));
  return (await readdir(fsPath(folder), { encoding: "buffer" })).map((name) => name.toString("latin1"));
}

export function refused(name: string, reason: string): Error {
  return new Error(`Refusing to extract archive entry "${readable(name)}": ${reason}.`);
}

/** What an unpack wrote. */
export interface UnpackResult {
  files: number;
  directories: number;
  /** Bytes of file content written. */
  bytes: number;
}

export interface UnpackOptions {
  /** Called as file content is written, with the bytes just written. */
  onWrite?: (bytes: number) => void;
}

/** The output folder, and the checks that keep every write inside it. */
export class OutputFolder {
  readonly #checked = new Set<string>();
  readonly #directories: { destination: string; mode: number; mtime: Date }[] = [];

  private constructor(readonly root: string) {
    this.#checked.add(root);
  }

  /** The folder (created if missing), by its real path. */
  static async open(outputDir: string): Promise<OutputFolder> {
    await mkdir(outputDir, { recursive: true });
    return new OutputFolder(await realByteName(outputDir));
  }

  /** Where an entry goes; throws for absolute names and names that climb out of the root. */
  resolve(name: string): string {
    if (name === "" || name.includes("\0") || path.isAbsolute(name)) throw refused(name, "its path is absolute or empty");
    const destination = path.resolve(this.root, name);
    const relative = path.relative(this.root, destination);
    if (relative === ".." || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative)) {
      throw refused(name, "its path leads outside the output folder");
    }
    return destination;
  }

  /**
   * Makes sure `directory` (inside the root) exists, creating it one level at a time so that
   * an existing symlink on the way is refused rather than followed.
   */
  async directory(directory: string, entryName: string): Promise<void> {
    if (this.#checked.has(directory)) return;
    await this.directory(path.dirname(directory), entryName);
    const existing = await lstat(fsPath(directory)).catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return null;
      throw error;
    });
    if (existing === null) await mkdir(fsPath(directory)).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== "EEXIST") throw error;
    });
    else if (!existing.isDirectory()) throw refused(entryName, `${readable(directory)} exists and is not a directory`);
    this.#checked.add(directory);
  }

  /** A directory entry: made, and given its mode and time once everything inside it is written. */
  async addDirectory(name: string, mode: number, mtime: Date): Promise<boolean> {
    const destination = this.resolve(name);
    if (destination === this.root) return false;
    await this.directory(destination, name);
    this.#directories.push({ destination, mode: (mode & 0o777) | 0o700, mtime });
    return true;
  }

  /** A file entry: its content streamed in, its mode (within 0o777, always user-writable) and time set. */
  async addFile(name: string, mode: number, mtime: Date, content: NodeJS.ReadableStream, { onWrite }: UnpackOptions = {}): Promise<number> {
    const destination = this.resolve(name);
    if (destination === this.root) throw refused(name, "a file cannot replace the output folder");
    await this.directory(path.dirname(destination), name);
    // O_NOFOLLOW: a symlink already sitting at the destination must not redirect the write.
    const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | (constants.O_NOFOLLOW ?? 0);
    const handle = await open(fsPath(destination), flags, (mode & 0o777) | 0o600);
    let written = 0;
    try {
      const counter = new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          written += chunk.length;
          onWrite?.(chunk.length);
          callback(null, chunk);
        },
      });
      await pipeline(content, counter, createWriteStream(fsPath(destination), { fd: handle.fd, autoClose: false, highWaterMark: WRITE_CHUNK }));
      await handle.utimes(mtime, mtime);
    } finally {
      await handle.close();
    }
    return written;
  }

  /** Modes and times go on last and deepest first: writing inside a directory would bump its mtime again. */
  async finishDirectories(): Promise<void> {
    const deepestFirst = [...this.#directories].sort((a, b) => b.destination.length - a.destination.length);
    for (const { destination, mode, mtime } of deepestFirst) {
      await chmod(fsPath(destination), mode);
      await utimes(fsPath(destination), mtime, mtime);
    }
  }
}
