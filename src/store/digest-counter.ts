import type { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import { Transform, type TransformCallback } from "node:stream";

/** Passes bytes through unchanged while computing their SHA-256 and count. */
export class DigestCounter extends Transform {
  size = 0;
  private readonly hash = createHash("sha256");

  constructor(private readonly onBytes: (bytes: number) => void) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk);
    this.size += chunk.length;
    this.onBytes(chunk.length);
    callback(null, chunk);
  }

  hex(): string {
    return this.hash.digest("hex");
  }
}
