import { deno } from "./deno-api.ts";
import { serveFetchOnDeno } from "./serve-deno.ts";
import { serveFetchOnNode } from "./serve-node.ts";

export interface ServeOptions {
  host: string;
  port: number;
  /** A connection that sends nothing for this long is given up (an upload in flight answers 408 first). */
  idleTimeoutMs: number;
}

export interface ServingHandle {
  /** The port actually bound (useful when 0 was asked for). */
  port: number;
  /** Stops accepting connections and closes idle ones; resolves when the listener is closed. */
  close(): Promise<void>;
}

export type FetchHandler = (request: Request, env: { incoming?: unknown }) => Response | Promise<Response>;

/**
 * Serves a fetch handler over HTTP, resolving once the socket listens: with
 * `Deno.serve` on Deno, with @hono/node-server on Node. A failure to listen
 * rejects with an error carrying Node's `code` (EADDRINUSE, …) on both.
 */
export function serveFetch(fetch: FetchHandler, options: ServeOptions): Promise<ServingHandle> {
  return deno ? serveFetchOnDeno(deno, fetch, options) : serveFetchOnNode(fetch, options);
}
