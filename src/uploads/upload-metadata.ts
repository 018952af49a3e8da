import { Buffer } from "node:buffer";
import { badRequest } from "../errors.ts";

/**
 * Reads tus's Upload-Metadata: comma-separated pairs of a key and its value in base64
 * (a key alone has no value). Keys are kept as sent; a malformed pair is refused (400).
 */
export function parseUploadMetadata(header: string | undefined): Record<string, string> {
  const metadata: Record<string, string> = {};
  if (header === undefined || header.trim() === "") return metadata;
  for (const pair of header.split(",")) {
    const match = /^\s*([^\s,]+)(?:\s+([A-Za-z0-9+/]*={0,2}))?\s*$/.exec(pair);
    if (!match) throw badRequest("invalid_metadata", `Upload-Metadata must be comma-separated "key base64value" pairs; "${pair.trim()}" is not one.`);
    metadata[match[1]!] = match[2] === undefined ? "" : Buffer.from(match[2], "base64").toString("utf8");
  }
  return metadata;
}
