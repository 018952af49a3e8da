import type { DenoApi, DenoHttpServer } from "./deno-api.ts";
import type { FetchHandler, ServeOptions, ServingHandle } from "./serve.ts";
import { uploadStalled } from "./upload-stalled.ts";

/**
 * Serves with `Deno.serve`, Deno's own HTTP server: the handler gets the
 * standard Request, whose body is a web stream read on demand. Deno throws
 * its own error classes when it cannot listen; they are given Node's `code`
 * so the composition root explains them the same way on both runtimes.
 *
 * Deno.serve puts no limit on how long a request may take. A body that sends
 * nothing for `idleTimeoutMs` fails with a 408 the handler answers in the JSON
 * error shape (see withIdleTimeout), as on Node.
 */
export function serveFetchOnDeno(deno: DenoApi, fetch: FetchHandler, { host, port, idleTimeoutMs }: ServeOptions): Promise<ServingHandle> {
  return new Promise((resolve, reject) => {
    try {
      const server = deno.serve(
        {
          hostname: host,
          port,
          onListen: (address) =>
            resolve({
              port: address.port,
              close: () => shutdownWithin(server, SHUTDOWN_GRACE_MS),
            }),
        },
        async (request) => {
          const { watched, release } = withIdleTimeout(request, idleTimeoutMs);
          try {
            return await fetch(watched, {});
          } finally {
            // Answered: what nobody read of the body (a refused upload) is let go, or Deno holds it (and the process) open.
            release();
          }
        },
      );
    } catch (error) {
      reject(withNodeCode(error));
    }
  });
}

/**
 * The request with a body that fails (with the 408 of uploadStalled) when no
 * chunk arrives for `idleTimeoutMs`, and `release`, which lets go of whatever
 * of the original body is still unread.
 */
export function withIdleTimeout(request: Request, idleTimeoutMs: number): { watched: Request; release: () => void } {
  const source = request.body;
  if (!source) return { watched: request, release: () => {} };
  const reader = source.getReader();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let settled = false;
  const settle = (end: () => void) => {
    clearTimeout(timer);
    if (settled) return;
    settled = true;
    end();
    reader.cancel().catch(() => {});
  };
  const body = new ReadableStream<Uint8Array>({
    start(streamController) {
      controller = streamController;
    },
    async pull() {
      timer = setTimeout(() => settle(() => controller.error(uploadStalled(idleTimeoutMs))), idleTimeoutMs);
      try {
        const { done, value } = await reader.read();
        if (settled) return;
        if (done) {
          settled = true;
          controller.close();
        } else {
          controller.enqueue(value);
        }
      } catch (error) {
        settle(() => controller.error(error));
      } finally {
        clearTimeout(timer);
      }
    },
    cancel() {
      settle(() => {});
    },
  });
  // Built from its parts, not from the request itself: copying Deno.serve's request would read
  // its `signal`, which Deno answers with a warning on stderr for every request.
  const init = { method: request.method, headers: request.headers, body, duplex: "half", redirect: request.redirect };
  const watched = new Request(request.url, init as RequestInit);
  return { watched, release: () => settle(() => controller.close()) };
}

/**
 * Deno's graceful shutdown waits for every connection, and one whose client
 * stalled mid-upload (already answered 408) never finishes: give up waiting
 * after a grace period, and let the process exit regardless.
 */
const SHUTDOWN_GRACE_MS = 2_000;

async function shutdownWithin(server: DenoHttpServer, graceMs: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const finished = await Promise.race([
    server.shutdown().then(() => true),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), graceMs))),
  ]);
  clearTimeout(timer);
  if (!finished) server.unref();
}

/** Deno's error class names for the failures start-server.ts explains, and Node's codes for them. */
const NODE_CODES: Readonly<Record<string, string>> = {
  AddrInUse: "EADDRINUSE",
  AddrNotAvailable: "EADDRNOTAVAIL",
  PermissionDenied: "EACCES",
};

function withNodeCode(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  // An unresolvable host name is a plain Error; only its message tells it apart.
  const unresolved = /failed to lookup address/i.test(error.message) ? "ENOTFOUND" : undefined;
  const code = NODE_CODES[error.name] ?? unresolved;
  if (code && !(error as NodeJS.ErrnoException).code) Object.assign(error, { code });
  return error;
}
