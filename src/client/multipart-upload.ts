import { randomUUID } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { basename } from "node:path";

export type FormPart = { field: string; value: string } | { field: string; path: string };

export interface UploadProgress {
  /**
   * Bytes of file content sent so far, over the files sent in the form; for a large
   * file on its own (hashed, then uploaded resumably): its bytes hashed, or its bytes
   * the server has.
   */
  sent: number;
  /** Bytes of file content in all, over the files of the form; or the large file's size. */
  total: number;
  /** The file being sent. */
  file: string;
  /** "hashing": a large file is read to learn its sha256 (the server may have it already); "uploading" otherwise. */
  phase?: "hashing" | "uploading";
  /** Set once when a large file's upload picks up where an earlier one stopped: the bytes the server had. */
  resumedAt?: number;
}

export interface MultipartUpload {
  contentType: string;
  body: ReadableStream<Uint8Array>;
}

const encoder = new TextEncoder();

/**
 * A multipart/form-data body that reads its files as it is sent, so a 100 GB
 * upload takes no more memory than a small one, and reports progress as it goes.
 * Files are checked up front, so a missing one fails before anything is sent.
 */
export async function streamingMultipart(
  parts: readonly FormPart[],
  onProgress?: (progress: UploadProgress) => void,
): Promise<MultipartUpload> {
  const boundary = `----cubqueue-${randomUUID()}`;
  const sizes = new Map<string, number>();
  for (const part of parts) {
    if (!("path" in part)) continue;
    const info = await stat(part.path).catch(() => undefined);
    if (!info?.isFile()) throw new Error(`Cannot read ${part.path}: no such file`);
    sizes.set(part.path, info.size);
  }
  const total = [...sizes.values()].reduce((sum, size) => sum + size, 0);

  async function* generate(): AsyncGenerator<Uint8Array> {
    let sent = 0;
    for (const part of parts) {
      if ("path" in part) {
        yield encoder.encode(
          `--${boundary}\r\nContent-Disposition: form-data; name="${quote(part.field)}"; filename="${quote(basename(part.path))}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
        );
        for await (const chunk of createReadStream(part.path, { highWaterMark: 1024 * 1024 })) {
          sent += (chunk as Buffer).length;
          onProgress?.({ sent, total, file: part.path });
          yield chunk as Buffer;
        }
        yield encoder.encode("\r\n");
      } else {
        yield encoder.encode(`--${boundary}\r\nContent-Disposition: form-data; name="${quote(part.field)}"\r\n\r\n${part.value}\r\n`);
      }
    }
    yield encoder.encode(`--${boundary}--\r\n`);
  }

  const iterator = generate();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await iterator.next();
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
    async cancel() {
      await iterator.return(undefined);
    },
  });
  return { contentType: `multipart/form-data; boundary=${boundary}`, body };
}

/** Quotes a header parameter the way browsers do: escape what would end it. */
function quote(value: string): string {
  return value.replace(/\r/g, "%0D").replace(/\n/g, "%0A").replace(/"/g, "%22");
}
