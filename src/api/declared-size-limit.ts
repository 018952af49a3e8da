import type { MiddlewareHandler } from "hono";
import { formatByteSize } from "../byte-size.ts";
import { payloadTooLarge } from "../errors.ts";

/**
 * Room a form needs beyond its files: part headers, boundaries and the
 * script_name field. Generous, so that a body within the limit is never
 * refused by its declared size; the streamed count stays exact.
 */
export const FORM_FRAMING_ALLOWANCE = 1024 * 1024;

/**
 * Refuses, before reading a byte of it, a submission whose declared
 * Content-Length cannot fit within --max-upload-size (plus the form's own
 * framing). Bodies without a Content-Length (chunked) are counted as they
 * stream (see api/multipart.ts), and refused as soon as they pass the limit.
 */
export function declaredSizeLimit(maxUploadSize: number | undefined): MiddlewareHandler {
  return async (c, next) => {
    const declared = Number(c.req.header("content-length"));
    if (maxUploadSize !== undefined && c.req.method === "POST" && Number.isFinite(declared) && declared > maxUploadSize + FORM_FRAMING_ALLOWANCE) {
      throw payloadTooLarge(
        `The upload (${formatByteSize(declared)}) is larger than this server's maximum of ${formatByteSize(maxUploadSize)} per submission.`,
      );
    }
    await next();
  };
}
