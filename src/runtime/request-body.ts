import { Readable } from "node:stream";
import type { Context } from "hono";

/**
 * The request body as a Node stream, for the streaming multipart parser. Under
 * @hono/node-server the socket's own IncomingMessage is used directly, which
 * skips a Node→Web→Node stream round trip on multi-GB uploads. Deno.serve (and
 * `app.request()` in tests) give only the standard Request, whose web stream
 * is adapted; it is pulled as the parser writes to disk, so memory stays flat
 * there too (test/streaming measures both).
 */
export function requestBodyStream(c: Context): Readable {
  const incoming = (c.env as { incoming?: unknown } | undefined)?.incoming;
  if (incoming instanceof Readable) return incoming;
  const body = c.req.raw.body;
  return body ? Readable.fromWeb(body as import("node:stream/web").ReadableStream) : Readable.from([]);
}
