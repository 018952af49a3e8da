import { createHash, randomBytes } from "node:crypto";
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { expectError, registerScript, submit, submitOk, waitFinished, waitUntil, type Requester } from "../support/api.ts";
import { readTaskLog } from "../support/daemon-server.ts";
import { startTestServer } from "../support/test-server.ts";

const TUS = { "Tus-Resumable": "1.0.0" };
const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");
const b64 = (text: string) => Buffer.from(text).toString("base64");
const PRINT_INPUT = "#!/bin/sh\nsha256sum \"$(sed -n 's/.*\"input\": *\"\\([^\"]*\\)\".*/\\1/p' \"$1\")\"\n";

async function createUpload(server: Requester, length: number, metadata: Record<string, string> = {}): Promise<string> {
  const header = Object.entries(metadata)
    .map(([key, value]) => `${key} ${b64(value)}`)
    .join(",");
  const created = await server.request("/api/upload", { method: "POST", headers: { ...TUS, "Upload-Length": String(length), ...(header ? { "Upload-Metadata": header } : {}) } });
  expect(created.status, await created.clone().text()).toBe(201);
  expect(created.headers.get("tus-resumable")).toBe("1.0.0");
  expect(created.headers.get("upload-expires")).toMatch(/GMT$/);
  return created.headers.get("location")!;
}

function patch(server: Requester, url: string, offset: number, bytes: Uint8Array<ArrayBuffer>, headers: Record<string, string> = {}) {
  return server.request(url, {
    method: "PATCH",
    headers: { ...TUS, "Content-Type": "application/offset+octet-stream", "Upload-Offset": String(offset), ...headers },
    body: bytes,
  });
}

async function offsetOf(server: Requester, url: string): Promise<number> {
  const head = await server.request(url, { method: "HEAD", headers: TUS });
  expect(head.status).toBe(200);
  expect(head.headers.get("cache-control")).toBe("no-store");
  return Number(head.headers.get("upload-offset"));
}

