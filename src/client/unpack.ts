import { Buffer } from "node:buffer";
import { constants, createWriteStream } from "node:fs";
import { chmod, lstat, mkdir, open, realpath, utimes } from "node:fs/promises";
import path from "node:path";
import { Readable, Transform } from "node:stream";
import type { ReadableStream as NodeWebReadableStream } from "node:stream/web";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { extract, type ExtractEvents, type Header } from "tar-stream";

/** What {@link unpackArchive} wrote. */
export interface UnpackResult {
  files: number;
  directories: number;
  /** Bytes of file content written. */
  bytes: number;
}

/** One entry's data as tar-stream hands it over (a streamx readable). */
type EntryStream = ExtractEvents["entry"][1];

const WRITE_CHUNK = 1024 * 1024;
const BLOCK = 512;

/**
 * Extracts a tar or tar.gz byte stream into outputDir (created if missing), streaming.
 *
 * Only regular files and directories are written. An entry whose path is absolute or leads
 * outside outputDir (through `..` or through a symlink already in outputDir) rejects with an
 * Error naming it; symlinks, hard links, devices and FIFOs are skipped. File modes are kept
 * within 0o777 (always user-readable and -writable) and modification times are restored.
 * A corrupt archive, or one cut short (even exactly between two entries), rejects.
 *
 * Names are written with the exact bytes the archive holds, also when they are not valid
 * UTF-8 (ustar fields and GNU long names are raw bytes; pax names are UTF-8 by definition).
 * Internally paths are "byte strings": latin1 strings with one character per byte, so that
 * path arithmetic works on them and Buffer.from(name, "latin1") gives the bytes back.
 */
export async function unpackArchive(
  source: ReadableStream<Uint8Array> | NodeJS.ReadableStream,
  outputDir: string,
  format: "tar" | "tar.gz",
): Promise<UnpackResult> {
  await mkdir(outputDir, { recursive: true });
  const target = new Target(await realByteName(outputDir));
  const result: UnpackResult = { files: 0, directories: 0, bytes: 0 };

  let bytesSeen = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytesSeen += chunk.length;
      callback(null, chunk);
    },
  });

  let endOfLastEntry = 0;
  let current: Promise<void> = Promise.resolve();
  // latin1 keeps every byte of ustar and GNU long names as one character.
  // (The option exists in tar-stream but not in its typings.)
  const tar = extract({ filenameEncoding: "latin1" } as Parameters<typeof extract>[0]);
  tar.on("entry", (header, stream, next) => {
    endOfLastEntry = stream.offset + BLOCK + paddedSize(header.size);
    current = writeEntry(header, stream, target, result).then(
      () => next(),
      (error: unknown) => next(error instanceof Error ? error : new Error(String(error))),
    );
  });

  const input = isWebStream(source) ? Readable.fromWeb(source as NodeWebReadableStream<Uint8Array>) : source;
  // tar-stream's extract is a streamx stream, which Node's pipeline drives fine; only its typings differ.
  const sink = tar as unknown as NodeJS.WritableStream;
  try {
    if (format === "tar.gz") await pipeline(input, createGunzip(), counter, sink);
    else await pipeline(input, counter, sink);
  } finally {
    // On failure an entry may still be closing its file; wait so no handle outlives the call.
    await current.catch(() => {});
  }

  // tar-stream stops quietly when the input ends between two entries; the end-of-archive
  // zero blocks are what tells a complete archive from a truncated one.
  if (bytesSeen < endOfLastEntry + BLOCK) {
    throw new Error("The archive is truncated: it ends without the end-of-archive marker.");
  }
  await target.finishDirectories();
  return result;
}

/**
 * The real path of a folder as a byte string. Deno's realpath cannot answer in
 * bytes; its paths are UTF-8 anyway, so their UTF-8 bytes are the path's.
 */
async function realByteName(folder: string): Promise<string> {
  if (ON_DENO) {
    return Buffer.from(await realpath(folder), "utf8").toString("latin1");
  }
  return (await realpath(folder, { encoding: "buffer" })).toString("latin1");
}

