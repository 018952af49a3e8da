import { resolve } from "node:path";
import type { CAC } from "cac";
import { ARCHIVE_FORMATS } from "../../src/client/index.ts";
import { CliError, requireOption, text } from "../cli-error.ts";
import type { CommandContext } from "../context.ts";
import { choice } from "../option-values.ts";
import { formatBytes, json } from "../output.ts";
import type { CommandRunner } from "../program.ts";
import { createProgress } from "../progress.ts";
import { connectToTask, type TaskCommandOptions } from "../task-command.ts";

interface DownloadCliOptions extends TaskCommandOptions {
  outputDir?: unknown;
  metadata?: boolean;
  result?: boolean;
  format?: unknown;
  force?: boolean;
}

export function registerDownloadCommand(cli: CAC, run: CommandRunner) {
  cli
    .command("download [task]", "Download a task's metadata or result folder into a directory")
    .option("--task-id <id>", "The task (instead of the argument)")
    .option("--output-dir <dir>", "Where to unpack it (created if missing)")
    .option("--metadata", "The metadata folder (intermediate files)")
    .option("--result", "The output folder (results)")
    .option("--format <format>", "Transfer as tar.gz, tar (faster on a local network) or zip", { default: "tar.gz" })
    .option("--force, --overwrite", "Replace files of the same name in the output directory (without it, the download is refused and nothing is written)")
    .example("cubqueue download 3f2a9c1d --output-dir ./results --result")
    .action(run(download));
}

async function download(context: CommandContext, options: DownloadCliOptions) {
  const outputDir = resolve(requireOption(text(options.outputDir), "--output-dir", "where to put the files"));
  if (Boolean(options.metadata) === Boolean(options.result)) {
    throw new CliError("Say what to download: --metadata (intermediate files) or --result (results).", 2);
  }
  const format = choice("--format", options.format, ARCHIVE_FORMATS);
  const { client, taskId } = await connectToTask(context, options);
  const progress = createProgress(context.io, "Downloading");
  const fetchArchive = options.metadata ? client.downloadTaskMetadata : client.downloadTaskResult;
  let unpacked;
  try {
    unpacked = await fetchArchive.call(client, taskId, outputDir, {
      format,
      overwrite: options.force === true,
      // Against what unpacking writes when the server says how much that is; else the bytes received.
      onProgress: (received, { written, total }) => (total === undefined ? progress.update(received) : progress.update(written, total)),
    });
  } finally {
    progress.finish();
  }
  const what = options.metadata ? "metadata" : "result";
  if (unpacked.omitted.count > 0) context.io.stderr(omittedWarning(unpacked.omitted));
  context.io.stdout(
    context.json
      ? json({ task_id: taskId, output_dir: outputDir, ...unpacked })
      : `Downloaded the ${what} of task ${taskId}: ${unpacked.files} file${unpacked.files === 1 ? "" : "s"} (${formatBytes(unpacked.bytes)}) into ${outputDir}.\n`,
  );
}

/** One line: how many entries the server left out of the archive, and why. */
function omittedWarning({ count, reasons }: { count: number; reasons: Record<string, number> }): string {
  const why = Object.entries(reasons).map(([reason, n]) => `${n} ${reason.replaceAll("_", " ")}`).join(", ");
  return (
    `Warning: the server left ${count} entr${count === 1 ? "y" : "ies"} of the folder out of the archive${why ? ` (${why})` : ""}: ` +
    "links leading outside it, hard links from outside, FIFOs, sockets, devices, paths too deep or files that vanished are never sent.\n"
  );
}
