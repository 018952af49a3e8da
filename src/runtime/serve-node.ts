import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import type { FetchHandler, ServeOptions, ServingHandle } from "./serve.ts";

/**
 * Serves over node:http through @hono/node-server, which hands the handler the
 * socket's IncomingMessage as `env.incoming` (see request-body.ts).
 */
export function serveFetchOnNode(fetch: FetchHandler, { host, port }: ServeOptions): Promise<ServingHandle> {
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
