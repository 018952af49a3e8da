import { createHash, randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { connect, createServer, type Socket } from "node:net";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { makeTempDir } from "../support/temp-dir.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";
import { HERE, runPython, SKIP, spawnPython } from "./python.ts";

const MiB = 1024 * 1024;
const TUS = { "Tus-Resumable": "1.0.0" };
const PROGRAM = join(HERE, "large_files.py");

async function tempDir(): Promise<string> {
  const dir = await makeTempDir();
  onTestFinished(dir.remove);
  return dir.path;
}

/** A file of random bytes, and its sha256. */
async function randomFile(path: string, size: number): Promise<{ path: string; bytes: Buffer; sha256: string }> {
  const bytes = randomBytes(size);
  await writeFile(path, bytes);
  return { path, bytes, sha256: createHash("sha256").update(bytes).digest("hex") };
}

/** Bytes the server received (submissions' files and uploads' PATCHes), from /metrics. */
async function uploadedBytes(server: TestServer): Promise<number> {
  const text = await (await server.request("/metrics")).text();
  return Number(/^cubqueue_uploaded_bytes_total(?:\{\})? (\S+)$/m.exec(text)![1]);
}

/** Where the Python client keeps its resume record of this content on this server. */
function recordPath(cache: string, baseUrl: string, sha256: string): string {
  return join(cache, "cubqueue", "uploads", `${createHash("sha256").update(`${baseUrl}\n${sha256}`).digest("hex")}.json`);
}

/** Where an upload stands, asked as a tus client resuming would (HEAD also ends a PATCH the server is still reading). */
async function serverOffset(server: TestServer, url: string): Promise<number> {
  const response = await server.request(url, { method: "HEAD", headers: TUS });
  expect(response.status).toBe(200);
  return Number(response.headers.get("Upload-Offset"));
}

/** A TCP proxy to the server that cuts the first PATCH's connection once `cutAfter` bytes of it came through. */
async function cuttingProxy(server: TestServer, cutAfter: number) {
  const seen = { patches: 0, cut: 0 };
  const sockets = new Set<Socket>();
  const proxy = createServer((client) => {
    const upstream = connect(Number(new URL(server.url).port), "127.0.0.1");
    sockets.add(client).add(upstream);
    let bytes = 0;
    let cutting: boolean | undefined;
    client.on("data", (chunk: Buffer) => {
      if (cutting === undefined) {
        cutting = chunk.subarray(0, 6).toString() === "PATCH " && ++seen.patches === 1;
      }
      bytes += chunk.length;
      if (cutting && bytes > cutAfter) {
        seen.cut += 1;
        client.destroy();
        upstream.destroy();
        return;
      }
      upstream.write(chunk);
    });
    upstream.pipe(client);
    for (const [one, other] of [[client, upstream], [upstream, client]] as const) {
      one.on("error", () => other.destroy());
      one.on("close", () => other.destroy());
    }
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  onTestFinished(() => {
    for (const socket of sockets) socket.destroy();
    return new Promise<void>((resolve) => proxy.close(() => resolve()));
  });
  return { url: `http://127.0.0.1:${(proxy.address() as { port: number }).port}`, seen };
}

describe.skipIf(SKIP)("the Python client's large files: stored once, reused by hash, sent resumably", () => {
  it("a second submission of the same large file (alone, or in an array) sends none of its bytes, and its tasks read the same content", async () => {
    const server = await startTestServer();
    const cache = await tempDir();
    const seen = (await runPython([PROGRAM, "twice", server.url, await tempDir()], { XDG_CACHE_HOME: cache })) as {
      size: number;
      args_bytes: number;
      sha256: string;
      sent: { first: number; second: number; array: number };
      second_progress: { first: number[]; last: number[] };
      logged: string[][];
      files: unknown[];
      stored_name_kept_extension: boolean;
    };
    const total = seen.size + seen.args_bytes;
    expect(seen.sent).toEqual({ first: total, second: seen.args_bytes, array: 2 * seen.args_bytes });
    // The server had the file whole before the form went: progress starts with it.
    expect(seen.second_progress).toEqual({ first: [seen.size, total], last: [total, total] });
    expect(seen.logged).toEqual(Array.from({ length: 4 }, () => ["succeeded", seen.sha256]));
    expect(seen.files).toEqual([{ placeholder: "<file1>", name: "reads.fq", sha256: seen.sha256 }]);
    expect(seen.stored_name_kept_extension).toBe(true);
    // Nothing left to resume.
    expect(await readdir(join(cache, "cubqueue", "uploads"))).toEqual([]);
  }, 60_000);

  it("an upload whose client was killed partway is resumed by the next upload_file: only the rest is sent, and the content is right", async () => {
    const server = await startTestServer();
    const cache = await tempDir();
    const file = await randomFile(join(await tempDir(), "reads.bam"), 32 * MiB);

    // Slowed to ~20 ms per MiB, so that it is surely killed halfway.
    const child = spawnPython([PROGRAM, "upload", server.url, file.path, "0.02"], { XDG_CACHE_HOME: cache });
    const exited = new Promise((resolve) => child.on("close", resolve));
    let stdout = "";
    let stderr = "";
    child.stderr.on("data", (chunk) => (stderr += chunk));
    await new Promise<void>((resolve) => {
      child.stdout.on("data", (chunk) => {
        stdout += chunk;
        if ([...stdout.matchAll(/^progress uploading (\d+) /gm)].some((match) => Number(match[1]) >= 8 * MiB)) resolve();
      });
      void exited.then(() => resolve());
    });
    child.kill("SIGKILL");
    await exited;
    expect(stdout, stderr).not.toMatch(/"reused"/);

    // The record the killed client left: private, in the shared format, naming an upload the server has partly.
    const path = recordPath(cache, server.url, file.sha256);
    expect((await stat(join(cache, "cubqueue", "uploads"))).mode & 0o777).toBe(0o700);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const record = JSON.parse(await readFile(path, "utf8")) as { url: string; length: number };
    expect(record).toEqual({ url: expect.stringMatching(/^\/api\/upload\/[0-9a-f-]{36}$/), length: 32 * MiB });
    // Partly there (what the server read of the bytes sent before the kill).
    const offset = await serverOffset(server, record.url);
    expect(offset).toBeGreaterThan(0);
    expect(offset).toBeLessThan(32 * MiB);

    const before = await uploadedBytes(server);
    const lines = (await runPython([PROGRAM, "upload", server.url, file.path], { XDG_CACHE_HOME: cache })) as Record<string, unknown>;
    expect(lines).toEqual({ sha256: file.sha256, size: 32 * MiB, reused: false, sent: 32 * MiB - offset, stored: 32 * MiB });
    expect(await uploadedBytes(server)).toBe(before + 32 * MiB - offset);
    expect((await readdir(join(cache, "cubqueue", "uploads"))).filter((name) => name.endsWith(".json"))).toEqual([]);
  }, 60_000);

  it("resumes an upload from a record another client wrote (the TypeScript SDK's and CLI's format), reporting progress from its offset", async () => {
    const server = await startTestServer();
    const cache = await tempDir();
    const file = await randomFile(join(await tempDir(), "ref.fa"), 12 * MiB);
    const metadata = `filename ${Buffer.from("ref.fa").toString("base64")},sha256 ${Buffer.from(file.sha256).toString("base64")}`;
    const created = await server.request("/api/upload", { method: "POST", headers: { ...TUS, "Upload-Length": String(file.bytes.length), "Upload-Metadata": metadata } });
    expect(created.status).toBe(201);
    const url = created.headers.get("Location")!;
    const first = 5 * MiB;
    const patched = await server.request(url, {
      method: "PATCH",
      headers: { ...TUS, "Content-Type": "application/offset+octet-stream", "Upload-Offset": "0" },
      body: new Uint8Array(file.bytes.subarray(0, first)),
    });
    expect(patched.status).toBe(204);
    await mkdir(join(cache, "cubqueue", "uploads"), { recursive: true, mode: 0o700 });
    await writeFile(recordPath(cache, server.url, file.sha256), JSON.stringify({ url, length: file.bytes.length }), { mode: 0o600 });

    const before = await uploadedBytes(server);
    const child = spawnPython([PROGRAM, "upload", server.url, file.path], { XDG_CACHE_HOME: cache });
    let stdout = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    expect(await new Promise((resolve) => child.on("close", resolve))).toBe(0);
    const uploading = [...stdout.matchAll(/^progress uploading (\d+) (\d+)$/gm)].map((m) => Number(m[1]));
    expect(uploading[0]).toBe(first);
    expect(uploading.at(-1)).toBe(file.bytes.length);
    expect(JSON.parse(stdout.trim().split("\n").at(-1)!)).toEqual({ sha256: file.sha256, size: file.bytes.length, reused: false, sent: file.bytes.length - first, stored: file.bytes.length });
    expect(await uploadedBytes(server)).toBe(before + file.bytes.length - first);
  }, 60_000);

  it("a connection cut during the PATCH is tried again from the server's offset: no byte crosses twice", async () => {
    const server = await startTestServer();
    const cache = await tempDir();
    const file = await randomFile(join(await tempDir(), "reads.fq"), 16 * MiB);
    const proxy = await cuttingProxy(server, 6 * MiB);
    const before = await uploadedBytes(server);
    const result = await runPython([PROGRAM, "upload", proxy.url, file.path], { XDG_CACHE_HOME: cache });
    expect(proxy.seen).toEqual({ patches: 2, cut: 1 });
    expect(result).toEqual({ sha256: file.sha256, size: 16 * MiB, reused: false, sent: 16 * MiB, stored: 16 * MiB });
    expect(await uploadedBytes(server)).toBe(before + 16 * MiB);
  }, 60_000);

  it("a stored file that goes between the check and the submission (400 blob_not_found) is uploaded again, and the submission made once more", async () => {
    const server = await startTestServer();
    const seen = (await runPython([PROGRAM, "lost_blob", server.url, await tempDir()], { XDG_CACHE_HOME: await tempDir() })) as {
      size: number;
      sha256: string;
      first_upload: boolean;
      calls: unknown[];
      sent: number;
      logged: string[];
    };
    expect(seen.first_upload).toBe(false);
    // Found stored, then gone (its upload deleted), then sent again.
    expect(seen.calls).toEqual(["reused", 204, "gone", "uploaded"]);
    // Once, and the small forms.
    expect(seen.sent).toBeGreaterThanOrEqual(seen.size);
    expect(seen.sent).toBeLessThan(seen.size + 1024);
    expect(seen.logged).toEqual(["succeeded", seen.sha256]);
  }, 60_000);
});
