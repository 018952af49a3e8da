import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Metric } from "../support/context.ts";
import { writeDataFile, MiB } from "../support/files.ts";
import { peakRssDuring } from "../support/proc.ts";
import { curlPut, findCurl } from "../support/curl.ts";
import { putFile, startMinimalReceiver } from "../support/put-file.ts";
import { ratioOf } from "../support/rows.ts";
import { registerNoop } from "../support/scripts.ts";
import { CLI_ENTRY } from "../support/server.ts";
import { runOk, sh } from "../support/shell.ts";
import { fastestOf, mbPerSecond } from "../support/timing.ts";

/** Runs of each transfer; the fastest counts (the machine may be shared). */
const ROUNDS = 2;

/** One large file through `cubqueue submit --large-files`, against a minimal Node receiver and cp. */
export const upload: Metric = {
  name: "upload through the CLI",
  timeLimitMs: { full: 150_000, quick: 30_000 },
  async run(context) {
    const bytes = context.sizes.uploadBytes;
    const label = bytes >= 1024 * MiB ? `${bytes / (1024 * MiB)} GiB` : `${bytes / MiB} MiB`;
    const source = join(context.dir, "large.bin");
    context.log(`writing a ${label} file`);
    await writeDataFile(source, bytes);

    context.log("cp");
    const copy = join(context.dir, "large.copy");
    const cp = await fastestOf(ROUNDS, async () => {
      await sh(`cp ${source} ${copy}`, { timeoutMs: 60_000 });
      await rm(copy);
    });

    context.log("minimal receiver");
    const received = join(context.dir, "received");
    await mkdir(received);
    const receiver = await startMinimalReceiver(received);
    context.defer(() => receiver.stop());
    const curl = await findCurl();
    const put = () => (curl ? curlPut(curl, receiver.url, source, 120_000) : putFile(receiver.url, source, bytes));
    const minimal = await peakRssDuring(receiver.pid, () =>
      fastestOf(ROUNDS, async () => {
        await put();
        await rm(received, { recursive: true });
        await mkdir(received);
      }),
    );
    await receiver.stop();
    await rm(received, { recursive: true });

    context.log("CubQueue CLI submit");
    const server = await context.startServer({ concurrency: 2 });
    await registerNoop(server.url, context.dir);
    const argFile = join(context.dir, "args.json");
    await writeFile(argFile, JSON.stringify({ input: "<file1>" }));
    const cli = await peakRssDuring(server.pid, () =>
      fastestOf(ROUNDS, () => runOk(process.execPath, [CLI_ENTRY, "submit", "--url", server.url, "--script", "noop", "--arg-file", argFile, "--large-files", source, "--quiet"], {
        timeoutMs: 120_000,
      })),
    );
    await rm(source);

    const speed = mbPerSecond(bytes, cli.value.ms);
    const minimalSpeed = mbPerSecond(bytes, minimal.value.ms);
    const cpSpeed = mbPerSecond(bytes, cp.ms);
    const growth = (cli.peak - cli.before) / 1e6;
    const minimalGrowth = (minimal.peak - minimal.before) / 1e6;
    const how = `${label} of incompressible data, fastest of ${ROUNDS} runs each, from the page cache into the page cache; the CLI figure is the whole \`cubqueue submit\` process (start-up, multipart, sha256 on the server); the reference PUT is sent by ${curl ? "curl -T" : "node:http (curl not installed)"}`;
    return [
      {
        metric: `upload ${label} via CLI vs minimal receiver`,
        value: speed,
        unit: "MB/s",
        reference: "HTTP PUT into `pipeline(req, createWriteStream(p, {hwm: 4 MiB}))`",
        referenceValue: minimalSpeed,
        ratio: ratioOf(speed, minimalSpeed, "higher-is-better"),
        target: "≥ 0.8× minimal receiver",
        met: speed >= 0.8 * minimalSpeed,
        notes: how,
      },
      {
        metric: `upload ${label} via CLI vs cp`,
        value: speed,
        unit: "MB/s",
        reference: "`cp` of the file",
        referenceValue: cpSpeed,
        ratio: ratioOf(speed, cpSpeed, "higher-is-better"),
        target: "— (for reference)",
        met: null,
      },
      {
        metric: `upload ${label}: server peak RSS growth`,
        value: growth,
        unit: "MB",
        reference: "the minimal receiver's own growth",
        referenceValue: minimalGrowth,
        ratio: null,
        target: "≤ 64 MB",
        met: growth <= 64,
        notes: "VmHWM of the server process at the end (and VmRSS sampled every 50 ms) minus its VmRSS before the upload",
      },
    ];
  },
};
