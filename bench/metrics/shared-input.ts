import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Metric } from "../support/context.ts";
import { curlSubmit, findCurl } from "../support/curl.ts";
import { GiB, MiB, writeDataFile } from "../support/files.ts";
import { ratioOf } from "../support/rows.ts";
import { registerNoop } from "../support/scripts.ts";
import { CLI_ENTRY } from "../support/server.ts";
import { runOk, sh } from "../support/shell.ts";
import { nowMs } from "../support/timing.ts";

/**
 * Many tasks that use one large input (a reference genome for a sweep): each
 * `cubqueue submit --large-files` names the file, which crosses the network once and
 * is stored once; against the same submissions as plain multipart uploads (the
 * spec's request, every byte sent each time), of which a few are timed.
 */
export const sharedInput: Metric = {
  name: "tasks sharing one input",
  timeLimitMs: { full: 420_000, quick: 60_000 },
  async run(context) {
    const bytes = context.quick ? 16 * MiB : GiB;
    const tasks = context.quick ? 4 : 100;
    const plainTimed = context.quick ? 2 : 5;
    const label = bytes >= GiB ? `${bytes / GiB} GiB` : `${bytes / MiB} MiB`;
    const source = join(context.dir, "reference.fa");
    context.log(`writing a ${label} input`);
    await writeDataFile(source, bytes);
    const server = await context.startServer({ concurrency: 2 });
    await registerNoop(server.url, context.dir);
    const argFile = join(context.dir, "args.json");
    await writeFile(argFile, JSON.stringify({ input: "<file1>" }));
    const env = { ...process.env, XDG_CACHE_HOME: join(context.dir, "cache") };
    const submit = ["submit", "--url", server.url, "--script", "noop", "--arg-file", argFile, "--large-files", source, "--quiet"];

    context.log(`${tasks} × cubqueue submit naming the same ${label} file`);
    const sentBefore = await uploadedBytes(server.url);
    const started = nowMs();
    for (let n = 0; n < tasks; n++) await runOk(process.execPath, [CLI_ENTRY, ...submit], { timeoutMs: 120_000, env });
    const byHashMs = nowMs() - started;
    const sentByHash = (await uploadedBytes(server.url)) - sentBefore;
    const stored = await storedBytes(server.baseDir);

    const curl = await findCurl();
    context.log(`${plainTimed} plain multipart submissions of the ${label} file (${curl ? "curl -F" : "node fetch"})`);
    let plainMs = 0;
    for (let n = 0; n < plainTimed; n++) {
      const start = nowMs();
      await curlSubmit(curl, server.url, { script_name: "noop" }, { arg_file: argFile, file1: source }, 120_000);
      plainMs += nowMs() - start;
    }
    const plainEstimate = (plainMs / plainTimed) * tasks;
    const storedAfterPlain = await storedBytes(server.baseDir);

    const how = `${tasks} sequential \`cubqueue submit\` processes naming one ${label} file: the first hashes and uploads it (resumably), the others find its hash in the client's cache and the content on the server, and send only their argument file`;
    return [
      {
        metric: `${tasks} tasks sharing one ${label} input: submit wall time`,
        value: byHashMs / 1000,
        unit: "s",
        reference: `${tasks} plain multipart uploads (${plainTimed} timed, × ${tasks / plainTimed})`,
        referenceValue: plainEstimate / 1000,
        ratio: ratioOf(byHashMs, plainEstimate, "lower-is-better"),
        target: "— (for reference)",
        met: null,
        notes: how,
      },
      {
        metric: `${tasks} tasks sharing one ${label} input: bytes sent`,
        value: sentByHash / 1e6,
        unit: "MB",
        reference: `${tasks} plain uploads send the file each time`,
        referenceValue: (tasks * bytes) / 1e6,
        ratio: ratioOf(sentByHash, tasks * bytes, "lower-is-better"),
        target: "the file once",
        met: sentByHash < 2 * bytes,
        notes: "the server's cubqueue_uploaded_bytes_total before and after (file bytes and argument files)",
      },
      {
        metric: `${tasks} tasks sharing one ${label} input: bytes stored`,
        value: stored / 1e6,
        unit: "MB",
        reference: "one copy per task, as before the store",
        referenceValue: (tasks * bytes) / 1e6,
        ratio: ratioOf(stored, tasks * bytes, "lower-is-better"),
        target: "the file once",
        met: stored < 2 * bytes,
        notes: `\`du -sb\` of the base dir (hard links counted once); after the ${plainTimed} plain uploads of the same content too: ${(storedAfterPlain / 1e6).toFixed(0)} MB`,
      },
    ];
  },
};

async function uploadedBytes(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^cubqueue_uploaded_bytes_total (\d+)$/m.exec(text)?.[1] ?? Number.NaN);
}

/** What the base dir takes, each file once however many links it has. */
async function storedBytes(baseDir: string): Promise<number> {
  return Number((await sh(`du -sb '${baseDir}'`, { timeoutMs: 60_000 })).stdout.split(/\s/)[0]);
}
