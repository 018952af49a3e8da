import { createHash, randomBytes } from "node:crypto";
import { appendFile, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { CubQueueClient, type UploadProgress } from "../../src/client/index.ts";
import { registerScript, waitFinished } from "../support/api.ts";
import { makeTempDir } from "../support/temp-dir.ts";
import { startTestServer } from "../support/test-server.ts";

const MIB = 1024 * 1024;

async function uploadedBytes(client: CubQueueClient): Promise<number> {
  return Number(/^cubqueue_uploaded_bytes_total (\d+)$/m.exec(await client.metrics())![1]);
}

describe("the SDK's large files: once per content, by hash, resumable", () => {
  it("uploadFile sends a file once; a file hashed before is not read again until it changes; submissions name it by hash", async () => {
    const server = await startTestServer();
    const work = await makeTempDir();
    onTestFinished(work.remove);
    const client = new CubQueueClient(server.url, { cacheDir: join(work.path, "cache"), resumableFromBytes: MIB });
    await registerScript(server, "noop", "noop.sh", "#!/bin/sh\ntrue\n");
    const content = randomBytes(3 * MIB);
    const path = join(work.path, "sample.fq");
    await writeFile(path, content);
    const sha256 = createHash("sha256").update(content).digest("hex");
    expect(await client.hasBlob(sha256)).toBe(false);

    const phases: string[] = [];
    const record = (each: UploadProgress) => phases.push(each.phase ?? "form");
    expect(await client.uploadFile(path, { onProgress: record })).toEqual({ sha256, size: content.length, reused: false });
    expect(new Set(phases)).toEqual(new Set(["hashing", "uploading"]));
    expect(await client.hasBlob(sha256)).toBe(true);

    phases.length = 0;
    const before = await uploadedBytes(client);
    expect(await client.uploadFile(path, { onProgress: record })).toEqual({ sha256, size: content.length, reused: true });
    // Neither read (its hash is remembered) nor sent.
    expect(phases).toEqual([]);
    const argFile = join(work.path, "args.json");
    await writeFile(argFile, '{"input": "<file1>"}');
    const array = await client.submitArray("noop", [argFile, argFile], [path]);
    for (const id of array.task_ids) expect(await waitFinished(server, id)).toMatchObject({ status: "succeeded", files: [expect.objectContaining({ sha256, name: "sample.fq" })] });
    expect((await uploadedBytes(client)) - before).toBe(2 * '{"input": "<file1>"}'.length);

    // Changed, it is hashed again, and is new content to the server.
    await appendFile(path, "more");
    phases.length = 0;
    const changed = await client.uploadFile(path, { onProgress: record });
    expect(changed).toMatchObject({ size: content.length + 4, reused: false });
    expect(changed.sha256).not.toBe(sha256);
    expect(phases[0]).toBe("hashing");
    expect(await readdir(join(work.path, "cache", "uploads")).catch(() => [])).toEqual([]);
  });
});
