import { Buffer } from "node:buffer";
import type { FileHandle } from "node:fs/promises";
import { pipeline } from "node:stream";
import { pipeline as pipelineAsync } from "node:stream/promises";
import { createGzip } from "node:zlib";
import { Zip, ZipPassThrough } from "fflate";
import { pack, type Pack } from "tar-stream";
import { badRequest } from "../errors.ts";
import type { ArchiveFormat } from "./archive.ts";
import { nameBytes, type ArchiveEntry } from "./archive-plan.ts";
import { NotRegularFileError, openTaskFile } from "./open-task-file.ts";

/** Big reads keep syscall and per-chunk stream overhead negligible next to the copy itself. */
const CHUNK_SIZE = 1024 * 1024;
/**
 * Bytes the tar stream may hold ahead of the consumer. With less than a chunk, the next read
 * would only start once the consumer took the previous chunk, serialising disk and network.
 */
const READ_AHEAD = 2 * CHUNK_SIZE;
const ZIP_MAX_ENTRIES = 0xffff;
const ZIP_MAX_OFFSET = 0xffffffff;

/**
 * Streams the planned entries as an archive. Nothing is opened until the first read, a file
 * is read only as fast as the consumer takes bytes, and cancelling the stream closes every
 * file it opened.
 *
 * Each file contributes exactly its planned size, even if a running task changed it since
 * planning (cut short when it grew, zero-padded when it shrank), so the archive stays valid.
 * A file that vanished or is no longer the regular file that was planned is left out.
 *
 * Names that are not valid UTF-8 (entries with rawName) keep their exact bytes: in tar as a GNU
 * long-name record (read by GNU tar, bsdtar, Python and tar-stream), in zip as the name field
 * without the UTF-8 flag (as Info-ZIP stores such names).
 *
 * Sizes of 8 GiB and more do not fit ustar's octal size field; tar-stream then writes the
 * size in the base-256 form (GNU extension) that GNU tar, bsdtar and tar-stream all read, so
 * tar and tar.gz have no size limit.
 *
 * fflate writes no ZIP64, so for "zip" this throws (synchronously, before any byte) when
 * there are more than 65,535 entries or the archive would pass 4 GiB, asking for tar instead.
 */
export function streamArchive(entries: ArchiveEntry[], format: ArchiveFormat): ReadableStream<Uint8Array> {
  const planned = [...entries];
  switch (format) {
    case "tar":
      return toWebStream(() => readableSource(tarSource(planned)));
    case "tar.gz":
      return toWebStream(() => gzipped(tarSource(planned)));
    case "zip": {
      assertZipFits(planned);
      return toWebStream(() => zipSource(planned));
    }
  }
}

interface ByteSource {
  next(): Promise<IteratorResult<Uint8Array>>;
  /** Stops producing and releases whatever is open; must not throw. */
  abort(): void;
}

/**
 * Exposes a source as a web stream that starts it on the first read (highWaterMark 0, so an
 * unread stream opens nothing and the sources' own buffering is the only read-ahead).
 */
function toWebStream(start: () => ByteSource): ReadableStream<Uint8Array> {
  let source: ByteSource | null = null;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        source ??= start();
        const { value, done } = await source.next();
        if (done) controller.close();
        else controller.enqueue(value);
      },
      cancel() {
        source?.abort();
      },
    },
    { highWaterMark: 0 },
  );
}

/** Both Node and streamx readables fit: async-iterable chunks plus destroy. */
interface DestroyableReadable {
  [Symbol.asyncIterator](): AsyncIterator<unknown>;
  destroy(error?: Error): unknown;
}

function readableSource(stream: DestroyableReadable): ByteSource {
  const iterator = stream[Symbol.asyncIterator]() as AsyncIterator<Uint8Array>;
  return {
    next: () => iterator.next(),
    abort: () => void stream.destroy(),
  };
}

function tarSource(entries: readonly ArchiveEntry[]): Pack {
  const tar = pack({ highWaterMark: READ_AHEAD });
  fillTar(tar, entries).then(
    () => {
      if (!tar.destroying) tar.finalize();
    },
    (error: unknown) => tar.destroy(toError(error)),
  );
  return tar;
}

