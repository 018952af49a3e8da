import { badRequest } from "../errors.ts";

/** The algorithms a PATCH's Upload-Checksum may use (tus: sha1 at least), as OPTIONS announces them. */
export const CHECKSUM_ALGORITHMS = ["sha1", "sha256", "md5"] as const;
export type ChecksumAlgorithm = (typeof CHECKSUM_ALGORITHMS)[number];

/** A PATCH's Upload-Checksum: its algorithm, and the base64 digest its bytes must have. */
export interface UploadChecksum {
  algorithm: ChecksumAlgorithm;
  digest: string;
}

/** Reads `Upload-Checksum: <algorithm> <base64 digest>`; 400 for an algorithm not offered or a malformed value. */
export function parseUploadChecksum(header: string | undefined): UploadChecksum | undefined {
  if (header === undefined) return undefined;
  const match = /^\s*([A-Za-z0-9-]+)\s+([A-Za-z0-9+/]+={0,2})\s*$/.exec(header);
  if (!match) throw badRequest("invalid_checksum", `Upload-Checksum must be "<algorithm> <base64 digest>" (e.g. "sha1 …"), not "${header}".`);
  const algorithm = match[1]!.toLowerCase();
  if (!(CHECKSUM_ALGORITHMS as readonly string[]).includes(algorithm)) {
    throw badRequest("checksum_algorithm_unsupported", `Upload-Checksum uses ${algorithm}; this server checks ${CHECKSUM_ALGORITHMS.join(", ")}.`);
  }
  return { algorithm: algorithm as ChecksumAlgorithm, digest: match[2]! };
}
