import { runOk, which } from "./shell.ts";

let curlPath: Promise<string | undefined> | undefined;

/**
 * curl when it is installed: as the client of a transfer it costs the least CPU,
 * so the server (or the reference receiver) is what gets measured, not a Node
 * client on the same two cores.
 */
export const findCurl = (): Promise<string | undefined> => (curlPath ??= which("curl"));

/** GETs a URL with curl, discarding the body; resolves to the bytes received. */
export async function curlDrain(curl: string, url: string, timeoutMs: number): Promise<number> {
  const result = await runOk(curl, ["-sS", "--fail", "-o", "/dev/null", "-w", "%{size_download}", url], { timeoutMs });
  return Number(result.stdout.trim());
}

/** PUTs a file with curl (no `Expect: 100-continue` round trip). */
export async function curlPut(curl: string, url: string, path: string, timeoutMs: number): Promise<void> {
  await runOk(curl, ["-sS", "--fail", "-H", "Expect:", "-T", path, "-o", "/dev/null", url], { timeoutMs });
}
