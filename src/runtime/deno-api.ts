/**
 * The few parts of the `Deno` namespace CubQueue uses, typed here because the
 * TypeScript build only knows Node's types. Nothing outside src/runtime/ imports this.
 *
 * What needs no seam, because Deno's Node compatibility does it the same way:
 * libSQL's native addon loads through `require` (given --allow-ffi, and
 * --allow-sys/--allow-env for its loader), and `process.kill(-pid)` signals a
 * task's whole process group (given an unscoped --allow-run: Deno refuses
 * every signal under a scoped one). See the README's permission table.
 */
export interface DenoApi {
  serve(
    options: { hostname: string; port: number; onListen: (address: { port: number }) => void },
    handler: (request: Request, info: unknown) => Response | Promise<Response>,
  ): DenoHttpServer;
  permissions: { querySync(descriptor: { name: DenoPermissionName }): { state: "granted" | "denied" | "prompt" } };
}

export interface DenoHttpServer {
  /** Stops accepting connections; resolves once in-flight requests have finished. */
  shutdown(): Promise<void>;
  /** Lets the process exit even while the server still holds connections. */
  unref(): void;
}

export type DenoPermissionName = "read" | "write" | "net" | "env" | "sys" | "ffi" | "run" | "import";

/** The Deno namespace when running on Deno, undefined on Node: the one test that tells the runtimes apart. */
export const deno: DenoApi | undefined = (globalThis as { Deno?: DenoApi }).Deno;
