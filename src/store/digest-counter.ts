import type { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import { Transform, type TransformCallback } from "node:stream";

/**
 * Passes bytes through unchanged while counting them and, unless `hash` is false (the
 * bytes are hashed elsewhere, see file-hashes.ts), computing their SHA-256.
 */
export class DigestCounter extends Transform {
  size = 0;
  private readonly hash;

  constructor(
    private readonly onBytes: (bytes: number) => void,
    { hash = true }: { hash?: boolean } = {},
  ) {
    super();
    this.hash = hash ? createHash("sha256") : undefined;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash?.update(chunk);
    this.size += chunk.length;
    this.onBytes(chunk.length);
    callback(null, chunk);
  }

  hex(): string {
    if (!this.hash) throw new Error("This DigestCounter only counts");
    return this.hash.digest("hex");
  }
}
