import { mkdir, open, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Metric } from "../support/context.ts";
import { writeDataFile, MiB } from "../support/files.ts";
import { readMemory } from "../support/proc.ts";
import { curlPut, findCurl } from "../support/curl.ts";
import { putFile, startMinimalReceiver } from "../support/put-file.ts";
import { ratioOf } from "../support/rows.ts";
import { registerNoop } from "../support/scripts.ts";
import { CLI_ENTRY } from "../support/server.ts";
import { runOk, sh } from "../support/shell.ts";
import { mbPerSecond, timed } from "../support/timing.ts";

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

    const received = join(context.dir, "received");
    await mkdir(received);
    const receiver = await startMinimalReceiver(received);
    context.defer(() => receiver.stop());
    const curl = await findCurl();
    const put = () => (curl ? curlPut(curl, receiver.url, source, 120_000) : putFile(receiver.url, source, bytes));
    const server = await context.startServer({ concurrency: 2 });
    await registerNoop(server.url, context.dir);
    const argFile = join(context.dir, "args.json");
    await writeFile(argFile, JSON.stringify({ input: "<file1>" }));
    const submit = ["submit", "--url", server.url, "--script", "noop", "--arg-file", argFile, "--large-files", source, "--quiet"];
    const copy = join(context.dir, "large.copy");
    // The CLI's own cache (resume records, hashes) in the metric's folder.
    const cliEnv = { ...process.env, XDG_CACHE_HOME: join(context.dir, "cache") };
    const receiverBefore = readMemory(receiver.pid).rss;
    const serverBefore = readMemory(server.pid).rss;

    // Rounds interleave the three transfers, so load from elsewhere hits them alike; the fastest of each counts.
    const best = { cp: Infinity, minimal: Infinity, cli: Infinity };
    for (let round = 1; round <= ROUNDS; round++) {
      context.log(`round ${round}: cp, minimal receiver, CubQueue CLI submit`);
      best.cp = Math.min(best.cp, (await sh(`cp ${source} ${copy}`, { timeoutMs: 60_000 })).ms);
      await rm(copy);
      best.minimal = Math.min(best.minimal, (await timed(put)).ms);
      await rm(received, { recursive: true });
      await mkdir(received);
      // New content each round: the server stores each content once, and would not be sent it again.
      await markRound(source, round);
      best.cli = Math.min(best.cli, (await runOk(process.execPath, [CLI_ENTRY, ...submit], { timeoutMs: 120_000, env: cliEnv })).ms);
    }
    const minimal = { before: receiverBefore, peak: readMemory(receiver.pid).peakRss };
    const cli = { before: serverBefore, peak: readMemory(server.pid).peakRss };
    await receiver.stop();
    await rm(source);

    const speed = mbPerSecond(bytes, best.cli);
    const minimalSpeed = mbPerSecond(bytes, best.minimal);
    const cpSpeed = mbPerSecond(bytes, best.cp);
    const growth = (cli.peak - cli.before) / 1e6;
    const minimalGrowth = (minimal.peak - minimal.before) / 1e6;
    const how = `${label} of incompressible data, fastest of ${ROUNDS} interleaved runs each, from the page cache into the page cache; the CLI figure is the whole \`cubqueue submit\` process (start-up, sha256 of the file to offer it by hash, the resumable upload, sha256 on the server), of content the server does not have; the reference PUT is sent by ${curl ? "curl -T" : "node:http (curl not installed)"}`;
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
        notes: "VmHWM (peak RSS) of the server process after the uploads minus its VmRSS before them; the same for the receiver",
      },
    ];
  },
};

/** Makes the file's content new for a round (its first bytes): the same size, another sha256. */
async function markRound(path: string, round: number): Promise<void> {
  const handle = await open(path, "r+");
  try {
    await handle.write(Buffer.from(`round ${round} ${Date.now()}`), 0, undefined, 0);
  } finally {
    await handle.close();
  }
}
