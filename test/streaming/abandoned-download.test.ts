import { readdir, readlink } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { registerScript, submitOk, waitFinished, waitUntil } from "../support/api.ts";
import { SERVER_MODE } from "../support/runtime.ts";
import { startTestServer } from "../support/test-server.ts";

/** The files under `dir` that a process holds open, from /proc (Linux). */
async function openFilesUnder(pid: number, dir: string): Promise<string[]> {
  const fds = await readdir(`/proc/${pid}/fd`).catch(() => []);
  const targets = await Promise.all(fds.map((fd) => readlink(`/proc/${pid}/fd/${fd}`).catch(() => "")));
  return targets.filter((target) => target.startsWith(dir));
}

describe("a download the client abandons", () => {
  it(`releases the files the server opened for it (${SERVER_MODE} server)`, async (context) => {
    const server = await startTestServer();
    const procFs = await readdir(`/proc/${server.pid}/fd`).catch(() => undefined);
    context.skip(!procFs, "needs /proc to see a process's open files");

    // Sparse 256 MiB outputs: far more than socket buffers hold, so the server is mid-file when the client stops reading.
    await registerScript(server, "big_output", "big_output.sh", 'truncate -s 256M "$CUBQUEUE_OUTPUT_DIR/a.bin" "$CUBQUEUE_OUTPUT_DIR/b.bin"\n');
    const { task_id: taskId } = await submitOk(server, "big_output", { args: {} });
    expect(await waitFinished(server, taskId)).toMatchObject({ status: "succeeded" });
    const taskDir = join(server.baseDir, "tasks", taskId);

    // Uncompressed formats: gzip would shrink the zeros to almost nothing and finish before the client stalls.
    for (const format of ["tar", "zip"]) {
      const abort = new AbortController();
      const response = await server.request(`/api/task/${taskId}/result?format=${format}`, { signal: abort.signal });
      expect(response.status).toBe(200);
      const reader = response.body!.getReader();
      await reader.read();
      // The server holds an output file open while the client still reads…
      let held: string[] = [];
      await waitUntil(async () => (held = await openFilesUnder(server.pid, taskDir)).length > 0);
      // …and lets go of it once the client goes away.
      abort.abort();
      await reader.cancel().catch(() => {});
      await waitUntil(async () => (await openFilesUnder(server.pid, taskDir)).length === 0, 10_000);
      console.log(`${SERVER_MODE} server, abandoned ${format} download: ${held.length} file(s) of the task open while streaming, none after`);
    }
    expect(server.loggedErrors).toEqual([]);
  });
});