async function fillTar(tar: Pack, entries: readonly ArchiveEntry[]): Promise<void> {
  for (const entry of entries) {
    if (tar.destroying) return;
    const name = entry.rawName === undefined ? entry.name : rawNameRecord(tar, entry);
    const header = { name, mode: entry.mode, mtime: tarTime(entry.mtime) };
    if (entry.type === "directory") {
      // Waiting for it keeps the pack idle between entries, which rawNameRecord relies on.
      await new Promise<void>((resolve, reject) => {
        // Errors surface through the pack stream; this only keeps an unheard 'error' from crashing the process.
        tar.entry({ ...header, name: `${name}/`, type: "directory" }, (error) => (error ? reject(error) : resolve())).on("error", ignore);
      });
      continue;
    }

    const handle = await openPlannedFile(entry);
    if (handle === null) continue;
    try {
      const sink = tar.entry({ ...header, type: "file", size: entry.size });
      await pipelineAsync(readPlannedBytes(handle, entry.size), asNodeWritable(sink));
    } finally {
      await handle.close();
    }
  }
}

/**
 * Writes the GNU long-name record ('L') holding the exact bytes of a name that is not valid
 * UTF-8, and returns the ASCII stand-in for the header that follows (readers that know 'L', as
 * all common ones do, use the record). tar-stream can only write names as UTF-8, so the record
 * is pushed between two of its entries, while the pack is idle.
 */
function rawNameRecord(tar: Pack, entry: ArchiveEntry): string {
  const bytes = Buffer.concat([nameBytes(entry), entry.type === "directory" ? Buffer.from("/\0") : Buffer.from("\0")]);
  const header = Buffer.alloc(TAR_BLOCK);
  header.write("././@LongLink", 0, "ascii");
  header.write("0000644\0", 100, "ascii");
  header.write("0000000\0", 108, "ascii");
  header.write("0000000\0", 116, "ascii");
  header.write(`${bytes.length.toString(8).padStart(11, "0")}\0`, 124, "ascii");
  header.write("00000000000\0", 136, "ascii");
  header.write("L", 156, "ascii");
  header.write("ustar  \0", 257, "ascii");
  header.fill(" ", 148, 156);
  let checksum = 0;
  for (const byte of header) checksum += byte;
  header.write(`${checksum.toString(8).padStart(6, "0")}\0 `, 148, "ascii");
  const padding = Buffer.alloc((TAR_BLOCK - (bytes.length % TAR_BLOCK)) % TAR_BLOCK);
  (tar as unknown as { push(chunk: Buffer): boolean }).push(Buffer.concat([header, bytes, padding]));
  return asciiStandIn(nameBytes(entry));
}

/** The name with every non-ASCII byte as "_", short enough for a plain ustar header. */
function asciiStandIn(bytes: Buffer): string {
  const ascii = Buffer.from(bytes.map((byte) => (byte >= 0x20 && byte < 0x7f ? byte : 0x5f)));
  return ascii.subarray(Math.max(0, ascii.length - 99)).toString("ascii");
}

const TAR_BLOCK = 512;

/** Level 1 because a download is waiting: speed matters more than ratio here. */
function gzipped(tar: Pack): ByteSource {
  const gzip = createGzip({ level: 1, chunkSize: 64 * 1024 });
  // Errors reach the consumer through gzip, which pipeline destroys on any failure.
  pipeline(asNodeReadable(tar), gzip, ignore);
  return readableSource(gzip);
}

/**
 * Members are stored, not deflated (ZipPassThrough). fflate's ZipDeflate runs synchronously on
 * the event loop: measured at level 1 it managed 42 MiB/s on random data and 66 MiB/s on logs
 * versus 435 MiB/s stored, so a 1 GiB download would stall every other request for 15-25 s in
 * 20 ms slices. Stored sizes are also exact, which makes the no-ZIP64 check exact. Whoever
 * wants compression can ask for tar.gz, whose zlib runs off the main thread.
 */
function zipSource(entries: readonly ArchiveEntry[]): ByteSource {
  const chunks = zipChunks(entries);
  return {
    next: () => chunks.next(),
    abort: () => void chunks.return(undefined).catch(ignore),
  };
}

