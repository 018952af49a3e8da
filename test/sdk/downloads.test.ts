import { createServer } from "node:http";
import { mkdir, readFile, readdir, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { CubQueueClient, CubQueueFileExistsError, CubQueueTimeoutError, type DownloadProgress } from "../../src/client/index.ts";
import { registerScript, submitOk, waitFinished } from "../support/api.ts";
import { makeTempDir } from "../support/temp-dir.ts";
import { startTestServer } from "../support/test-server.ts";

/** A script whose output/ holds a 3 MiB file, a nested one, and a note. */
const WRITER = `#!/bin/sh
head -c 3145728 /dev/zero > "$CUBQUEUE_OUTPUT_DIR/big.bin"
mkdir -p "$CUBQUEUE_OUTPUT_DIR/nested"
echo new > "$CUBQUEUE_OUTPUT_DIR/nested/note.txt"
echo result > "$CUBQUEUE_OUTPUT_DIR/result.txt"
`;
const UNPACKED_SIZE = 3145728 + "new\n".length + "result\n".length;

async function finishedTask() {
  const server = await startTestServer();
  await registerScript(server, "writer", "writer.sh", WRITER);
  const { task_id } = await submitOk(server, "writer", { args: {} });
  expect((await waitFinished(server, task_id)).status).toBe("succeeded");
  const work = await makeTempDir();
  onTestFinished(work.remove);
  return { server, taskId: task_id, work: work.path, client: new CubQueueClient(server.url) };
}

/** Everything in a folder, relative paths, sorted. */
async function tree(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true })).sort();
}

describe("downloads", () => {
  it.each(["tar.gz", "tar", "zip"] as const)("in %s: progress counts what is unpacked against the size the server announces, to the last byte", async (format) => {
    const { taskId, work, client } = await finishedTask();
    const seen: DownloadProgress[] = [];
    const result = await client.downloadTaskResult(taskId, join(work, "out"), { format, onProgress: (_received, progress) => seen.push(progress) });
    expect(result).toMatchObject({ files: 3, bytes: UNPACKED_SIZE });
    expect(await tree(join(work, "out"))).toEqual(["big.bin", "nested", "nested/note.txt", "result.txt"]);
    expect(await readFile(join(work, "out", "nested", "note.txt"), "utf8")).toBe("new\n");
    expect(seen.every((progress) => progress.total === UNPACKED_SIZE)).toBe(true);
    expect(seen.at(-1)).toMatchObject({ written: UNPACKED_SIZE, total: UNPACKED_SIZE });
    expect(seen.at(-1)!.received).toBeGreaterThan(0);
    expect(seen.map((progress) => progress.written)).toEqual([...seen.map((progress) => progress.written)].sort((a, b) => a - b));
  });

  it("refuses to replace a file of the same name, naming it, and writes nothing; overwrite replaces files but never a folder", async () => {
    const { taskId, work, client } = await finishedTask();
    const out = join(work, "out");
    await mkdir(join(out, "nested"), { recursive: true });
    await writeFile(join(out, "nested", "note.txt"), "mine\n");
    await writeFile(join(out, "keep.txt"), "untouched\n");

    const refused = await client.downloadTaskResult(taskId, out).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(CubQueueFileExistsError);
    expect(refused).toMatchObject({ path: join(out, "nested", "note.txt"), count: 1, overwritable: true });
    // Nothing of the download arrived, not even the files that clashed with nothing; no staging folder is left.
    expect(await tree(out)).toEqual(["keep.txt", "nested", "nested/note.txt"]);
    expect(await readFile(join(out, "nested", "note.txt"), "utf8")).toBe("mine\n");

    await client.downloadTaskResult(taskId, out, { overwrite: true, format: "zip" });
    expect(await tree(out)).toEqual(["big.bin", "keep.txt", "nested", "nested/note.txt", "result.txt"]);
    expect(await readFile(join(out, "nested", "note.txt"), "utf8")).toBe("new\n");

    // A folder, or a link, where the download has a file or a folder is in the way whatever overwrite says.
    const other = join(work, "other");
    await mkdir(join(other, "result.txt"), { recursive: true });
    await mkdir(join(work, "elsewhere"));
    await symlink(join(work, "elsewhere"), join(other, "nested"));
    const blocked = await client.downloadTaskResult(taskId, other, { overwrite: true }).catch((error: unknown) => error);
    expect(blocked).toBeInstanceOf(CubQueueFileExistsError);
    expect(blocked).toMatchObject({ count: 2, overwritable: false });
    expect(await tree(other)).toEqual(["nested", "result.txt"]);
    expect(await readdir(join(work, "elsewhere"))).toEqual([]);
  });

  it("a failed download leaves the output folder as it was", async () => {
    const { taskId, work, client } = await finishedTask();
    const out = join(work, "out");
    await mkdir(out);
    // The server stops partway: the archive is cut short.
    let served = 0;
    const cutting = new CubQueueClient(client.baseUrl, {
      fetch: async (input, init) => {
        const response = await fetch(input, init);
        if (!response.body || !new URL(response.url).pathname.endsWith("/result")) return response;
        const reader = response.body.getReader();
        const body = new ReadableStream<Uint8Array>({
          async pull(controller) {
            const { value, done } = await reader.read();
            if (done || served > 1024 * 1024) {
              await reader.cancel();
              return controller.error(new Error("connection lost"));
            }
            served += value.byteLength;
            controller.enqueue(value);
          },
        });
        return new Response(body, { status: response.status, headers: response.headers });
      },
    });
    await expect(cutting.downloadTaskResult(taskId, out, { format: "tar" })).rejects.toThrow();
    expect(served).toBeGreaterThan(0);
    expect(await readdir(out)).toEqual([]);
  });
});

