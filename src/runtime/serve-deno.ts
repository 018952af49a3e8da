import type { DenoApi } from "./deno-api.ts";
import type { FetchHandler, ServeOptions, ServingHandle } from "./serve.ts";

/**
 * Serves with `Deno.serve`, Deno's own HTTP server: the handler gets the
 * standard Request, whose body is a web stream read on demand. Deno throws
 * its own error classes when it cannot listen; they are given Node's `code`
 * so the composition root explains them the same way on both runtimes.
 */
export function serveFetchOnDeno(deno: DenoApi, fetch: FetchHandler, { host, port }: ServeOptions): Promise<ServingHandle> {
  return new Promise((resolve, reject) => {
    try {
      const server = deno.serve(
        {
          hostname: host,
          port,
          onListen: (address) =>
            resolve({
              port: address.port,
              close: () => server.shutdown(),
            }),
        },
        (request) => fetch(request, {}),
      );
    } catch (error) {
      reject(withNodeCode(error));
    }
  });
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
