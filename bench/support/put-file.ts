import { spawn } from "node:child_process";
import { createReadStream } from "node:fs";
import { request } from "node:http";
import { fileURLToPath } from "node:url";
import { pipeline } from "node:stream/promises";

const RECEIVER_ENTRY = fileURLToPath(new URL("../min-receiver.js", import.meta.url));

/** Starts the minimal receiver as its own process; resolves once it listens. */
export async function startMinimalReceiver(dir: string): Promise<{ url: string; pid: number; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [RECEIVER_ENTRY, dir], { stdio: ["ignore", "pipe", "inherit"] });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    let output = "";
    child.stdout!.on("data", (chunk) => {
      output += chunk;
      if (output.includes("\n")) resolve(Number(output.trim()));
    });
    child.once("exit", () => reject(new Error("the minimal receiver exited at start")));
    setTimeout(() => reject(new Error("the minimal receiver did not start within 10 s")), 10_000).unref();
  });
  return {
    url: `http://127.0.0.1:${port}/`,
    pid: child.pid!,
    async stop() {
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/** PUTs (or PATCHes) a file as the body of one request, read in 1 MiB chunks (as the CLI reads uploads). */
export async function putFile(url: string, path: string, size: number, { method = "PUT", headers = {} }: { method?: string; headers?: Record<string, string> } = {}): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const outgoing = request(url, { method, headers: { ...headers, "content-length": String(size) } }, (incoming) => {
      incoming.resume();
      const ok = incoming.statusCode === 200 || incoming.statusCode === 204;
      incoming.on("end", () => (ok ? resolve() : reject(new Error(`${method} answered ${incoming.statusCode}`))));
    });
    outgoing.on("error", reject);
    pipeline(createReadStream(path, { highWaterMark: 1024 * 1024 }), outgoing).catch(reject);
  });
}
