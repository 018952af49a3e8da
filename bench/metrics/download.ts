import { join } from "node:path";
import { drain } from "../support/api.ts";
import { curlDrain, findCurl } from "../support/curl.ts";
import type { Metric } from "../support/context.ts";
import { MiB, writeDataFile } from "../support/files.ts";
import { ratioOf, type Row } from "../support/rows.ts";
import { finishedNoopTask, registerNoop } from "../support/scripts.ts";
import { sh } from "../support/shell.ts";
import { fastestOf, mbPerSecond } from "../support/timing.ts";

/** Runs of each plain-tar transfer; the fastest counts (the machine may be shared). */
const ROUNDS = 3;

/**
 * A task's output folder downloaded over HTTP and discarded, as tar and as the
 * default tar.gz, against GNU tar reading the same folder. `tar -c -f /dev/null`
 * would let GNU tar skip reading file data, so the reference pipes through cat.
 */
export const download: Metric = {
  name: "result download",
  timeLimitMs: { full: 150_000, quick: 30_000 },
  async run(context) {
    const { downloadBytes: bytes, downloadFiles: files } = context.sizes;
    const label = bytes >= 1024 * MiB ? `${bytes / (1024 * MiB)} GiB` : `${bytes / MiB} MiB`;
    const server = await context.startServer({ concurrency: 2 });
    await registerNoop(server.url, context.dir);
    const { taskId, taskDir } = await finishedNoopTask(server.url, server.baseDir);
    const output = join(taskDir, "output");
    context.log(`writing ${files} files, ${label}, into the output folder`);
    for (let i = 0; i < files; i++) await writeDataFile(join(output, `part-${String(i).padStart(3, "0")}.bin`), Math.floor(bytes / files));

    const timeoutMs = 120_000;
    const curl = await findCurl();
    const get = (url: string) => (curl ? curlDrain(curl, url, timeoutMs) : drain(url));
    const client = curl ? "curl -o /dev/null" : "node:http (curl not installed)";
    // Untimed: the folder just written, and what the rows before this one wrote, go to disk
    // now, not while a transfer is timed. Reading from the page cache stays as fast, but the
    // kernel's writeback takes the CPU the transfer needs (this row fell to a third when the
    // upload rows' writeback came due during its CubQueue runs).
    const settle = () => sh("sync", { timeoutMs });
    context.log("tar -c | cat");
    const tar = await fastestOf(ROUNDS, () => sh(`tar -c -f - -C ${output} . | cat > /dev/null`, { timeoutMs }), settle);
    context.log("GET ?format=tar");
    const plain = await fastestOf(ROUNDS, () => get(`${server.url}/api/task/${taskId}/result?format=tar`), settle);
    context.log("tar -c | gzip -1 | cat");
    const tarGzip = await fastestOf(1, () => sh(`tar -c -f - -C ${output} . | gzip -1 | cat > /dev/null`, { timeoutMs }), settle);
    context.log("GET (default tar.gz)");
    const gzipped = await fastestOf(1, () => get(`${server.url}/api/task/${taskId}/result`), settle);

    const row = (metric: string, ms: number, reference: string, referenceMs: number, target: string, met: boolean | null, notes: string): Row => {
      const value = mbPerSecond(bytes, ms);
      const referenceValue = mbPerSecond(bytes, referenceMs);
      return { metric, value, unit: "MB/s", reference, referenceValue, ratio: ratioOf(value, referenceValue, "higher-is-better"), target, met, notes };
    };
    const tarRatio = plain.ms > 0 ? tar.ms / plain.ms : 0;
    return [
      row(`result download ${label}, format=tar`, plain.ms, "`tar -c -f - dir | cat > /dev/null`", tar.ms, "≥ 0.8× tar -c", tarRatio >= 0.8,
        `${files} files of incompressible data in the page cache, fastest of ${ROUNDS} runs each, a sync before each (untimed); HTTP GET read to the end by ${client} (${(plain.value / 1e6).toFixed(0)} MB); tar piped through cat so it must read the data`),
      row(`result download ${label}, default (tar.gz)`, gzipped.ms, "`tar -c -f - dir | gzip -1 | cat > /dev/null`", tarGzip.ms, "— (gzip-bound)", null,
        `the server compresses at zlib level 1; the data is incompressible, the worst case for gzip (${(gzipped.value / 1e6).toFixed(0)} MB sent); vs plain \`tar -c\`: ${(tar.ms / gzipped.ms).toFixed(2)}×`),
    ];
  },
};
