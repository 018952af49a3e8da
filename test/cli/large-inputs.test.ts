import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { readdir, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { isProcessAlive } from "../../src/server/instance.ts";
import { registerScript, waitFinished, waitUntil, type Requester } from "../support/api.ts";
import { cleanEnv, closedPort, runCubqueue } from "../support/cli.ts";
import { daemonBaseDir, readTaskLog, startDaemon } from "../support/daemon-server.ts";
import { cubqueueCommand } from "../support/runtime.ts";
import { makeTempDir } from "../support/temp-dir.ts";

const GIB = 1024 * 1024 * 1024;
const MIB = 1024 * 1024;
/** Prints the sha256 of its input file, as the task sees it. */
const HASH_INPUT = "#!/bin/sh\nsha256sum \"$(sed -n 's/.*\"input\": *\"\\([^\"]*\\)\".*/\\1/p' \"$1\")\"\n";

/** A file of `size` bytes no other test has (a random block, numbered in each MiB), and its sha256. */
async function bigFile(dir: string, name: string, size: number): Promise<{ path: string; sha256: string }> {
  const path = join(dir, name);
  const block = randomBytes(MIB);
  const hash = createHash("sha256");
  const out = createWriteStream(path);
  for (let offset = 0; offset < size; offset += MIB) {
    block.writeUInt32BE(offset / MIB, 0);
    const chunk = block.subarray(0, Math.min(MIB, size - offset));
    hash.update(chunk);
    if (!out.write(chunk)) await new Promise<void>((resolve) => out.once("drain", () => resolve()));
  }
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
  return { path, sha256: hash.digest("hex") };
}

/** The bytes the server has received (file bytes, and argument files): its /metrics counter. */
async function uploadedBytes(server: Requester): Promise<number> {
  const text = await (await server.request("/metrics")).text();
  return Number(/^cubqueue_uploaded_bytes_total (\d+)$/m.exec(text)![1]);
}

/** The bytes of the one resumable upload the server is receiving (cubqueue.uploads/<id>), once it has that many. */
async function uploadReaches(baseDir: string, bytes: number, timeoutMs = 60_000): Promise<string> {
  let found = "";
  await waitUntil(async () => {
    const [name] = await readdir(join(baseDir, "cubqueue.uploads"));
    if (!name) return false;
    found = join(baseDir, "cubqueue.uploads", name);
    return (await stat(found).catch(() => ({ size: 0 }))).size >= bytes;
  }, timeoutMs);
  return found;
}

/** Waits until a file stops growing, and answers its size. */
async function settledSize(path: string): Promise<number> {
  let last = -1;
  for (;;) {
    const size = (await stat(path)).size;
    if (size === last) return size;
    last = size;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

/** `cubqueue submit …` running in the background, to be killed part way. */
function startSubmit(args: string[], env: Record<string, string>) {
  const { command, args: argv } = cubqueueCommand(["submit", ...args]);
  const child = spawn(command, argv, { env: cleanEnv(env), stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
  onTestFinished(() => void child.kill("SIGKILL"));
  return { child, exited, stderr: () => stderr };
}

async function workDir(): Promise<string> {
  const dir = await makeTempDir();
  onTestFinished(dir.remove);
  return dir.path;
}

describe("large inputs, uploaded once", { timeout: 240_000 }, () => {
  it("a second submission of the same 1 GiB file sends none of its bytes, its task sees the same content, and deleting both tasks removes the stored file", async () => {
    const baseDir = await daemonBaseDir();
    const server = await startDaemon(baseDir);
    const work = await workDir();
    // Resume records go to this test's own cache folder.
    const env = { XDG_CACHE_HOME: join(work, "cache") };
    await registerScript(server, "hash_input", "hash_input.sh", HASH_INPUT);
    const input = await bigFile(work, "genome.fa", GIB);
    await writeFile(join(work, "args.json"), '{"input": "<file1>"}');
    const submit = () => runCubqueue(["submit", "--base-dir", baseDir, "--script", "hash_input", "--arg-file", join(work, "args.json"), "--large-files", input.path, "--quiet"], env, 180_000);

    const before = await uploadedBytes(server);
    const first = await submit();
    expect(first, first.stderr).toMatchObject({ code: 0 });
    const afterFirst = await uploadedBytes(server);
    expect(afterFirst - before).toBeGreaterThanOrEqual(GIB);
    const second = await submit();
    expect(second, second.stderr).toMatchObject({ code: 0 });
    // Only the argument file crossed the network the second time.
    expect((await uploadedBytes(server)) - afterFirst).toBe('{"input": "<file1>"}'.length);

    const ids = [first.stdout.trim(), second.stdout.trim()];
    for (const id of ids) {
      expect(await waitFinished(server, id, 120_000)).toMatchObject({ status: "succeeded" });
      expect(await readTaskLog(baseDir, id)).toContain(input.sha256);
    }
    // Stored once: the store's file and both tasks' copies are one file.
    const blob = join(baseDir, "blobs", input.sha256.slice(0, 2), input.sha256);
    expect((await stat(blob)).nlink).toBe(3);
    expect((await (await server.request(`/api/blob/${input.sha256}`)).json())).toMatchObject({ sha256: input.sha256, size: GIB });
    expect(await readdir(join(work, "cache", "cubqueue", "uploads")).catch(() => [])).toEqual([]);

    const deleteFirst = await runCubqueue(["delete", "--base-dir", baseDir, ids[0]!]);
    expect(deleteFirst, deleteFirst.stderr).toMatchObject({ code: 0 });
    expect((await stat(blob)).nlink).toBe(2);
    const deleteSecond = await runCubqueue(["delete", "--base-dir", baseDir, ids[1]!]);
    expect(deleteSecond, deleteSecond.stderr).toMatchObject({ code: 0 });
    await expect(stat(blob)).rejects.toMatchObject({ code: "ENOENT" });
    expect((await server.request(`/api/blob/${input.sha256}`)).status).toBe(404);
  });

  it("a 1 GiB upload whose client is killed at 60 % is resumed by the same command, which sends only the rest", async () => {
    const baseDir = await daemonBaseDir();
    const server = await startDaemon(baseDir);
    const work = await workDir();
    const env = { XDG_CACHE_HOME: join(work, "cache") };
    await registerScript(server, "hash_input", "hash_input.sh", HASH_INPUT);
    const input = await bigFile(work, "reads.bam", GIB);
    const argFile = join(work, "args.json");
    await writeFile(argFile, '{"input": "<file1>"}');
    const args = ["--base-dir", baseDir, "--script", "hash_input", "--arg-file", argFile, "--large-files", input.path, "--quiet"];

    const cut = startSubmit(args, env);
    const partial = await uploadReaches(baseDir, 0.6 * GIB);
    cut.child.kill("SIGKILL");
    await cut.exited;
    const offset = await settledSize(partial);
    expect(offset).toBeLessThan(GIB);
    // The record of where the upload is, for the next run.
    expect(await readdir(join(work, "cache", "cubqueue", "uploads"))).toHaveLength(1);

    const before = await uploadedBytes(server);
    const resumed = await runCubqueue(["submit", ...args], env, 180_000);
    expect(resumed, resumed.stderr).toMatchObject({ code: 0 });
    expect(resumed.stderr).toMatch(/^Resuming the upload of reads\.bam at .* of 1(\.0)? GiB \(\d+ %\)\.$/m);
    // The rest of the file, and the argument file: nothing sent twice.
    expect((await uploadedBytes(server)) - before).toBe(GIB - offset + '{"input": "<file1>"}'.length);
    const taskId = resumed.stdout.trim();
    expect(await waitFinished(server, taskId, 120_000)).toMatchObject({ status: "succeeded" });
    expect(await readTaskLog(baseDir, taskId)).toContain(input.sha256);
    expect(await readdir(join(work, "cache", "cubqueue", "uploads"))).toEqual([]);
    expect(await readdir(join(baseDir, "cubqueue.uploads"))).toEqual([]);
  });

  it("a server killed (SIGKILL) during a resumable upload and started again: the upload goes on from what it had, and the task gets the whole file", async () => {
    const baseDir = await daemonBaseDir();
    const port = await closedPort();
    let server = await startDaemon(baseDir, ["--port", String(port)]);
    const work = await workDir();
    const env = { XDG_CACHE_HOME: join(work, "cache") };
    await registerScript(server, "hash_input", "hash_input.sh", HASH_INPUT);
    const input = await bigFile(work, "image.tif", 256 * MIB);
    const argFile = join(work, "args.json");
    await writeFile(argFile, '{"input": "<file1>"}');
    const args = ["--url", server.url, "--script", "hash_input", "--arg-file", argFile, "--large-files", input.path, "--quiet"];

    const submit = startSubmit(args, env);
    const partial = await uploadReaches(baseDir, 64 * MIB);
    process.kill(server.pid, "SIGKILL");
    await waitUntil(() => !isProcessAlive(server.pid));
    const kept = (await stat(partial)).size;
    // The client retries while the server is away, and goes on once it is back.
    server = await startDaemon(baseDir, ["--port", String(port)]);
    expect(await submit.exited, submit.stderr()).toBe(0);
    const taskId = (await (await server.request("/api/task")).json()).tasks[0].task_id;
    expect(await waitFinished(server, taskId, 60_000)).toMatchObject({ status: "succeeded" });
    expect(await readTaskLog(baseDir, taskId)).toContain(input.sha256);
    // What the restarted server received: the rest, not the whole file again.
    expect(await uploadedBytes(server)).toBeLessThanOrEqual(256 * MIB - kept + '{"input": "<file1>"}'.length);
  });
});
