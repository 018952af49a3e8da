import { chmod, mkdir } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { createApp, type App } from "../app.ts";
import { taskEnvironment, type ServerConfig } from "../config.ts";
import { openDatabase, type Database } from "../db/open.ts";
import { AppError } from "../errors.ts";
import { createEventHub, describeEvent } from "../events/event-hub.ts";
import { createTaskLabels } from "../events/task-labels.ts";
import { createMetricsCollector } from "../ops/metrics.ts";
import { createOpsService } from "../ops/ops-service.ts";
import { createNotifier } from "../notify/notifier.ts";
import { listNotifyTargets } from "../db/queries/queue.ts";
import { createTransitions } from "../lifecycle/transitions.ts";
import { resolveInterpreters, settleRealPython } from "../runner/interpreters.ts";
import { createRunner, type Runner } from "../runner/runner.ts";
import { chooseProcessStarter } from "../runner/choose-process-starter.ts";
import type { ProcessStarter } from "../runner/process-starter.ts";
import { serveFetch } from "../runtime/serve.ts";
import { createScriptService } from "../scripts/script-service.ts";
import { PRIVATE_DIR_MODE, createLayout, type Layout } from "../store/layout.ts";
import { startRetention } from "../tasks/retention.ts";
import { createQueueService } from "../tasks/queue-service.ts";
import { createTaskService } from "../tasks/task-service.ts";
import { createBlobStore } from "../store/blob-store.ts";
import { startUploadSweeps } from "../uploads/sweep-uploads.ts";
import { createUploadSessions } from "../uploads/upload-sessions.ts";
import { createFileHashes } from "../store/file-hashes.ts";
import { createFsSteps } from "../store/fs-steps.ts";
import { databaseStartupError, describeDatabaseLocation } from "./database-error.ts";
import { createExecutors } from "./executors.ts";
import { claimBaseDir, loadInstanceId } from "./instance.ts";

import { detectGpus } from "./detect-gpus.ts";
import { checkListenPolicy } from "./listen-policy.ts";
import { recoverAtStart } from "./recover-at-start.ts";

export interface RunningServer {
  url: string;
  port: number;
  layout: Layout;
  app: App;
  db: Database;
  runner: Runner;
  /**
   * Stops serving, closes the database and frees the base dir. Running tasks
   * keep running (the next start watches them again) unless `cancelRunning`.
   */
  stop(options?: StopOptions): Promise<void>;
}

export interface StopOptions {
  /** Cancel the running tasks first, instead of leaving them to the next start. */
  cancelRunning?: boolean;
}

export interface StartServerOptions {
  /** The environment tasks inherit. */
  taskEnv?: Readonly<Record<string, string | undefined>>;
  /** Where warnings go (stderr by default; a daemon's stderr is its cubqueue.log). */
  log?: (message: string) => void;
  /**
   * Where what the server does goes: a line per task transition, and what a start found.
   * Nowhere by default (a server inside another program); `cubqueue start` prints it.
   */
  info?: (message: string) => void;
  logError?: (error: unknown, context?: string) => void;
}

