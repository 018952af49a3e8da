import { readFile, stat, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { makeTempDir } from "../support/temp-dir.ts";
import { startTestServer } from "../support/test-server.ts";
import { spawnPython, SKIP } from "./python.ts";

const MiB = 1024 * 1024;
/** 256 MiB, four times the bound below; CUBQUEUE_TEST_STREAM_MIB=1024 measures a 1 GiB file. */
const FILE_SIZE = Number(process.env.CUBQUEUE_TEST_STREAM_MIB ?? 256) * MiB;
/** Far below the file: a client that buffered it anywhere would pass it. */
const PYTHON_PEAK_BOUND = 64 * MiB;

const PROGRAM = `
import json, sys
from cubqueue.client import CubQueueClient
url, work = sys.argv[1:3]
client = CubQueueClient(url)
client.register("copy", "Copies its input", work + "/copy.sh")
task_id = client.submit_task("copy", work + "/args.json", [work + "/big.bin"])
print("uploaded", flush=True)
client.wait_for_task(task_id, timeout=120)
print(json.dumps(client.download_task_result(task_id, work + "/out", format="tar")), flush=True)
`;

async function residentBytes(pid: number): Promise<number | undefined> {
  const status = await readFile(`/proc/${pid}/status`, "utf8").catch(() => undefined);
  const kb = status?.match(/VmRSS:\s+(\d+) kB/)?.[1];
  return kb === undefined ? undefined : Number(kb) * 1024;
}

describe.skipIf(SKIP)("the Python client streams large files", () => {
  it(`a ${FILE_SIZE / MiB} MiB upload and download keep the Python process's memory flat`, async () => {
    const server = await startTestServer();
    const work = await makeTempDir();
    onTestFinished(work.remove);
    await writeFile(join(work.path, "copy.sh"), 'cp "$(sed -n \'s/.*"input": *"\\([^"]*\\)".*/\\1/p\' "$1")" "$CUBQUEUE_OUTPUT_DIR/copy.bin"\n');
    await writeFile(join(work.path, "args.json"), JSON.stringify({ input: "<file1>" }));
    await writeFile(join(work.path, "big.bin"), "");
    await truncate(join(work.path, "big.bin"), FILE_SIZE);

    // The file goes resumably (it is large): its resume record in the test's folder, not in ~/.cache.
    const child = spawnPython(["-c", PROGRAM, server.url, work.path], { XDG_CACHE_HOME: join(work.path, "cache") });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    let done = false;
    void exited.then(() => (done = true));
    const peaks = { upload: 0, download: 0 };
    while (!done) {
      const rss = (await residentBytes(child.pid!)) ?? 0;
      const phase = stdout.includes("uploaded") ? "download" : "upload";
      peaks[phase] = Math.max(peaks[phase], rss);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(await exited, stderr).toBe(0);
    expect(JSON.parse(stdout.trim().split("\n").at(-1)!)).toMatchObject({ files: 1, bytes: FILE_SIZE });
    expect((await stat(join(work.path, "out", "copy.bin"))).size).toBe(FILE_SIZE);
    const mib = (bytes: number) => Math.round(bytes / MiB);
    console.log(`Python client, ${mib(FILE_SIZE)} MiB: peak RSS ${mib(peaks.upload)} MiB while uploading, ${mib(peaks.download)} MiB while downloading`);
    expect(peaks.upload).toBeGreaterThan(0);
    expect(peaks.upload).toBeLessThan(PYTHON_PEAK_BOUND);
    expect(peaks.download).toBeLessThan(PYTHON_PEAK_BOUND);
  }, 180_000);
});