async function* zipChunks(entries: readonly ArchiveEntry[]): AsyncGenerator<Uint8Array, void, undefined> {
  const ready: Uint8Array[] = [];
  let failure: Error | null = null;
  const rawNames = new RawZipNames();
  // fflate hands output to this callback synchronously, so `ready` never holds more than one read's worth.
  const zip = new Zip((error, chunk, final) => {
    if (error) failure ??= error;
    else {
      try {
        ready.push(final ? rawNames.patchCentralDirectory(chunk) : rawNames.patchLocalHeader(chunk));
      } catch (patchError) {
        failure ??= toError(patchError);
      }
    }
  });
  function* flush(): Generator<Uint8Array, void, undefined> {
    if (failure) throw failure;
    yield* ready.splice(0);
  }

  for (const entry of entries) {
    if (entry.type === "directory") {
      const member = zipMember(entry, rawNames);
      zip.add(member);
      member.push(EMPTY, true);
      yield* flush();
      continue;
    }

    const handle = await openPlannedFile(entry);
    if (handle === null) continue;
    try {
      const member = zipMember(entry, rawNames);
      zip.add(member);
      for await (const chunk of readPlannedBytes(handle, entry.size)) {
        member.push(chunk);
        yield* flush();
      }
      member.push(EMPTY, true);
      yield* flush();
    } finally {
      await handle.close();
    }
  }
  zip.end();
  yield* flush();
}

const EMPTY = new Uint8Array(0);
const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const MSDOS_DIRECTORY = 0x10;
const MADE_BY_UNIX = 3;

function zipMember(entry: ArchiveEntry, rawNames: RawZipNames): ZipPassThrough {
  const isDirectory = entry.type === "directory";
  const member = new ZipPassThrough(rawNames.memberName(entry, isDirectory ? `${entry.name}/` : entry.name));
  member.mtime = zipTime(entry.mtime);
  // Unix mode in the high half of the external attributes; "made by Unix" makes unzip apply it.
  member.os = MADE_BY_UNIX;
  member.attrs = (((isDirectory ? S_IFDIR : S_IFREG) | entry.mode) * 0x10000 + (isDirectory ? MSDOS_DIRECTORY : 0)) >>> 0;
  return member;
}

/**
 * fflate encodes every name as UTF-8. A name that is not valid UTF-8 is therefore added under
 * an ASCII stand-in of the same byte length, and its exact bytes are written over the stand-in
 * in the member's local header (the first chunk fflate emits after add) and in the central
 * directory (its final chunk). Both places are checked by signature and length before writing.
 */
class RawZipNames {
  /** Raw name of each member, in the order added (undefined: fflate's name is right). */
  readonly #members: (Buffer | undefined)[] = [];
  #nextHeader: Buffer | undefined;
  #headerExpected = false;

  memberName(entry: ArchiveEntry, name: string): string {
    if (entry.rawName === undefined) {
      this.#members.push(undefined);
      this.#headerExpected = false;
      return name;
    }
    const raw = Buffer.concat([entry.rawName, entry.type === "directory" ? Buffer.from("/") : EMPTY]);
    this.#members.push(raw);
    this.#nextHeader = raw;
    this.#headerExpected = true;
    return "_".repeat(raw.length);
  }

