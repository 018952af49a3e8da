import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { ProcessExit } from "./executor.ts";
import { killGroup } from "./process-group.ts";
import type { ProcessStarter, StartRequest, StartedProcess } from "./process-starter.ts";

/** The launcher's program (src/workers/task-launcher.py, which says what it does and why). */
export const LAUNCHER_PROGRAM = fileURLToPath(new URL("../workers/task-launcher.py", import.meta.url));

/** How long a launcher may take to say it is ready before the server does without it. */
const READY_TIMEOUT_MS = 10_000;

type Exit = Awaited<StartedProcess["exited"]>;

type Reply =
  | { ready: number; python: string }
  | { unusable: string }
  | { spawned: number; pid: number; startToken: string | null }
  | { failed: number; code: string; message: string }
  | { exit: number; code: number | null; signal: NodeJS.Signals | null };

/** An error as a spawn in this process would have thrown it: with the errno's name as its code. */
class LaunchError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Starts the task launcher with `python` (a Python 3.8 or later) and returns a starter that
 * hands it every task, once it says it is ready; rejects, saying why, if it cannot start.
 *
 * If the launcher ends while the server runs (killed from outside), every task it started is
 * reported "unwatched" (the executor then watches them by pid, as tasks of an earlier server),
 * the starts under way fail, and the next start runs a new launcher.
 */
export async function startTaskLauncher(python: string): Promise<ProcessStarter> {
  let current: Promise<LauncherProcess> | undefined;
  const launcher = () => {
    if (current) return current;
    const starting = runLauncher(python);
    const forget = () => {
      if (current === starting) current = undefined;
    };
    // A launcher that has gone (or never came) is replaced at the next start.
    starting.then((running) => running.gone.then(forget), forget);
    return (current = starting);
  };
  await launcher();
  return {
    kind: "launcher",
    prepares: true,
    start: async (request) => (await launcher()).start(request),
    close() {
      void current?.then((running) => running.close(), () => {});
      current = undefined;
    },
  };
}

interface LauncherProcess {
  start(request: StartRequest): Promise<StartedProcess>;
  /** Settles when the launcher has exited. */
  gone: Promise<void>;
  close(): void;
}

/** One launcher process, ready. */
function runLauncher(python: string): Promise<LauncherProcess> {
  return new Promise((resolveReady, rejectReady) => {
    // -I: nothing from the server's environment (PYTHONPATH, a user's site-packages) changes it; -S: no site to import.
    const child: ChildProcess = spawn(python, ["-I", "-S", LAUNCHER_PROGRAM], { stdio: ["pipe", "pipe", "inherit"] });
    const starts = new Map<number, { resolve: (started: StartedProcess) => void; reject: (error: Error) => void }>();
    const watched = new Map<number, (exit: Exit) => void>();
    let nextId = 1;
    let ready = false;
    let closed = false;
    const send = (message: object) => {
      if (!closed) child.stdin!.write(`${JSON.stringify(message)}\n`);
    };
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      rejectReady(new Error(`${python} did not start the task launcher within ${READY_TIMEOUT_MS / 1000} s`));
    }, READY_TIMEOUT_MS);

    const onReply = (reply: Reply) => {
      if ("ready" in reply) {
        ready = true;
        clearTimeout(timer);
        resolveReady(launcher);
      } else if ("unusable" in reply) {
        rejectReady(new Error(`${python} cannot run the task launcher: ${reply.unusable}`));
      } else if ("spawned" in reply) {
        const { pid, startToken } = reply;
        const exited = new Promise<Exit>((resolve) => watched.set(pid, resolve));
        starts.get(reply.spawned)?.resolve({
          pid,
          startToken,
          exited,
          // It runs already (its pid is in its exit record, for a server that did not learn it).
          release: () => {},
          abandon: () => killGroup(pid),
        });
        starts.delete(reply.spawned);
      } else if ("failed" in reply) {
        starts.get(reply.failed)?.reject(new LaunchError(reply.code, reply.message));
        starts.delete(reply.failed);
      } else if ("exit" in reply) {
        const outcome: ProcessExit = { kind: "exited", exitCode: reply.code, signal: reply.signal };
        // The launcher has recorded the outcome and ended what the script left before it says so.
        watched.get(reply.exit)?.({ outcome, leftoversEnded: true });
        watched.delete(reply.exit);
      }
    };

    let pending = "";
    child.stdout!.setEncoding("utf8");
    child.stdout!.on("data", (chunk: string) => {
      const lines = (pending + chunk).split("\n");
      pending = lines.pop()!;
      for (const line of lines) if (line) onReply(JSON.parse(line) as Reply);
    });
    // A launcher that has gone cannot take requests; what it leaves is reported at its exit.
    child.stdin!.on("error", () => {});
    const gone = new Promise<void>((resolve) => child.once("close", () => resolve()));
    child.once("error", (error) => {
      clearTimeout(timer);
      rejectReady(new Error(`${python} could not start the task launcher: ${error.message}`));
    });
    void gone.then(() => {
      closed = true;
      clearTimeout(timer);
      if (!ready) rejectReady(new Error(`${python} exited before the task launcher was ready (exit ${child.exitCode ?? child.signalCode})`));
      for (const { reject } of starts.values()) reject(new Error("the task launcher ended before it started the task"));
      starts.clear();
      for (const report of watched.values()) report("unwatched");
      watched.clear();
    });
    // The server need not wait for its launcher to exit.
    child.unref();
    (child.stdout as unknown as { unref?: () => void }).unref?.();
    (child.stdin as unknown as { unref?: () => void }).unref?.();

    const environments = environmentSender(send);
    const launcher: LauncherProcess = {
      gone,
      start(request) {
        if (closed) return Promise.reject(new Error("the task launcher has ended"));
        const id = nextId++;
        return new Promise((resolve, reject) => {
          starts.set(id, { resolve, reject });
          const { set, unset } = environments.changesFor(request.env);
          send({
            spawn: id,
            command: request.command,
            cwd: request.cwd,
            env: set,
            unset,
            log: request.logFile,
            exitFile: request.exitFile,
            taskId: request.taskId,
            cgroup: request.cgroup.dir,
            home: request.cgroup.home,
          });
        });
      },
      close() {
        // End of input: it closes the gates it still holds, and exits once its running tasks have ended.
        child.stdin!.end();
      },
    };
  });
}

/**
 * Tasks' environments as the launcher is told them: the server's own variables, some 3 KB, are
 * the same for every task, so each spawn carries only what differs from a base sent once (a
 * task's own variables and CubQueue's), not the whole environment. A new base is sent when a
 * task's differs from it in more than half its variables.
 */
function environmentSender(send: (message: object) => void) {
  let base: Readonly<Record<string, string>> | undefined;
  let baseSize = 0;
  return {
    changesFor(env: Readonly<Record<string, string>>): { set: Record<string, string>; unset: string[] } {
      const set: Record<string, string> = {};
      const unset: string[] = [];
      let changes = 0;
      let size = 0;
      if (base !== undefined) {
        for (const name in env) {
          size += 1;
          if (base[name] !== env[name]) {
            set[name] = env[name]!;
            changes += 1;
          }
        }
        // Every variable of the base that env has was counted above: the rest are not in env.
        if (size - changes < baseSize) for (const name in base) if (!(name in env)) unset.push(name);
      }
      if (base === undefined || (changes + unset.length) * 2 > size) {
        base = env;
        baseSize = Object.keys(env).length;
        send({ base: env });
        return { set: {}, unset: [] };
      }
      return { set, unset };
    },
  };
}
