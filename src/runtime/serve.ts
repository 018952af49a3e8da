import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";

export interface ServeOptions {
  host: string;
  port: number;
}

export interface ServingHandle {
  /** The port actually bound (useful when 0 was asked for). */
  port: number;
  /** Stops accepting connections and closes idle ones; resolves when the listener is closed. */
  close(): Promise<void>;
}

type FetchHandler = (request: Request, env: { incoming?: unknown }) => Response | Promise<Response>;

/** Serves a fetch handler over HTTP, resolving once the socket listens. */
export function serveFetch(fetch: FetchHandler, { host, port }: ServeOptions): Promise<ServingHandle> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: fetch as never, hostname: host, port }, (info: AddressInfo) => {
      server.off("error", reject);
      resolve({
        port: info.port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            // Idle keep-alive connections would otherwise hold close() open.
            if ("closeIdleConnections" in server) server.closeIdleConnections();
          }),
      });
    });
    server.once("error", reject);
  });
}
