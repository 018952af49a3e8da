import { createRoute, z } from "@hono/zod-openapi";
import { errorResponses } from "../schemas.ts";

const tags = ["uploads"];

export const UploadIdParamsSchema = z.object({
  upload_id: z.string().min(1).openapi({ param: { name: "upload_id", in: "path" }, format: "uuid", example: "8d3c1f4e-2b7a-4c9d-9e0f-1a2b3c4d5e6f" }),
});

export const Sha256ParamsSchema = z.object({
  sha256: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, "not a sha256 (64 hex digits)")
    .openapi({ param: { name: "sha256", in: "path" }, example: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08" }),
});

export const UploadSchema = z
  .object({
    upload_id: z.string(),
    url: z.string().openapi({ description: "Where its bytes are sent (PATCH) and its offset asked (HEAD): /api/upload/{upload_id}." }),
    length: z.number().int().openapi({ description: "The file's size in bytes (Upload-Length)." }),
    offset: z.number().int().openapi({ description: "How many of its bytes the server has: the next PATCH starts there." }),
    filename: z.string(),
    complete: z.boolean(),
    sha256: z.string().nullable().openapi({ description: "Once complete: the stored content, to name as fileN_sha256 in a submission." }),
    expires_at: z.string().openapi({ format: "date-time", description: "An open upload that gets no byte until then is abandoned; a complete one keeps its file for a submission until then." }),
  })
  .openapi("Upload");

export const BlobSchema = z
  .object({
    sha256: z.string(),
    size: z.number().int(),
    stored_at: z.string().openapi({ format: "date-time" }),
  })
  .openapi("Blob");

const header = (description: string, example?: string) => ({ description, schema: { type: "string" as const, ...(example ? { example } : {}) } });
const TUS_RESUMABLE = { "Tus-Resumable": header("The tus protocol version: 1.0.0.", "1.0.0") };
const EXPIRES = { "Upload-Expires": header("When an upload that gets no more bytes is abandoned (an HTTP date).") };
const OFFSET = { "Upload-Offset": header("How many of the file's bytes the server has.", "1048576") };
const tusRequestHeaders = { "tus-resumable": z.string().openapi({ description: "Must be 1.0.0 (412 otherwise).", example: "1.0.0" }) };

export const options = createRoute({
  method: "options",
  path: "/api/upload",
  operationId: "uploadCapabilities",
  summary: "What the resumable upload endpoint supports (tus)",
  description: "Answers the tus protocol's discovery: its version, extensions, checksum algorithms and the largest file it takes.",
  tags,
  responses: {
    204: {
      description: "The server's tus capabilities",
      headers: {
        ...TUS_RESUMABLE,
        "Tus-Version": header("The tus versions spoken.", "1.0.0"),
        "Tus-Extension": header("creation, expiration, checksum, termination.", "creation,expiration,checksum,termination"),
        "Tus-Checksum-Algorithm": header("What Upload-Checksum may use.", "sha1,sha256,md5"),
        "Tus-Max-Size": header("The largest file, in bytes (when the server has a --max-upload-size)."),
      },
    },
    ...errorResponses(),
  },
});

export const create = createRoute({
  method: "post",
  path: "/api/upload",
  operationId: "createUpload",
  summary: "Start a resumable upload (tus creation)",
  description:
    "Starts a resumable upload of one file of Upload-Length bytes, which is then sent by PATCH to the upload's URL, in as many requests as it takes. Upload-Metadata (tus: comma-separated `key base64(value)`) may give `filename` and `sha256`, the hash the whole file must have (checked at the end). Once complete, the file is in the server's store: a submission names it as fileN_sha256. A client should ask GET /api/blob/{sha256} first: content the server has needs no upload.",
  tags,
  request: {
    headers: z.object({
      ...tusRequestHeaders,
      "upload-length": z.string().regex(/^[0-9]{1,16}$/, "the file's size in bytes").openapi({ description: "The file's size in bytes." }),
      "upload-metadata": z.string().optional().openapi({ description: "`filename <base64>,sha256 <base64 of the hex digest>`; other keys are ignored." }),
    }),
  },
  responses: {
    201: {
      description: "The upload, at offset 0",
      headers: { ...TUS_RESUMABLE, ...EXPIRES, Location: header("The upload's URL.", "/api/upload/8d3c1f4e-2b7a-4c9d-9e0f-1a2b3c4d5e6f") },
      content: { "application/json": { schema: UploadSchema } },
    },
    ...errorResponses(400, 412, 413, 507),
  },
});

export const status = createRoute({
  method: "get",
  path: "/api/upload/{upload_id}",
  operationId: "getUpload",
  summary: "Where a resumable upload stands (and, as HEAD, the tus offset)",
  description:
    "The upload's offset (also in Upload-Offset), length and, once complete, its sha256. Asked as HEAD (the tus way of finding where to resume, Tus-Resumable required), it first ends a PATCH of this upload still under way, so that the offset it answers holds.",
  tags,
  request: { params: UploadIdParamsSchema },
  responses: {
    200: {
      description: "The upload",
      headers: { ...TUS_RESUMABLE, ...OFFSET, "Upload-Length": header("The file's size in bytes."), ...EXPIRES, "Cache-Control": header("no-store") },
      content: { "application/json": { schema: UploadSchema } },
    },
    ...errorResponses(404, 410, 412),
  },
});

export const append = createRoute({
  method: "patch",
  path: "/api/upload/{upload_id}",
  operationId: "appendUpload",
  summary: "Send bytes of a resumable upload, from its offset (tus)",
  description:
    "Appends the body's bytes at Upload-Offset, which must be the server's offset (409 `offset_mismatch` says the right one, also in Upload-Offset). Bytes that arrive are kept even if the request is cut, unless Upload-Checksum is given: then only a body whose digest matches is kept (460 otherwise). The PATCH that completes the file answers once it is hashed and stored, with X-CubQueue-Sha256; a declared sha256 it does not match is refused (400 `hash_mismatch`) and nothing is kept.",
  tags,
  request: {
    params: UploadIdParamsSchema,
    headers: z.object({
      ...tusRequestHeaders,
      "upload-offset": z.string().regex(/^[0-9]{1,16}$/, "a byte offset").openapi({ description: "Where these bytes start: the server's offset." }),
      "upload-checksum": z.string().optional().openapi({ description: "`<algorithm> <base64 digest>` of this body (sha1, sha256 or md5)." }),
    }),
    body: { required: true, content: { "application/offset+octet-stream": { schema: { type: "string", format: "binary" } } } },
  },
  responses: {
    204: {
      description: "The bytes are on disk",
      headers: { ...TUS_RESUMABLE, ...OFFSET, ...EXPIRES, "X-CubQueue-Sha256": header("Once the upload is complete: the sha256 of the stored file.") },
    },
    ...errorResponses(400, 404, 409, 410, 412, 415, 460, 507),
  },
});

export const terminate = createRoute({
  method: "delete",
  path: "/api/upload/{upload_id}",
  operationId: "deleteUpload",
  summary: "Give up a resumable upload (tus termination)",
  description: "Removes the upload and the bytes it received. A complete upload's file stays for the tasks that use it.",
  tags,
  request: { params: UploadIdParamsSchema, headers: z.object(tusRequestHeaders) },
  responses: {
    204: { description: "Removed", headers: TUS_RESUMABLE },
    ...errorResponses(404, 410, 412),
  },
});

export const blob = createRoute({
  method: "get",
  path: "/api/blob/{sha256}",
  operationId: "getBlob",
  summary: "Whether the server stores this content (also as HEAD)",
  description:
    "200 if the server has a file of this sha256 that a submission can name (fileN_sha256) instead of uploading it again; 404 `blob_not_found` if not. Files are stored once per content, and go with the last task that uses them.",
  tags,
  request: { params: Sha256ParamsSchema },
  responses: {
    200: { description: "The stored file", content: { "application/json": { schema: BlobSchema } } },
    ...errorResponses(400, 404),
  },
});

export type CreateRoute = typeof create;
export type StatusRoute = typeof status;
export type AppendRoute = typeof append;
export type TerminateRoute = typeof terminate;
export type OptionsRoute = typeof options;
export type BlobRoute = typeof blob;
