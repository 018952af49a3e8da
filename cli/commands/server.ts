import type { CAC } from "cac";
import { takeStopRequest } from "../../src/server/instance.ts";
import { list, text } from "../cli-error.ts";
import type { CommandContext } from "../context.ts";
import { startDaemon, stopServer } from "../daemon.ts";
import { json } from "../output.ts";
import type { CommandRunner } from "../program.ts";
import { baseDirOf, serverConfigFrom, type StartOptions } from "../start-options.ts";

export function registerServerCommands(cli: CAC, run: CommandRunner) {
  cli
    .command("start", "Start a server (in the foreground, or in the background with --daemon)")
    .option("--host <host>", "Address to listen on", { default: "127.0.0.1" })
    .option("--port <port>", "Port to listen on, 1 to 65535 (0: any free port)", { default: 8000 })
    .option("--daemon", "Run in the background; returns once the server answers")
    .option("--concurrency <n>", "How many tasks run at once, 1 to 1024 (default: number of CPUs)")
    .option("--python <path>", "The Python interpreter for .py scripts")
    .option("--interpreter <name=path>", "Another interpreter, e.g. bash=/usr/local/bin/bash (repeatable)")
    .option("--kill-grace <duration>", "How long a cancelled task has between TERM and KILL (0 to 1d, e.g. 5 or 30s; default 5s)")
    .option("--token-file <path>", "Require the token this file holds (read once; one trailing newline is ignored)")
    .option("--insecure", "Allow listening on a non-loopback --host without a token")
    .option("--idle-timeout <duration>", "Give up a connection (and its upload) that sends nothing for this long (0.1s to 1d; default 60s)")
    .option("--max-upload-size <size>", "The most one submission may upload, e.g. 10G or 512M (default: unlimited)")
    .option("--keep-finished <duration>", "Delete finished tasks (record and folder) this long after they finished, at least 1m, e.g. 30d (default: keep)")
    .example("cubqueue start --base-dir ./cubqueue-data --port 8000 --daemon")
    .action(run<StartOptions>(start));

  cli
    .command("stop", "Stop the server of a base dir; running tasks keep running and are watched again at the next start")
    .option("--cancel-running", "Cancel the running tasks first")
    .example("cubqueue stop --base-dir ./cubqueue-data")
    .action(
      run<{ cancelRunning?: boolean }>(async (context, options) => {
        const baseDir = baseDirOf(options.baseDir, context.io.env);
        const cancelRunning = options.cancelRunning === true;
        const result = await stopServer(baseDir, { cancelRunning });
        const tasks = cancelRunning ? "its running tasks were cancelled" : "running tasks keep running until the next start";
        const message =
          result.kind === "stopped"
            ? `Stopped the CubQueue server (pid ${result.pid}) of ${baseDir}; ${tasks}.`
            : `The CubQueue server recorded in ${baseDir} (pid ${result.pid}) was not running; removed its stale pid file.`;
        context.io.stdout(context.json ? json({ ...result, base_dir: baseDir, cancelled_running: cancelRunning }) : `${message}\n`);
      }),
    );
}

async function start(context: CommandContext, options: StartOptions) {
  const config = serverConfigFrom(options, context.io.env);
  if (text(options.token) !== undefined) {
    context.io.stderr(
      "cubqueue: warning: --token is shown to every user of this machine by `ps`; set CUBQUEUE_TOKEN or use --token-file instead.\n",
    );
  }
  if (options.daemon) {
    const { pid, url } = await startDaemon(config, daemonArgs(options));
    context.io.stdout(
      context.json
        ? json({ pid, url, base_dir: config.baseDir })
        : `CubQueue is running in the background (pid ${pid}) at ${url}\n` +
            `  base dir: ${config.baseDir}\n  log: ${config.baseDir}/cubqueue.log\n` +
            `  stop it with: ${context.command} stop --base-dir ${config.baseDir}\n`,
    );
    return;
  }
  // Loaded here, not at the top: every other command would otherwise pay for loading the whole server.
  const { startServer } = await import("../../src/server/start-server.ts");
  const server = await startServer(config);
  const layout = server.layout;
  context.io.stdout(`CubQueue listening on ${server.url} (base dir ${config.baseDir}, ${config.concurrency} at a time); API docs at ${server.url}/docs\n`);
  await new Promise<void>((resolveStop) => {
    const shutdown = async (signal: string) => {
      const request = await takeStopRequest(layout);
      const tasks = request.cancelRunning ? "cancelling running tasks" : "running tasks keep running until the next start";
      context.io.stdout(`Received ${signal}; stopping (${tasks}).\n`);
      await server.stop(request);
    };
    const onSignal = (signal: string) => void shutdown(signal).then(resolveStop, resolveStop);
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
  });
  context.io.stdout("CubQueue stopped.\n");
}

/** The flags a daemon child is started with: the same as this start, minus --daemon. */
function daemonArgs(options: StartOptions): string[] {
  const args: string[] = [];
  const add = (flag: string, value: unknown) => {
    if (value !== undefined && value !== null && typeof value !== "boolean") args.push(flag, String(value));
  };
  add("--host", options.host);
  add("--port", options.port);
  add("--concurrency", options.concurrency);
  add("--python", options.python);
  for (const pair of list(options.interpreter)) add("--interpreter", pair);
  add("--kill-grace", options.killGrace);
  add("--idle-timeout", options.idleTimeout);
  add("--max-upload-size", options.maxUploadSize);
  add("--keep-finished", options.keepFinished);
  if (options.insecure) args.push("--insecure");
  return args;
}
