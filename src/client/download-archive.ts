import { createWriteStream } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import type { ReadableStream as NodeWebReadableStream } from "node:stream/web";
import { pipeline } from "node:stream/promises";
import { byteString, type UnpackResult } from "./output-folder.ts";
import { moveIntoPlace } from "./place-download.ts";
import { unpackArchive } from "./unpack.ts";
import { unpackZip } from "./unzip.ts";

export interface ReceiveOptions {
  /** Let the download replace files of the same name already in the output folder (never folders). */
  overwrite?: boolean;
  /** Called as file content is written, with the bytes just written. */
  onWrite?: (bytes: number) => void;
}

/** Where a download is unpacked before it is moved into place: hidden, inside the output folder (the same file system, so moves are renames). */
export const STAGING_PREFIX = ".cubqueue-download-";

/**
 * Unpacks a downloaded archive into outputDir (created if missing), all or nothing: it is
 * unpacked into a staging folder inside outputDir and moved into place only once it is whole
 * and nothing it would replace stands in the way (see place-download.ts). A download that
 * fails or is refused leaves outputDir as it was. tar and tar.gz unpack as they arrive; a zip
 * lists its entries at its end, so it is saved into the staging folder first.
 */
export async function receiveArchive(
  body: ReadableStream<Uint8Array>,
  outputDir: string,
  format: "tar" | "tar.gz" | "zip",
  { overwrite = false, onWrite }: ReceiveOptions = {},
): Promise<UnpackResult> {
  await mkdir(outputDir, { recursive: true });
  const staging = await mkdtemp(join(outputDir, STAGING_PREFIX));
  try {
    const unpacked = join(staging, "unpacked");
    let result: UnpackResult;
    if (format === "zip") {
      const saved = join(staging, "archive.zip");
      await pipeline(Readable.fromWeb(body as NodeWebReadableStream<Uint8Array>), createWriteStream(saved));
      result = await unpackZip(saved, unpacked, { onWrite });
    } else {
      result = await unpackArchive(body, unpacked, format, { onWrite });
    }
    await moveIntoPlace(byteString(unpacked), byteString(outputDir), overwrite);
    return result;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