  patchLocalHeader(chunk: Uint8Array): Uint8Array {
    if (!this.#headerExpected) return chunk;
    this.#headerExpected = false;
    writeName(chunk, 0, LOCAL_HEADER_SIGNATURE, 26, 30, this.#nextHeader!);
    return chunk;
  }

  patchCentralDirectory(chunk: Uint8Array): Uint8Array {
    let offset = 0;
    for (const raw of this.#members) {
      const view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      if (view.getUint32(offset, true) !== CENTRAL_HEADER_SIGNATURE) throw new Error("zip: central directory not where expected");
      const nameLength = view.getUint16(offset + 28, true);
      const extraLength = view.getUint16(offset + 30, true);
      const commentLength = view.getUint16(offset + 32, true);
      if (raw !== undefined) writeName(chunk, offset, CENTRAL_HEADER_SIGNATURE, 28, 46, raw);
      offset += 46 + nameLength + extraLength + commentLength;
    }
    return chunk;
  }
}

const LOCAL_HEADER_SIGNATURE = 0x04034b50;
const CENTRAL_HEADER_SIGNATURE = 0x02014b50;
const UTF8_FLAG = 0x0800;

/** Writes `name` over the stand-in of a zip header at `offset`, clearing its UTF-8 flag. */
function writeName(chunk: Uint8Array, offset: number, signature: number, lengthAt: number, nameAt: number, name: Buffer): void {
  const view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  if (view.getUint32(offset, true) !== signature || view.getUint16(offset + lengthAt, true) !== name.length) {
    throw new Error("zip: header not where expected for a raw-byte name");
  }
  const flagsAt = offset + (signature === LOCAL_HEADER_SIGNATURE ? 6 : 8);
  view.setUint16(flagsAt, view.getUint16(flagsAt, true) & ~UTF8_FLAG, true);
  chunk.set(name, offset + nameAt);
}

/** Refuses, before any byte is produced, what would need ZIP64. Sizes are exact because members are stored. */
function assertZipFits(entries: readonly ArchiveEntry[]): void {
  if (entries.length > ZIP_MAX_ENTRIES) {
    throw zipTooLarge(`it holds ${entries.length} entries, more than the 65,535 a zip without ZIP64 can list`);
  }
  const endOfCentralDirectory = 22;
  let total = endOfCentralDirectory;
  for (const entry of entries) {
    const nameLength = nameBytes(entry).length + (entry.type === "directory" ? 1 : 0);
    const localHeader = 30 + nameLength;
    const dataDescriptor = 16;
    const centralHeader = 46 + nameLength;
    total += localHeader + entry.size + dataDescriptor + centralHeader;
  }
  if (total > ZIP_MAX_OFFSET) {
    throw zipTooLarge("it would be larger than the 4 GiB a zip without ZIP64 can address");
  }
}

function zipTooLarge(reason: string) {
  return badRequest("archive_too_large_for_zip", `This folder cannot be downloaded as zip: ${reason}. Use format=tar (or tar.gz) instead.`);
}

/**
 * Opens a planned file for reading, or returns null when it vanished or is no longer the
 * regular file that was planned. openTaskFile refuses a symlink or FIFO swapped in at the last
 * component without following or blocking; the dev/ino comparison catches swaps further up.
 */
async function openPlannedFile(entry: ArchiveEntry): Promise<FileHandle | null> {
  let opened;
  try {
    opened = await openTaskFile(entry.path);
  } catch (error) {
    if (error instanceof NotRegularFileError) return null;
    throw error;
  }
  if (opened === null) return null;
  const { handle, stats } = opened;
  if (entry.ino === undefined || (stats.ino === entry.ino && stats.dev === entry.dev)) return handle;
  await handle.close();
  return null;
}

/** Yields exactly `size` bytes of the file: cut short if it grew, zero-padded if it shrank. */
async function* readPlannedBytes(handle: FileHandle, size: number): AsyncGenerator<Buffer, void, undefined> {
  let position = 0;
  let atEnd = false;
  while (position < size) {
    const wanted = Math.min(CHUNK_SIZE, size - position);
    if (atEnd) {
      position += wanted;
      yield Buffer.alloc(wanted);
      continue;
    }
    const buffer = Buffer.allocUnsafe(wanted);
    const { bytesRead } = await handle.read(buffer, 0, wanted, position);
    if (bytesRead === 0) {
      atEnd = true;
      continue;
    }
    position += bytesRead;
    yield bytesRead === wanted ? buffer : buffer.subarray(0, bytesRead);
  }
}

/** tar-stream stores whole seconds through `| 0`, so dates outside 1970..2038 would corrupt the header. */
function tarTime(date: Date): Date {
  const time = date.getTime();
  return new Date(Math.min(Math.max(Number.isFinite(time) ? time : 0, 0), 0x7fffffff * 1000));
}

/** The zip (DOS) date field only covers 1980..2107 and fflate throws outside 1980..2099. */
function zipTime(date: Date): Date {
  const earliest = new Date(1980, 0, 2);
  const latest = new Date(2099, 11, 30);
  const time = Number.isFinite(date.getTime()) ? date : earliest;
  return time < earliest ? earliest : time > latest ? latest : time;
}

/**
 * tar-stream's streams are streamx streams: Node's pipeline drives them fine (pipe, on, write,
 * destroy, with backpressure and teardown), but their typings are not Node's.
 */
function asNodeReadable(stream: Pack): NodeJS.ReadableStream {
  return stream as unknown as NodeJS.ReadableStream;
}

function asNodeWritable(stream: ReturnType<Pack["entry"]>): NodeJS.WritableStream {
  return stream as unknown as NodeJS.WritableStream;
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

function ignore(): void {}
