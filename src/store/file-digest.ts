import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";

/** The SHA-256 of a file's content, as hex; read in chunks, so a large file costs no more memory. */
export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}
