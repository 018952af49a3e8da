import { createHash, randomBytes, randomUUID } from "node:crypto";
import { appendFile, chmod, mkdir, readdir, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { registerScript, submitOk, waitFinished } from "../support/api.ts";
import { startTestServer } from "../support/test-server.ts";
import { makeTempDir } from "../support/temp-dir.ts";

const TUS = { "Tus-Resumable": "1.0.0" };
const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");
const blobPath = (baseDir: string, hash: string) => join(baseDir, "blobs", hash.slice(0, 2), hash);

async function baseDir(): Promise<string> {
  const dir = await makeTempDir();
  onTestFinished(dir.remove);
  return dir.path;
}

describe("the store of uploaded files across restarts, and against scripts", () => {
  it("a start collects what a crash left: stored files no task holds, files no row records, rows whose file is gone, uploads no one resumed", async () => {
    const dir = await baseDir();
    let server = await startTestServer({ baseDir: dir, uploadExpiryMs: 1000 });
    // A finished resumable upload no submission used: its file is held only until its expiry.
    const unused = randomBytes(1000);
    const created = await server.request("/api/upload", { method: "POST", headers: { ...TUS, "Upload-Length": "1000" } });
    const url = created.headers.get("location")!;
    const sent = await server.request(url, { method: "PATCH", headers: { ...TUS, "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream" }, body: unused });
    expect(sent.status).toBe(204);
    // A file a task uses, whose store file someone then removed by hand.
    await registerScript(server, "noop", "noop.sh", "#!/bin/sh\ntrue\n");
    const used = randomBytes(500);
    const task = await submitOk(server, "noop", { args: { input: "<file1>" }, files: [{ name: "used.bin", content: used }] });
    expect(await waitFinished(server, task.task_id)).toMatchObject({ status: "succeeded" });
    await server.stop();
    await rm(blobPath(dir, sha256(used)));
    // What no row records: a stored file, and the bytes of an upload.
    const stray = randomBytes(64);
    await mkdir(join(dir, "blobs", sha256(stray).slice(0, 2)), { recursive: true });
    await writeFile(blobPath(dir, sha256(stray)), stray);
    await writeFile(join(dir, "cubqueue.uploads", randomUUID()), "partial");
    await new Promise((resolve) => setTimeout(resolve, 1100));

    server = await startTestServer({ baseDir: dir, uploadExpiryMs: 1000 });
    for (const content of [unused, used, stray]) expect((await server.request(`/api/blob/${sha256(content)}`)).status).toBe(404);
    expect((await readdir(join(dir, "blobs"), { recursive: true })).filter((name) => name.length === 64)).toEqual([]);
    expect(await readdir(join(dir, "cubqueue.uploads"))).toEqual([]);
    // The task keeps its own link to the bytes.
    const files = (await (await server.request(`/api/task/${task.task_id}`)).json()).files;
    expect((await stat(join(dir, "tasks", task.task_id, "files", files[0].stored_name))).size).toBe(500);
  });

  it("content a script changed in place is no longer offered for reuse; the next upload of it is stored anew", async () => {
    const server = await startTestServer();
    await registerScript(server, "noop", "noop.sh", "#!/bin/sh\ntrue\n");
    const content = randomBytes(2000);
    const hash = sha256(content);
    const task = await submitOk(server, "noop", { args: { input: "<file1>" }, files: [{ name: "in.bin", content }] });
    expect(await waitFinished(server, task.task_id)).toMatchObject({ status: "succeeded" });
    expect((await server.request(`/api/blob/${hash}`)).status).toBe(200);
    // What a script may do to its own input (it runs as the server's user).
    const files = (await (await server.request(`/api/task/${task.task_id}`)).json()).files;
    const input = join(server.baseDir, "tasks", task.task_id, "files", files[0].stored_name);
    await chmod(input, 0o600);
    await appendFile(input, "changed");
    expect((await server.request(`/api/blob/${hash}`)).status).toBe(404);
    await expect(stat(blobPath(server.baseDir, hash))).rejects.toMatchObject({ code: "ENOENT" });
    const refused = await server.request("/api/task", { method: "POST", body: form({ script_name: "noop", file1_sha256: hash }) });
    expect(refused.status).toBe(400);
    const again = await submitOk(server, "noop", { args: { input: "<file1>" }, files: [{ name: "in.bin", content }] });
    expect(await waitFinished(server, again.task_id)).toMatchObject({ status: "succeeded" });
    expect((await stat(blobPath(server.baseDir, hash))).size).toBe(2000);
  });
});

function form(fields: Record<string, string>): FormData {
  const body = new FormData();
  for (const [name, value] of Object.entries(fields)) body.set(name, value);
  body.set("arg_file", new Blob(['{"input": "<file1>"}']), "args.json");
  return body;
}
