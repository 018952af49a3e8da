import { Buffer } from "node:buffer";
import { createReadStream } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";
import { Readable, pipeline } from "node:stream";
import { createInflateRaw } from "node:zlib";
import { OutputFolder, type UnpackOptions, type UnpackResult } from "./output-folder.ts";

/**
 * Extracts a zip file into outputDir (created if missing), reading one entry at a time.
 *
 * A zip lists its entries at its end (the central directory), so it is read from a file,
 * not a stream: a download in zip format is saved first (see download-archive.ts). The
 * same rules as for tar hold (see unpack.ts): only regular files and directories are
 * written, never outside outputDir; symlinks and special files are skipped. Stored and
 * deflated entries are read; ZIP64, encryption and other methods are refused with a
 * message saying to download as tar. Names without the UTF-8 flag keep their exact bytes.
 */
export async function unpackZip(zipPath: string, outputDir: string, options: UnpackOptions = {}): Promise<UnpackResult> {
  const target = await OutputFolder.open(outputDir);
  const result: UnpackResult = { files: 0, directories: 0, bytes: 0 };
  const handle = await open(zipPath, "r");
  try {
    for (const entry of await readCentralDirectory(handle)) {
      if (entry.kind === "directory") {
        if (await target.addDirectory(entry.name, entry.mode, entry.mtime)) result.directories++;
      } else if (entry.kind === "file") {
        const start = await dataOffset(handle, entry);
        const written = await target.addFile(entry.name, entry.mode, entry.mtime, contentOf(zipPath, entry, start), options);
        if (written !== entry.size) throw corrupt(`"${entry.name}" unpacks to ${written} bytes, not the ${entry.size} its header says`);
        result.files++;
        result.bytes += written;
      }
    }
  } finally {
    await handle.close();
  }
  await target.finishDirectories();
  return result;
}

interface ZipEntry {
  /** A byte string (see output-folder.ts). */
  name: string;
  kind: "file" | "directory" | "skipped";
  method: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
  mode: number;
  mtime: Date;
}

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const CENTRAL_HEADER = 0x02014b50;
const LOCAL_HEADER = 0x04034b50;
const STORED = 0;
const DEFLATED = 8;
const UTF8_NAME = 0x800;
const ENCRYPTED = 0x1;
const MADE_BY_UNIX = 3;
const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const ZIP64_MARK = 0xffffffff;

const corrupt = (reason: string) => new Error(`The zip archive is damaged or unsupported: ${reason}. Download it as tar instead.`);

async function readAt(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await handle.read(buffer, 0, length, position);
  if (bytesRead !== length) throw corrupt("it ends early");
  return buffer;
}

/** The entries the central directory lists, in its order. */
async function readCentralDirectory(handle: FileHandle): Promise<ZipEntry[]> {
  const size = (await handle.stat()).size;
  // The end record is 22 bytes plus a comment of at most 65,535.
  const tailLength = Math.min(size, 22 + 0xffff);
  const tail = await readAt(handle, size - tailLength, tailLength);
  let end = -1;
  for (let at = tail.length - 22; at >= 0; at--) {
    if (tail.readUInt32LE(at) === END_OF_CENTRAL_DIRECTORY) {
      end = at;
      break;
    }
  }
  if (end < 0) throw corrupt("it has no end of central directory record (is it cut short?)");
  const count = tail.readUInt16LE(end + 10);
  const directorySize = tail.readUInt32LE(end + 12);
  const directoryOffset = tail.readUInt32LE(end + 16);
  if (count === 0xffff || directoryOffset === ZIP64_MARK) throw corrupt("it is a ZIP64 archive");
  const directory = await readAt(handle, directoryOffset, directorySize);

  const entries: ZipEntry[] = [];
  let at = 0;
  for (let index = 0; index < count; index++) {
    if (at + 46 > directory.length || directory.readUInt32LE(at) !== CENTRAL_HEADER) throw corrupt("its central directory is malformed");
    const madeBy = directory.readUInt16LE(at + 4) >> 8;
    const flags = directory.readUInt16LE(at + 8);
    const method = directory.readUInt16LE(at + 10);
    const mtime = dosTime(directory.readUInt16LE(at + 12), directory.readUInt16LE(at + 14));
    const compressedSize = directory.readUInt32LE(at + 20);
    const size = directory.readUInt32LE(at + 24);
    const nameLength = directory.readUInt16LE(at + 28);
    const extraLength = directory.readUInt16LE(at + 30);
    const commentLength = directory.readUInt16LE(at + 32);
    const external = directory.readUInt32LE(at + 38);
    const localHeaderOffset = directory.readUInt32LE(at + 42);
    const rawName = directory.subarray(at + 46, at + 46 + nameLength);
    at += 46 + nameLength + extraLength + commentLength;

    if (flags & ENCRYPTED) throw corrupt("it is encrypted");
    if ([compressedSize, size, localHeaderOffset].includes(ZIP64_MARK)) throw corrupt("it is a ZIP64 archive");
    // Byte strings: a UTF-8 name is re-read as its bytes, a raw one is its bytes already.
    const name = (flags & UTF8_NAME ? Buffer.from(rawName.toString("utf8"), "utf8") : rawName).toString("latin1");
    const unixMode = madeBy === MADE_BY_UNIX ? external >>> 16 : 0;
    const type = unixMode & S_IFMT;
    const isDirectory = name.endsWith("/") || type === S_IFDIR;
    // Links, FIFOs and devices (by their unix type) are left out, as they are from a tar.
    const kind = isDirectory ? "directory" : type === 0 || type === S_IFREG ? "file" : "skipped";
    if (kind === "file" && method !== STORED && method !== DEFLATED) throw corrupt(`"${name}" uses compression method ${method}`);
    const mode = unixMode & 0o777 || (isDirectory ? 0o755 : 0o644);
    entries.push({ name: isDirectory ? name.replace(/\/+$/, "") : name, kind, method, compressedSize, size, localHeaderOffset, mode, mtime });
  }
  return entries;
}

/** Where an entry's data starts: after its local header, whose name and extra field may differ in length from the central one. */
async function dataOffset(handle: FileHandle, entry: ZipEntry): Promise<number> {
  const header = await readAt(handle, entry.localHeaderOffset, 30);
  if (header.readUInt32LE(0) !== LOCAL_HEADER) throw corrupt(`the data of "${entry.name}" is not where the directory says`);
  return entry.localHeaderOffset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
}

function contentOf(zipPath: string, entry: ZipEntry, start: number): NodeJS.ReadableStream {
  if (entry.compressedSize === 0) return Readable.from([]);
  const raw = createReadStream(zipPath, { start, end: start + entry.compressedSize - 1, highWaterMark: 1024 * 1024 });
  // pipeline hands a read error on to the inflater, which the caller's own pipeline then sees.
  return entry.method === DEFLATED ? pipeline(raw, createInflateRaw(), () => {}) : raw;
}

/** An MS-DOS date and time (local time, two-second steps), as zip stores them. */
function dosTime(time: number, date: number): Date {
  return new Date(1980 + (date >> 9), ((date >> 5) & 0xf) - 1, date & 0x1f, time >> 11, (time >> 5) & 0x3f, (time & 0x1f) * 2);
}
