import type { MiddlewareHandler } from "hono";
import { AppError, badRequest } from "../../errors.ts";
import { requestBodyStream } from "../../runtime/request-body.ts";
import type { BlobStore } from "../../store/blob-store.ts";
import { CHECKSUM_ALGORITHMS, parseUploadChecksum } from "../../uploads/upload-checksum.ts";
import { parseUploadMetadata } from "../../uploads/upload-metadata.ts";
import type { UploadSessions, UploadStatus } from "../../uploads/upload-sessions.ts";
import type { AppRouteHandler } from "../types.ts";
import type { AppendRoute, BlobRoute, CreateRoute, OptionsRoute, StatusRoute, TerminateRoute } from "./routes.ts";

const TUS_VERSION = "1.0.0";
/** The body type tus gives a PATCH. */
const OFFSET_STREAM = "application/offset+octet-stream";

/**
 * Every answer of /api/upload says which tus version it speaks; every request but the
 * discovery (OPTIONS) and the JSON status (GET) must speak it too (412 otherwise).
 */
export const tusVersion: MiddlewareHandler = async (c, next) => {
  const method = c.req.method;
  if (method !== "OPTIONS" && method !== "GET" && c.req.header("tus-resumable") !== TUS_VERSION) {
    throw new AppError(
      412,
      "tus_version_unsupported",
      `This endpoint speaks the tus protocol ${TUS_VERSION}: send Tus-Resumable: ${TUS_VERSION}${c.req.header("tus-resumable") ? ` (not ${c.req.header("tus-resumable")})` : ""}.`,
      { "Tus-Version": TUS_VERSION, "Tus-Resumable": TUS_VERSION },
    );
  }
  await next();
  c.res.headers.set("Tus-Resumable", TUS_VERSION);
};

export function createUploadHandlers(uploads: UploadSessions, blobs: Pick<BlobStore, "lookup">, maxSize: number | undefined) {
  const view = ({ row, offset }: UploadStatus) => ({
    upload_id: row.id,
    url: `/api/upload/${row.id}`,
    length: row.length,
    offset,
    filename: row.filename,
    complete: row.state === "complete",
    sha256: row.sha256,
    expires_at: row.expiresAt.toISOString(),
  });
  const tusHeaders = ({ row, offset }: UploadStatus) => ({
    "Upload-Offset": String(offset),
    "Upload-Length": String(row.length),
    "Upload-Expires": row.expiresAt.toUTCString(),
    ...(row.sha256 ? { "X-CubQueue-Sha256": row.sha256 } : {}),
  });

  const options: AppRouteHandler<OptionsRoute> = async (c) =>
    c.body(null, 204, {
      "Tus-Version": TUS_VERSION,
      "Tus-Extension": "creation,expiration,checksum,termination",
      "Tus-Checksum-Algorithm": CHECKSUM_ALGORITHMS.join(","),
      ...(maxSize === undefined ? {} : { "Tus-Max-Size": String(maxSize) }),
    });

  const create: AppRouteHandler<CreateRoute> = async (c) => {
    const headers = c.req.valid("header");
    const metadata = parseUploadMetadata(headers["upload-metadata"]);
    const declared = metadata.sha256?.trim().toLowerCase();
    if (declared !== undefined && !/^[0-9a-f]{64}$/.test(declared)) throw badRequest("invalid_metadata", `Upload-Metadata sha256 must be a sha256 (64 hex digits, base64-encoded), not "${metadata.sha256}".`);
    const created = await uploads.create({ length: Number(headers["upload-length"]), filename: metadata.filename ?? "", declaredSha256: declared });
    return c.json(view(created), 201, { Location: `/api/upload/${created.row.id}`, "Upload-Expires": created.row.expiresAt.toUTCString() });
  };

  const status: AppRouteHandler<StatusRoute> = async (c) => {
    // HEAD is how a tus client asks where to resume: a PATCH it left running ends first.
    const found = await uploads.status(c.req.valid("param").upload_id, { settle: c.req.method === "HEAD" });
    return c.json(view(found), 200, { ...tusHeaders(found), "Cache-Control": "no-store" });
  };

  const append: AppRouteHandler<AppendRoute> = async (c) => {
    const type = (c.req.header("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
    if (type !== OFFSET_STREAM) throw new AppError(415, "unsupported_content_type", `Send the bytes of a PATCH as Content-Type: ${OFFSET_STREAM}${type ? `, not ${type}` : ""}.`);
    const headers = c.req.valid("header");
    const checksum = parseUploadChecksum(headers["upload-checksum"]);
    const after = await uploads.append(c.req.valid("param").upload_id, { offset: Number(headers["upload-offset"]), body: requestBodyStream(c), checksum });
    return c.body(null, 204, tusHeaders(after));
  };

  const terminate: AppRouteHandler<TerminateRoute> = async (c) => {
    await uploads.terminate(c.req.valid("param").upload_id);
    return c.body(null, 204);
  };

  const blob: AppRouteHandler<BlobRoute> = async (c) => {
    const sha256 = c.req.valid("param").sha256.toLowerCase();
    const found = await blobs.lookup(sha256);
    if (!found) throw new AppError(404, "blob_not_found", `This server stores no file with sha256 ${sha256}: upload it.`);
    return c.json({ sha256, size: found.size, stored_at: found.storedAt.toISOString() }, 200);
  };

  return { options, create, status, append, terminate, blob };
}