describe("resumable uploads (tus 1.0.0) and files named by hash", () => {
  it("an upload sent in parts, with an offset to resume from, becomes a stored file a submission names by hash", async () => {
    const server = await startTestServer();
    const options = await server.request("/api/upload", { method: "OPTIONS" });
    expect(options.status).toBe(204);
    expect(Object.fromEntries(["tus-version", "tus-extension", "tus-checksum-algorithm"].map((name) => [name, options.headers.get(name)]))).toEqual({
      "tus-version": "1.0.0",
      "tus-extension": "creation,expiration,checksum,termination",
      "tus-checksum-algorithm": "sha1,sha256,md5",
    });
    const content = randomBytes(300_000);
    const hash = sha256(content);
    const url = await createUpload(server, content.length, { filename: "reads.fq", sha256: hash });
    expect(await offsetOf(server, url)).toBe(0);

    const first = await patch(server, url, 0, content.subarray(0, 100_000));
    expect(first.status).toBe(204);
    expect(first.headers.get("upload-offset")).toBe("100000");
    expect(await offsetOf(server, url)).toBe(100_000);
    // A wrong offset is refused with the right one, and nothing is written.
    const wrong = await patch(server, url, 5, content.subarray(5));
    await expectError(wrong, 409, "offset_mismatch");
    expect(wrong.headers.get("upload-offset")).toBe("100000");
    // A part whose checksum does not match is not kept.
    const bad = await patch(server, url, 100_000, content.subarray(100_000, 200_000), { "Upload-Checksum": `sha1 ${createHash("sha1").update("other").digest("base64")}` });
    await expectError(bad, 460, "checksum_mismatch");
    expect(await offsetOf(server, url)).toBe(100_000);
    const checked = await patch(server, url, 100_000, content.subarray(100_000, 200_000), { "Upload-Checksum": `sha256 ${createHash("sha256").update(content.subarray(100_000, 200_000)).digest("base64")}` });
    expect(checked.status).toBe(204);
    const last = await patch(server, url, 200_000, content.subarray(200_000));
    expect(last.status).toBe(204);
    expect(last.headers.get("x-cubqueue-sha256")).toBe(hash);
    expect(await (await server.request(url)).json()).toMatchObject({ complete: true, sha256: hash, offset: content.length, length: content.length, filename: "reads.fq" });
    expect(await (await server.request(`/api/blob/${hash}`)).json()).toMatchObject({ sha256: hash, size: content.length });
    expect((await server.request(`/api/blob/${hash}`, { method: "HEAD" })).status).toBe(200);

    await registerScript(server, "print_input", "print_input.sh", PRINT_INPUT);
    const { task_id } = await submitOk(server, "print_input", { args: { input: "<file1>" }, fields: { file1_sha256: hash, file1_name: "reads.fq" } });
    const task = await waitFinished(server, task_id);
    expect(task).toMatchObject({ status: "succeeded", files: [expect.objectContaining({ name: "reads.fq", size: content.length, sha256: hash })] });
    expect(task.files[0].stored_name).toMatch(/\.fq$/);
    expect(await readTaskLog(server.baseDir, task_id)).toContain(hash);
  });

  it("refuses what is not the protocol, or not the file, and keeps nothing of it", async () => {
    const server = await startTestServer({ maxUploadSize: "1M" });
    await expectError(await server.request("/api/upload", { method: "POST", headers: { "Upload-Length": "10" } }), 412, "tus_version_unsupported");
    await expectError(await server.request("/api/upload", { method: "POST", headers: { ...TUS, "Upload-Length": String(2 * 1024 * 1024) } }), 413, "payload_too_large");
    await expectError(await server.request("/api/upload", { method: "POST", headers: { ...TUS, "Upload-Length": "-1" } }), 400, "invalid_request");
    await expectError(await server.request("/api/upload", { method: "POST", headers: { ...TUS, "Upload-Length": "10", "Upload-Metadata": `sha256 ${b64("abc")}` } }), 400, "invalid_metadata");

    const content = randomBytes(1000);
    const url = await createUpload(server, content.length, { sha256: sha256(randomBytes(10)) });
    await expectError(await server.request(url, { method: "PATCH", headers: { ...TUS, "Upload-Offset": "0", "Content-Type": "application/octet-stream" }, body: content }), 415, "unsupported_content_type");
    await expectError(await patch(server, url, 0, content, { "Upload-Checksum": "crc32 AAAA" }), 400, "checksum_algorithm_unsupported");
    await expectError(await patch(server, url, 0, Buffer.concat([content, Buffer.from("more")])), 400, "upload_too_long");
    // The whole file, but not the content it declared: nothing is kept, and the upload is over.
    const offset = await offsetOf(server, url);
    await expectError(await patch(server, url, offset, content.subarray(offset)), 400, "hash_mismatch");
    expect((await server.request(url, { method: "HEAD", headers: TUS })).status).toBe(410);
    expect(await readdir(join(server.baseDir, "cubqueue.uploads"))).toEqual([]);
    expect(await readdir(join(server.baseDir, "blobs"))).toEqual([]);

    const unknown = "/api/upload/00000000-0000-4000-8000-000000000000";
    expect((await server.request(unknown, { method: "HEAD", headers: TUS })).status).toBe(404);
    await expectError(await patch(server, unknown, 0, content), 404, "upload_not_found");
    await expectError(await server.request("/api/blob/not-a-hash"), 400, "invalid_request");
    await expectError(await server.request(`/api/blob/${sha256(content)}`), 404, "blob_not_found");

    // Given up (termination): its bytes go.
    const given = await createUpload(server, 100);
    await patch(server, given, 0, randomBytes(40));
    expect((await server.request(given, { method: "DELETE", headers: TUS })).status).toBe(204);
    expect((await server.request(given, { method: "HEAD", headers: TUS })).status).toBe(404);
    expect(await readdir(join(server.baseDir, "cubqueue.uploads"))).toEqual([]);
  });

  it("a submission naming content the server does not have, or a file twice, is refused and leaves nothing", async () => {
    const server = await startTestServer();
    await registerScript(server, "print_input", "print_input.sh", PRINT_INPUT);
    const missing = sha256(randomBytes(8));
    const refused = await submit(server, "print_input", { args: { input: "<file1>" }, fields: { file1_sha256: missing } });
    await expectError(refused, 400, "blob_not_found");
    expect((await (await server.request(`/api/task`)).json()).tasks).toEqual([]);
    await expectError(await submit(server, "print_input", { args: { input: "<file1>" }, fields: { file1_sha256: "xyz" } }), 400, "invalid_field");
    await expectError(await submit(server, "print_input", { args: {}, fields: { file2_name: "a.txt" } }), 400, "unexpected_field");
    const both = await submit(server, "print_input", { args: { input: "<file1>" }, files: [{ name: "a.txt", content: "a" }], fields: { file1_sha256: sha256(Buffer.from("a")) } });
    await expectError(both, 400, "duplicate_field");
    expect(await readdir(join(server.baseDir, "tasks"))).toEqual([]);
    expect(await readdir(join(server.baseDir, "blobs"))).toEqual([]);
  });

  it("two clients uploading the same file at once: one stored file, and both tasks work", async () => {
    const server = await startTestServer();
    await registerScript(server, "print_input", "print_input.sh", PRINT_INPUT);
    const content = randomBytes(2 * 1024 * 1024);
    const hash = sha256(content);
    const [one, two] = await Promise.all([createUpload(server, content.length, { sha256: hash }), createUpload(server, content.length, { sha256: hash })]);
    const answers = await Promise.all([patch(server, one, 0, content), patch(server, two, 0, content)]);
    expect(answers.map((answer) => answer.status)).toEqual([204, 204]);
    const tasks = await Promise.all(
      [0, 1].map(async () => (await submitOk(server, "print_input", { args: { input: "<file1>" }, fields: { file1_sha256: hash, file1_name: "x.bin" } })).task_id),
    );
    for (const id of tasks) {
      expect(await waitFinished(server, id)).toMatchObject({ status: "succeeded" });
      expect(await readTaskLog(server.baseDir, id)).toContain(hash);
    }
    const blob = join(server.baseDir, "blobs", hash.slice(0, 2), hash);
    expect((await stat(blob)).nlink).toBe(3);
    expect((await stat(blob)).mode & 0o777).toBe(0o400);
    // A plain upload of the same content is stored once too.
    const plain = await submitOk(server, "print_input", { args: { input: "<file1>" }, files: [{ name: "x.bin", content }] });
    expect(await waitFinished(server, plain.task_id)).toMatchObject({ status: "succeeded" });
    expect((await stat(blob)).nlink).toBe(4);
  });

  it("an upload abandoned past --upload-expiry is gone (410) and its bytes removed", async () => {
    const server = await startTestServer({ uploadExpiryMs: 1500 });
    const url = await createUpload(server, 1000);
    await patch(server, url, 0, randomBytes(400));
    expect(await readdir(join(server.baseDir, "cubqueue.uploads"))).toHaveLength(1);
    // The sweep removes the bytes without anyone asking.
    await waitUntil(async () => (await readdir(join(server.baseDir, "cubqueue.uploads"))).length === 0, 10_000);
    expect((await server.request(url, { method: "HEAD", headers: TUS })).status).toBe(410);
    await expectError(await patch(server, url, 400, randomBytes(600)), 410, "upload_expired");
  });
});