/** The composition root: builds every part from the config, wires them, and serves. */
export async function startServer(config: ServerConfig, options: StartServerOptions = {}): Promise<RunningServer> {
  const logError = options.logError ?? ((error, context) => console.error(context ? `${context}:` : "", error));
  const log = options.log ?? ((message) => console.error(message));
  const info = options.info ?? (() => {});
  checkListenPolicy(config);
  const layout = createLayout(config.baseDir);
  await Promise.all([layout.scriptsDir, layout.tasksDir].map((dir) => makePrivateDir(dir)));
  const claim = await claimBaseDir(layout);
  const cleanups: Array<() => unknown> = [() => claim.release()];
  try {
    const databaseLocation = describeDatabaseLocation(layout.databasePath, config.databaseUrl);
    const usingDatabase = <T>(step: Promise<T>) => step.catch((error) => Promise.reject(databaseStartupError(error, databaseLocation)));
    const { db, close } = await usingDatabase(
      openDatabase({ file: layout.databasePath, url: config.databaseUrl, authToken: config.databaseAuthToken }),
    );
    cleanups.unshift(close);
    const instanceId = await loadInstanceId(layout);
    const taskEnv = options.taskEnv ?? taskEnvironment();
    // Every committed change of a task goes out as an event: to the event stream, log followers,
    // the notifier, /metrics and (from `cubqueue start`) the server's log.
    const hub = createEventHub();
    const collector = createMetricsCollector();
    hub.subscribe(undefined, collector.observe);
    if (options.info) hub.subscribe(undefined, (event) => info(describeEvent(event)));
    const transitions = createTransitions({
      db,
      onTransition: (event) => hub.publish({ type: "transition", ...event }),
      onProgress: (event) => hub.publish({ type: "progress", ...event }),
    });
    // Found where the tasks will look for them: on the PATH they inherit.
    const gpus = config.gpus ?? (await detectGpus(taskEnv));
    const interpreters = resolveInterpreters(config.interpreters, taskEnv.PATH ?? "");
    // In the background: a version manager's python3 shim can take seconds to say where Python is.
    const pythonSettled = settleRealPython(interpreters, config.interpreters);
    cleanups.unshift(() => pythonSettled);
    // What starts local tasks, found out in the background (a launcher takes a moment to start),
    // run by the python3 that runs scripts, once it is known past any shim (which would cost the
    // launcher's start several times over); only a server that runs local tasks needs one at once.
    // Let go of last, after the runner.
    let choosing: Promise<ProcessStarter> | undefined;
    const processes = () =>
      (choosing ??= pythonSettled.then(() => chooseProcessStarter(config.launcher, { python: interpreters.get("python3"), warn: log, info })));
    if (config.executor === "local") void processes();
    cleanups.unshift(() => choosing?.then((starter) => starter.close()));
    const runner = createRunner({
      db,
      transitions,
      layout,
      executors: createExecutors(config, { env: taskEnv, logError, interpreters, processes }),
      instanceId,
      concurrency: config.concurrency,
      slots: { cpus: config.cpus ?? availableParallelism(), gpus, cpusAtLeastConcurrency: config.cpus === undefined },
      killGraceMs: config.killGraceMs,
      baseEnv: taskEnv,
      onError: (error, taskId) => logError(error, taskId ? `task ${taskId}` : "runner"),
    });
    const fsSteps = createFsSteps();
    fsSteps.start();
    cleanups.unshift(() => fsSteps.close());
    const scripts = createScriptService({ db, layout, fsSteps });
    const blobs = createBlobStore({ db, layout, home: instanceId, now: () => new Date() });
    const hashes = createFileHashes({ connect: (lost) => fsSteps.hashPort(lost) });
    cleanups.unshift(() => hashes.close());
    const uploads = createUploadSessions({ db, layout, home: instanceId, blobs, hashes, expiryMs: config.uploadExpiryMs, maxSize: config.maxUploadSize, onReceived: collector.uploaded });
    const tasks = createTaskService({
      db,
      transitions,
      layout,
      blobs,
      runner,
      scripts,
      instanceId,
      onUploaded: collector.uploaded,
      onSubmitted: (task) => {
        notifier.track(task.id, task.notifyUrl, task.notifyOn);
        hub.publish({ type: "submitted", taskId: task.id, attempt: 0, status: task.status, at: task.createdAt });
      },
      onTaskEvent: (taskId, callback) => hub.subscribe(undefined, (event) => event.taskId === taskId && callback()).unsubscribe,
      maxUploadSize: config.maxUploadSize,
      hashes,
      fsSteps,
      executor: config.executor,
    });
    const notifier = createNotifier({
      serverUrl: config.notifyUrl,
      serverOn: config.notifyOn,
      onFinishCommand: config.onFinish,
      taskRecord: (id) => tasks.get(id).catch(() => undefined),
      baseEnv: taskEnv,
      log,
    });
    hub.subscribe(undefined, notifier.observe);
    for (const target of await usingDatabase(listNotifyTargets(db, instanceId))) notifier.track(target.id, target.url, target.on);
    const app = createApp({
      scripts,
      tasks,
      queue: createQueueService({ db, runner, instanceId }),
      uploads,
      blobs,
      events: { hub, labels: createTaskLabels(db) },
      ops: createOpsService({ db, runner, instanceId, collector }),
      logError: (error) => logError(error, "request"),
      token: config.token,
      host: config.host,
      maxUploadSize: config.maxUploadSize,
    });
    let stopOptions: StopOptions = {};
    await usingDatabase(recoverAtStart({ db, instanceId, layout, runner, uploads, blobs, log, info, makePrivateDir }));
    cleanups.unshift(startUploadSweeps({ uploads, blobs }, config.uploadExpiryMs, (error) => logError(error, "upload sweep")));
    cleanups.unshift(() => runner.stop(stopOptions));
    if (config.keepFinishedMs !== undefined) {
      cleanups.unshift(startRetention(tasks, config.keepFinishedMs, (error) => logError(error, "retention")));
    }

    const serving = await serveFetch(app.fetch, { host: config.host, port: config.port, idleTimeoutMs: config.idleTimeoutMs }).catch((error) => {
      throw listenError(error, config);
    });
    cleanups.unshift(() => serving.close());
    const url = `http://${urlHost(config.host)}:${serving.port}`;
    await claim.publish(url, config.token);

    let stopped: Promise<void> | undefined;
    return {
      url,
      port: serving.port,
      layout,
      app,
      db,
      runner,
      stop: (options = {}) => {
        stopOptions = options;
        return (stopped ??= runCleanups(cleanups));
      },
    };
  } catch (error) {
    await runCleanups(cleanups);
    throw error;
  }
}

async function runCleanups(cleanups: Array<() => unknown>): Promise<void> {
  for (const cleanup of cleanups) await cleanup();
}

/** The host to put in a URL: wildcard addresses are reached through loopback. */
function urlHost(host: string): string {
  if (host === "0.0.0.0") return "127.0.0.1";
  if (host === "::") return "[::1]";
  return host.includes(":") ? `[${host}]` : host;
}

function listenError(error: unknown, config: ServerConfig): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "EADDRINUSE") {
    return new AppError(409, "port_in_use", `Port ${config.port} on ${config.host} is already in use; choose another with --port.`);
  }
  if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND") {
    return new AppError(400, "bad_host", `Cannot listen on ${config.host}: no such local address; use --host 127.0.0.1 or 0.0.0.0.`);
  }
  if (code === "EACCES") {
    return new AppError(400, "port_forbidden", `Not allowed to listen on port ${config.port}; choose one above 1023 with --port.`);
  }
  return error;
}

/**
 * Makes one of CubQueue's own folders (and the base dir, if new) private; one left
 * readable by an older CubQueue is made private too. A base dir that exists is the
 * operator's and keeps its mode.
 */
async function makePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  await chmod(dir, PRIVATE_DIR_MODE);
}
