import { spawn } from "node:child_process";
import { readFile, stat, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { closedPort, runCubqueue } from "../support/cli.ts";
import { cubqueueCommand, PROCESS_RUNTIME } from "../support/runtime.ts";
import { makeTempDir } from "../support/temp-dir.ts";

const MiB = 1024 * 1024;
/** 512 MiB; CUBQUEUE_TEST_STREAM_MIB=1024 measures a 1 GiB file. */
const FILE_SIZE = Number(process.env.CUBQUEUE_TEST_STREAM_MIB ?? 512) * MiB;

/**
 * How much a server may grow while a file streams through it. Deno's heap
 * settles higher than Node's during the first large upload (about +140 MiB
 * for 512 MiB and for 1 GiB alike, and no further for 2 GiB after that), so
 * it gets more room; still far below what buffering a file would take.
 */
const SERVER_GROWTH_BOUND = (PROCESS_RUNTIME === "deno" ? 192 : 128) * MiB;

async function residentBytes(pid: number): Promise<number | undefined> {
  const status = await readFile(`/proc/${pid}/status`, "utf8").catch(() => undefined);
  const kb = status?.match(/VmRSS:\s+(\d+) kB/)?.[1];
  return kb === undefined ? undefined : Number(kb) * 1024;
}

/** Runs the CLI while sampling its and the server's memory; returns the server's first sample and peak, and the CLI's peak. */
async function measure(args: string[], serverPid: number) {
  const { command, args: argv } = cubqueueCommand(args);
  const child = spawn(command, argv, { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk) => (stderr += chunk));
  const serverStart = (await residentBytes(serverPid))!;
  let serverPeak = serverStart;
  let clientPeak = 0;
  const exit = new Promise<number | null>((resolve) => child.on("close", resolve));
  let done = false;
  void exit.then(() => (done = true));
  while (!done) {
    serverPeak = Math.max(serverPeak, (await residentBytes(serverPid)) ?? 0);
    clientPeak = Math.max(clientPeak, (await residentBytes(child.pid!)) ?? 0);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  expect(await exit, stderr).toBe(0);
  return { serverStart, serverPeak, serverGrowth: serverPeak - serverStart, clientPeak };
}

describe("large files are streamed", () => {
  it(`a ${FILE_SIZE / MiB} MiB upload and download keep the server's and the CLI's memory flat (${PROCESS_RUNTIME})`, async () => {
    const work = await makeTempDir();
    const baseDir = join(work.path, "base");
    onTestFinished(async () => {
      await runCubqueue(["stop", "--base-dir", baseDir]);
      await work.remove();
    });
    const started = await runCubqueue(["start", "--base-dir", baseDir, "--port", String(await closedPort()), "--daemon", "--json"]);
    expect(started.code, started.stderr).toBe(0);
    const { pid: serverPid, url } = JSON.parse(started.stdout);

    await writeFile(join(work.path, "copy.sh"), 'cp "$(sed -n \'s/.*"input": *"\\([^"]*\\)".*/\\1/p\' "$1")" "$CUBQUEUE_OUTPUT_DIR/copy.bin"\n');
    await writeFile(join(work.path, "args.json"), JSON.stringify({ input: "<file1>" }));
    await writeFile(join(work.path, "big.bin"), "");
    await truncate(join(work.path, "big.bin"), FILE_SIZE);
    expect((await runCubqueue(["register", "--url", url, "--script", join(work.path, "copy.sh"), "--name", "copy"])).code).toBe(0);

    const upload = await measure(
      ["submit", "--url", url, "--script", "copy", "--arg-file", join(work.path, "args.json"), "--large-files", join(work.path, "big.bin"), "--quiet"],
      serverPid,
    );
    const taskId = (await runCubqueue(["list", "--url", url, "--json"])).stdout.match(/"task_id": "([^"]+)"/)![1]!;
    expect((await runCubqueue(["wait", "--url", url, "--task-id", taskId, "--timeout", "120"])).code).toBe(0);
    const download = await measure(
      ["download", "--url", url, "--task-id", taskId, "--result", "--format", "tar", "--output-dir", join(work.path, "out")],
      serverPid,
    );
    expect((await stat(join(work.path, "out", "copy.bin"))).size).toBe(FILE_SIZE);

    const mib = (bytes: number) => Math.round(bytes / MiB);
    console.log(
      `${PROCESS_RUNTIME} server and CLI, ${mib(FILE_SIZE)} MiB upload: server RSS ${mib(upload.serverStart)} → peak ${mib(upload.serverPeak)} MiB, CLI peak ${mib(upload.clientPeak)} MiB; ` +
        `download: server RSS ${mib(download.serverStart)} → peak ${mib(download.serverPeak)} MiB, CLI peak ${mib(download.clientPeak)} MiB`,
    );
    // Bounds far below the file size: buffering the file anywhere would blow through them.
    expect(upload.serverGrowth).toBeLessThan(SERVER_GROWTH_BOUND);
    expect(download.serverGrowth).toBeLessThan(SERVER_GROWTH_BOUND);
    expect(upload.clientPeak).toBeLessThan(256 * MiB);
    expect(download.clientPeak).toBeLessThan(256 * MiB);
  }, 180_000);
});
