import { randomBytes } from "node:crypto";
import { lstat, open, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { CubQueueFileExistsError } from "./errors.ts";

/**
 * Writes a stream to a file, whole or not at all: into a hidden file beside it,
 * renamed into place once complete. An existing file is replaced only with
 * `overwrite` (a folder never is). Resolves to the bytes written.
 */
export async function saveStream(body: ReadableStream<Uint8Array>, path: string, { overwrite = false } = {}): Promise<number> {
  const existing = await lstat(path).catch(() => undefined);
  if (existing && (!overwrite || existing.isDirectory())) {
    await body.cancel();
    throw new CubQueueFileExistsError(path, 1, !existing.isDirectory());
  }
  const partial = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString("hex")}.part`);
  const file = await open(partial, "wx", 0o644);
  let bytes = 0;
  let complete = false;
  try {
    for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
      await file.write(chunk);
      bytes += chunk.byteLength;
    }
    await file.close();
    await rename(partial, path);
    complete = true;
    return bytes;
  } finally {
    if (!complete) {
      await file.close().catch(() => undefined);
      await rm(partial, { force: true });
    }
  }
}
