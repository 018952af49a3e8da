import { Buffer } from "node:buffer";
import { Readable, Transform } from "node:stream";
import type { ReadableStream as NodeWebReadableStream } from "node:stream/web";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { extract, type ExtractEvents, type Header } from "tar-stream";
import { OutputFolder, type UnpackOptions, type UnpackResult } from "./output-folder.ts";

export type { UnpackOptions, UnpackResult } from "./output-folder.ts";

/** One entry's data as tar-stream hands it over (a streamx readable). */
type EntryStream = ExtractEvents["entry"][1];

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
 * UTF-8 (ustar fields and GNU long names are raw bytes; pax names are UTF-8 by definition;
 * see output-folder.ts for how such names are carried).
 */
export async function unpackArchive(
  source: ReadableStream<Uint8Array> | NodeJS.ReadableStream,
  outputDir: string,
  format: "tar" | "tar.gz",
  options: UnpackOptions = {},
): Promise<UnpackResult> {
  const target = await OutputFolder.open(outputDir);
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
    current = writeEntry(header, stream, target, result, options).then(
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

/** The entry's name as a byte string (see output-folder.ts). */
function byteName(header: Header): string {
  // A pax path was decoded as UTF-8; ustar and GNU long names arrive as latin1 already.
  return (header.pax as { path?: string } | undefined)?.path ? Buffer.from(header.name, "utf8").toString("latin1") : header.name;
}

async function writeEntry(header: Header, stream: EntryStream, target: OutputFolder, result: UnpackResult, options: UnpackOptions): Promise<void> {
  const name = byteName(header);
  switch (header.type) {
    case "directory":
      stream.resume();
      if (await target.addDirectory(name, header.mode, header.mtime)) result.directories++;
      return;
    case "file":
    case "contiguous-file":
      await target.addFile(name, header.mode, header.mtime, stream as unknown as NodeJS.ReadableStream, options);
      result.files++;
      result.bytes += header.size;
      return;
    default:
      // Links and special files could point or write anywhere; a download has no use for them.
      await drain(stream);
  }
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
