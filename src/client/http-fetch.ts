import http from "node:http";
import https from "node:https";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";

/**
 * A fetch for streamed uploads, over node:http. Node 20's built-in fetch
 * (undici 6) reads a streamed request body as fast as the disk gives it,
 * whatever the socket takes, so a 1 GiB upload held ~1.1 GB of memory; here
 * the body is piped into the socket with backpressure and memory stays flat.
 * node:http is also available on Deno.
 */
export async function httpFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const request = new Request(input, init);
  const url = new URL(request.url);
  const transport = url.protocol === "https:" ? https : http;
  const headers: Record<string, string> = {};
  request.headers.forEach((value, key) => (headers[key] = value));
  // A body of a length told in advance goes out with it (a resumable upload's PATCH); any other is chunked.
  if (request.body && headers["content-length"] === undefined) headers["transfer-encoding"] ??= "chunked";

  return new Promise<Response>((resolve, reject) => {
    const outgoing = transport.request(url, { method: request.method, headers, signal: request.signal }, (incoming) => {
      const responseHeaders = new Headers();
      for (const [key, value] of Object.entries(incoming.headers)) {
        if (value !== undefined) responseHeaders.set(key, Array.isArray(value) ? value.join(", ") : value);
      }
      const status = incoming.statusCode ?? 500;
      const bodyless = status === 204 || status === 304 || request.method === "HEAD";
      if (bodyless) incoming.resume();
      resolve(
        new Response(bodyless ? null : (Readable.toWeb(incoming) as ReadableStream<Uint8Array>), {
          status,
          statusText: incoming.statusMessage,
          headers: responseHeaders,
        }),
      );
    });
    // Connection errors reject with `cause`, as fetch does, so callers read one shape.
    outgoing.once("error", (error) => reject(Object.assign(new TypeError("fetch failed"), { cause: error })));
    if (!request.body) {
      outgoing.end();
      return;
    }
    pipeline(Readable.fromWeb(request.body as import("node:stream/web").ReadableStream), outgoing).catch((error) =>
      outgoing.destroy(error),
    );
  });
}
