import { createHash } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CubQueueApiError, CubQueueClient, CubQueueConnectionError, type UploadProgress } from "../../src/client/index.ts";
import { FIXTURES } from "../support/api.ts";
import { closedPort } from "../support/cli.ts";
import { makeTempDir } from "../support/temp-dir.ts";
import { startTestServer } from "../support/test-server.ts";

describe("CubQueueClient against a live server", () => {
  it("offers the spec's ten methods, streaming files both ways", async () => {
    const server = await startTestServer();
    const work = await makeTempDir();
    try {
      const client = new CubQueueClient(server.url);
      const script = await client.register("echo_args", "Echoes", join(FIXTURES, "echo_args.py"));
      expect(script).toMatchObject({ name: "echo_args", filename: "echo_args.py" });
      expect((await client.listScripts()).map((s) => s.name)).toEqual(["echo_args"]);

      const big = Buffer.alloc(8 * 1024 * 1024 + 123, 7);
      await writeFile(join(work.path, "big.bin"), big);
      const args = JSON.stringify({ inputs: ["<file1>"], label: "sdk" });
      await writeFile(join(work.path, "args.json"), args);
      const progress: UploadProgress[] = [];
      const taskId = await client.submitTask("echo_args", join(work.path, "args.json"), [join(work.path, "big.bin")], {
        onProgress: (each) => progress.push(each),
      });
      // The large file is hashed, then sent on its own (resumably) to its last byte; then the form, with the argument file.
      expect(progress.filter((each) => each.phase === "hashing").at(-1)).toMatchObject({ sent: big.length, total: big.length });
      expect(progress.filter((each) => each.phase === "uploading").at(-1)).toMatchObject({ sent: big.length, total: big.length });
      expect(progress.at(-1)).toEqual({ sent: args.length, total: args.length, file: join(work.path, "args.json") });

      const finished = await client.waitForTask(taskId, { timeoutMs: 20_000 });
      expect(finished).toMatchObject({ status: "succeeded", exit_code: 0 });
      expect(finished.files[0]).toMatchObject({ size: big.length, sha256: createHash("sha256").update(big).digest("hex") });
      expect((await client.listTasks()).map((task) => task.task_id)).toEqual([taskId]);
      expect((await client.getTaskStatus(taskId)).status).toBe("succeeded");
      expect(await client.getTaskLog(taskId, 1)).toBe("to stderr\n");

      let received = 0;
      const result = await client.downloadTaskResult(taskId, join(work.path, "result"), { onProgress: (bytes) => (received = bytes) });
      expect(result.files).toBe(2);
      expect(received).toBeGreaterThan(0);
      expect((await readFile(join(work.path, "result", "copy1.dat"))).equals(big)).toBe(true);
      await client.downloadTaskMetadata(taskId, join(work.path, "meta"), { format: "tar" });
      expect(await readFile(join(work.path, "meta", "nested", "note.txt"), "utf8")).toBe("intermediate\n");

      const error = await client.cancelTask(taskId).catch((caught) => caught);
      expect(error).toBeInstanceOf(CubQueueApiError);
      expect(error).toMatchObject({ status: 409, code: "task_finished" });
    } finally {
      await work.remove();
    }
  });

  it("throws CubQueueApiError with the server's code, and CubQueueConnectionError naming the URL", async () => {
    const server = await startTestServer();
    const client = new CubQueueClient(server.url);
    await expect(client.getTaskStatus("00000000-0000-4000-8000-000000000000")).rejects.toMatchObject({
      name: "CubQueueApiError",
      status: 404,
      code: "task_not_found",
    });
    const url = `http://127.0.0.1:${await closedPort()}`;
    const offline = await new CubQueueClient(url).listScripts().catch((caught) => caught);
    expect(offline).toBeInstanceOf(CubQueueConnectionError);
    expect(offline.message).toContain(url);
  });
});