/** The entry's name as a byte string (see unpackArchive). */
function byteName(header: Header): string {
  // A pax path was decoded as UTF-8; ustar and GNU long names arrive as latin1 already.
  return (header.pax as { path?: string } | undefined)?.path ? Buffer.from(header.name, "utf8").toString("latin1") : header.name;
}

/** A byte string's bytes. */
const bytes = (byteString: string) => Buffer.from(byteString, "latin1");

const ON_DENO = typeof (globalThis as { Deno?: unknown }).Deno !== "undefined";
const STRICT_UTF8 = new TextDecoder("utf-8", { fatal: true });

/**
 * A byte string as the path the file system takes: its bytes on Node. Deno's
 * file system takes only strings, so there it is the UTF-8 text of the bytes,
 * and a name that is not UTF-8 cannot be written at all: refused, not mangled.
 */
function fsPath(byteString: string): Buffer | string {
  if (!ON_DENO) return bytes(byteString);
  try {
    return STRICT_UTF8.decode(bytes(byteString));
  } catch {
    throw new Error(`Cannot write "${readable(byteString)}": its name is not UTF-8, and Deno can only name files in UTF-8; unpack it with Node.`);
  }
}

async function writeEntry(header: Header, stream: EntryStream, target: Target, result: UnpackResult): Promise<void> {
  const name = byteName(header);
  switch (header.type) {
    case "directory": {
      stream.resume();
      const destination = target.resolve(name);
      if (destination === target.root) return;
      await target.directory(destination, name);
      target.rememberDirectory(destination, header);
      result.directories++;
      return;
    }
    case "file":
    case "contiguous-file": {
      const destination = target.resolve(name);
      if (destination === target.root) throw refused(name, "a file cannot replace the output folder");
      await target.directory(path.dirname(destination), name);
      await writeFile(destination, header, stream);
      result.files++;
      result.bytes += header.size;
      return;
    }
    default:
      // Links and special files could point or write anywhere; a download has no use for them.
      await drain(stream);
  }
}

async function writeFile(destination: string, header: Header, stream: EntryStream): Promise<void> {
  // O_NOFOLLOW: a symlink already sitting at the destination must not redirect the write.
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | (constants.O_NOFOLLOW ?? 0);
  const handle = await open(fsPath(destination), flags, (header.mode & 0o777) | 0o600);
  try {
    const data = stream as unknown as NodeJS.ReadableStream;
    await pipeline(data, createWriteStream(fsPath(destination), { fd: handle.fd, autoClose: false, highWaterMark: WRITE_CHUNK }));
    await handle.utimes(header.mtime, header.mtime);
  } finally {
    await handle.close();
  }
}

/** The output folder, and the checks that keep every write inside it. */
class Target {
  readonly #checked = new Set<string>();
  readonly #directories: { destination: string; mode: number; mtime: Date }[] = [];

  constructor(readonly root: string) {
    this.#checked.add(root);
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

  rememberDirectory(destination: string, header: Header): void {
    this.#directories.push({ destination, mode: (header.mode & 0o777) | 0o700, mtime: header.mtime });
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

function refused(name: string, reason: string): Error {
  return new Error(`Refusing to extract archive entry "${readable(name)}": ${reason}.`);
}

/** A byte string for people: decoded as UTF-8. */
function readable(byteString: string): string {
  return bytes(byteString).toString("utf8");
}

async function drain(stream: EntryStream): Promise<void> {
  for await (const _chunk of stream) {
    // Discarded: skipping the entry still means reading past its data.
  }
}

function paddedSize(size: number): number {
  return Math.ceil(size / BLOCK) * BLOCK;
}

function isWebStream(source: ReadableStream<Uint8Array> | NodeJS.ReadableStream): source is ReadableStream<Uint8Array> {
  return typeof (source as ReadableStream<Uint8Array>).getReader === "function";
}