describe("the client's other guards", () => {
  it("a submission with large files to an unknown script fails before any byte of them is sent", async () => {
    const server = await startTestServer();
    const work = await makeTempDir();
    onTestFinished(work.remove);
    await writeFile(join(work.path, "args.json"), "{}");
    await writeFile(join(work.path, "big.bin"), "x");
    let uploads = 0;
    const client = new CubQueueClient(server.url, {
      fetch: async (input, init) => {
        if (init?.method === "POST") uploads++;
        return fetch(input, init);
      },
    });
    const error = await client.submitTask("missing_script", join(work.path, "args.json"), [join(work.path, "big.bin")]).catch((caught) => caught);
    expect(error).toMatchObject({ name: "CubQueueApiError", status: 404, code: "script_not_found" });
    expect(uploads).toBe(0);
  });

  it("names an answer that is not CubQueue's in one line", async () => {
    const page = createServer((_request, response) => {
      response.writeHead(404, { "Content-Type": "text/html" });
      response.end("<!doctype html>\n<html><body><h1>Not Found</h1>\n<p>nginx</p></body></html>\n");
    });
    await new Promise<void>((resolve) => page.listen(0, "127.0.0.1", resolve));
    onTestFinished(() => new Promise<void>((resolve) => page.close(() => resolve())));
    const url = `http://127.0.0.1:${(page.address() as { port: number }).port}`;
    const error = await new CubQueueClient(url).listScripts().catch((caught) => caught);
    expect(error).toMatchObject({ name: "CubQueueApiError", status: 404, code: "unexpected_response" });
    expect(error.message).toBe(`The server at ${url} answered 404 Not Found with text/html, not CubQueue's JSON: is that the address of a CubQueue server?`);

    // A success that is not JSON is not CubQueue's either.
    const plain = createServer((_request, response) => {
      response.writeHead(200, { "Content-Type": "text/plain" });
      response.end("hello\n");
    });
    await new Promise<void>((resolve) => plain.listen(0, "127.0.0.1", resolve));
    onTestFinished(() => new Promise<void>((resolve) => plain.close(() => resolve())));
    const plainUrl = `http://127.0.0.1:${(plain.address() as { port: number }).port}`;
    expect(await new CubQueueClient(plainUrl).listScripts().catch((caught) => caught)).toMatchObject({ name: "CubQueueApiError", code: "unexpected_response" });
  });

  it("waitForTask gives up after its timeout with CubQueueTimeoutError", async () => {
    const server = await startTestServer();
    await registerScript(server, "slow", "slow.sh", "#!/bin/sh\nsleep 30\n");
    const { task_id } = await submitOk(server, "slow", { args: {} });
    const error = await new CubQueueClient(server.url).waitForTask(task_id, { timeoutMs: 300 }).catch((caught) => caught);
    expect(error).toBeInstanceOf(CubQueueTimeoutError);
    expect(error.message).toMatch(new RegExp(`^Task ${task_id} is still (queued|running) after 300 ms\\.$`));
  });
});
