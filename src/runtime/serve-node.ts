import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { serve } from "@hono/node-server";
import type { FetchHandler, ServeOptions, ServingHandle } from "./serve.ts";
import { uploadStalled } from "./upload-stalled.ts";

/**
 * Serves over node:http through @hono/node-server, which hands the handler the
 * socket's IncomingMessage as `env.incoming` (see request-body.ts).
 *
 * Timeouts: Node cuts any request after 5 minutes (`requestTimeout`), which no
 * large upload on a slow link survives. It is turned off; instead a connection
 * that sends nothing for `idleTimeoutMs` is given up (headers must also arrive
 * within that time, so a slow-headers client cannot hold a socket forever).
 * An upload given up that way is answered 408 in the JSON error shape before
 * the connection closes; its handler sees the body end early and keeps nothing.
 * (Once an answer is sent before its body was read, e.g. a 413, @hono/node-server
 * drains the rest for a bounded time and then closes the connection.)
 */
export function serveFetchOnNode(fetch: FetchHandler, { host, port, idleTimeoutMs }: ServeOptions): Promise<ServingHandle> {
  /** The request each socket is answering, for the idle timeout. */
  const inFlight = new WeakMap<Socket, { incoming: IncomingMessage; outgoing: ServerResponse }>();
  const tracked: FetchHandler = (request, env) => {
    const { incoming, outgoing } = env as { incoming: IncomingMessage; outgoing: ServerResponse };
    inFlight.set(incoming.socket, { incoming, outgoing });
    outgoing.once("finish", () => inFlight.delete(incoming.socket));
    return fetch(request, env);
  };
  return new Promise((resolve, reject) => {
    const server = serve(
      {
        fetch: tracked as never,
        hostname: host,
        port,
        serverOptions: { requestTimeout: 0, headersTimeout: idleTimeoutMs },
      },
      (info: AddressInfo) => {
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
      },
    ) as Server;
    server.setTimeout(idleTimeoutMs, (socket: Socket) => answerStalled(socket, inFlight.get(socket), idleTimeoutMs));
    server.once("error", reject);
  });
}

/**
 * A connection was silent for the idle timeout. If it is in the middle of
 * sending a request body that has no answer yet, it gets a 408 (written on
 * the socket, as Node writes its own 408s), then the socket is closed: the
 * handler's body ends early and the upload keeps nothing. One whose answer is
 * still streaming is left open.
 */
function answerStalled(socket: Socket, request: { incoming: IncomingMessage; outgoing: ServerResponse } | undefined, idleTimeoutMs: number) {
  // An answer that streams as things happen (events, a log followed) may be silent for long:
  // the request is whole and the answer under way, so the connection is not idle, only waiting.
  if (request && request.incoming.complete && request.outgoing.headersSent && !request.outgoing.writableEnded) return;
  if (request && !request.incoming.complete && !request.outgoing.headersSent && socket.writable) {
    const error = uploadStalled(idleTimeoutMs);
    const body = JSON.stringify({ error: { code: error.code, message: error.message } });
    socket.end(
      `HTTP/1.1 408 Request Timeout\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroySoon();
}
