import { open, rm } from "node:fs/promises";
import { cgroupOfProcess, findContainment, isTaskCgroup, type Containment } from "./containment.ts";
import type { AttemptHandle, AttemptSpec, Executor, LaunchedAttempt, ProcessExit, RecordedAttempt, RunningAttempt } from "./executor.ts";
import { commandFor, type Interpreters } from "./interpreters.ts";
import { createLaunchRuleCache } from "./launch-rule.ts";
import { killGroup, signalGroup } from "./process-group.ts";
import { isSameProcess, processStartToken } from "./process-identity.ts";
import { startDirectly, type ProcessStarter } from "./process-starter.ts";
import { PRIVATE_FILE_MODE } from "../store/layout.ts";
import { readExitRecord, readExitRecordText } from "./task-wrapper.ts";

/** The local executor's handle: the wrapper's pid and when it started (with the pid, it tells a recycled pid apart). */
export interface LocalHandle {
  pid: number;
  /** null if it could not be read when the process started. */
  startToken: string | null;
  [key: string]: number | string | null;
}

/**
 * Makes an attempt's exit record and cgroup from the server, for a starter that does not: the
 * exit record new (exclusive: nothing a script left there, a symlink or a FIFO, is opened) and
 * private like the log, both off the event loop (creating files in a busy folder can take
 * milliseconds). True when the cgroup was made here, and so is this side's to remove.
 */
async function prepareHere(exitFile: string, cgroup: string | undefined, containment: Containment): Promise<boolean> {
  const preparing = cgroup === undefined ? Promise.resolve(false) : containment.prepare(cgroup);
  const [exitRecord, made] = await Promise.all([open(exitFile, "wx", PRIVATE_FILE_MODE).then((file) => file.close(), (error: unknown) => error), preparing]);
  if (exitRecord === undefined) return made;
  if (made && cgroup !== undefined) await containment.release(cgroup);
  throw exitRecord;
}

/** A recorded handle, if it is one this executor gave out. */
export function localHandleOf(handle: unknown): LocalHandle | undefined {
  const { pid, startToken } = (handle ?? {}) as Partial<LocalHandle>;
  if (!Number.isSafeInteger(pid) || (pid as number) <= 0) return undefined;
  if (startToken !== null && typeof startToken !== "string") return undefined;
  return { pid: pid as number, startToken };
}

export interface LocalExecutorOptions {
  /** Which program runs a script that has no shebang, by its extension. */
  interpreters: Interpreters;
  /** How often a task adopted from an earlier server is checked for its end (it is not our child). */
  adoptedPollMs?: number;
  /** How tasks' processes are held (see containment.ts); found out at the first task by default. */
  containment?: Promise<Containment>;
  /**
   * What starts tasks' processes: the task launcher, or the server itself (the default). Asked
   * at each launch, so that it may be found out in the background, and change.
   */
  processes?: () => Promise<ProcessStarter>;
}

/**
 * Runs tasks as processes on this machine, started by the task launcher or by
 * the server itself under the task wrapper (see process-starter.ts; the two
 * do the same). Each task leads its own process group and session, so a
 * cancel reaches whatever the script started and the task outlives the server
 * if the server stops or crashes; and each is held in its own cgroup where one
 * can be made (see containment.ts), so that what left the group is ended too.
 * stdout/stderr are the log file itself: the script writes straight to disk,
 * the server copies nothing.
 *
 * A run is over only once nothing of it is left: when the script has ended,
 * the rest of its process group is killed, and its cgroup or the processes
 * carrying its task id, by whoever started it or, if that could not (a killed
 * wrapper), by the executor.
 */
export function createLocalExecutor({ interpreters, adoptedPollMs = 500, containment, processes = async () => startDirectly }: LocalExecutorOptions): Executor {
  let found: Promise<Containment> | undefined = containment;
  const contain = () => (found ??= findContainment());
  const launchRules = createLaunchRuleCache();
  return {
    name: "local",

    async launch(launch: AttemptSpec): Promise<LaunchedAttempt> {
      const containment = await contain();
      const rule = await launchRules.ruleFor(launch.script, launch.scriptSha256);
      const command = commandFor(launch.script, rule, launch.args, interpreters);
      const cgroup = containment.cgroupOf(launch.taskId, launch.attempt);
      const starter = await processes();
      // A later attempt clears what the last one left there; before a first, nothing has run in the folder.
      if (launch.scriptSha256 === null) await rm(launch.exitFile, { recursive: true, force: true });
      // The launcher makes the exit record and the cgroup itself (and removes the cgroup), with
      // no round trip through the server's event loop; for the wrapper they are made here.
      const madeCgroup = starter.prepares ? false : await prepareHere(launch.exitFile, cgroup, containment);
      /** Undoes the cgroup when no one else will. */
      const unprepare = () => (madeCgroup && cgroup !== undefined ? containment.release(cgroup) : Promise.resolve());
      const started = await starter
        .start({
          command,
          cwd: launch.dir,
          // The id is what finds a task's leftovers when there is no cgroup to hold them.
          env: { ...launch.env, CUBQUEUE_TASK_ID: launch.taskId },
          logFile: launch.logFile,
          exitFile: launch.exitFile,
          taskId: launch.taskId,
          cgroup: { dir: cgroup ?? "", home: containment.home },
        })
        .catch(async (error: unknown) => {
          await unprepare();
          throw error;
        });
      const { pid } = started;
      // The launcher read the start time as it started the process; otherwise it is read here.
      const handle: LocalHandle = { pid, startToken: started.startToken !== undefined ? started.startToken : ((await processStartToken(pid)) ?? null) };
      let watching = true;
      const exited = started.exited.then(async (exit): Promise<ProcessExit> => {
        // Detached: the server is going away, and the next one takes over.
        if (!watching) return new Promise<never>(() => {});
        // The launcher went away: the process is watched as one an earlier server started.
        if (exit === "unwatched") {
          const end = await watchUntilGone(handle, launch.exitFile, adoptedPollMs, () => endLeftAfter(handle, launch.taskId, cgroup, containment)).exited;
          return end.kind === "lost" ? { kind: "lost", endedBy: `the task launcher that started its process (pid ${pid}) ended before it, so its exit status is unknown` } : end;
        }
        // Where what the script left was ended (the usual case: its group too), the cgroup is left to its maker.
        if (exit.leftoversEnded) await unprepare();
        else {
          killGroup(pid);
          await containment.endLeftovers(launch.taskId, cgroup);
        }
        return exit.outcome;
      });
      return {
        handle,
        description: `process (pid ${pid})`,
        exited,
        terminate: terminator(pid, exited),
        ...stopper(pid),
        release: started.release,
        abandon: started.abandon,
        detach: () => {
          watching = false;
        },
      };
    },

    async startedUnrecorded({ exitFile }): Promise<AttemptHandle | undefined> {
      // The launcher writes "starting", then "running <pid>", then the outcome; the wrapper
      // writes "running" alone, before its gate, which kept its script from running.
      const written = await readExitRecordText(exitFile);
      if (written === "" || written === "running" || written === "not-started") return undefined;
      const pid = /^running (\d+)$/.exec(written)?.[1];
      // "starting" (the launcher ended while it started it) or an outcome: the record says what there is to know.
      if (pid === undefined) return {};
      return { pid: Number(pid), startToken: (await processStartToken(Number(pid))) ?? null };
    },

    async adopt({ taskId, attempt, handle: recorded, exitFile }: RecordedAttempt): Promise<RunningAttempt> {
      const handle = localHandleOf(recorded);
      if (!handle) return unknownHandle(exitFile);
      const containment = await contain();
      // Where the wrapper really is (an earlier server may have run in another cgroup), if the pid is still its.
      const ownCgroup = (await isSameProcess(handle.pid, handle.startToken)) ? await cgroupOfProcess(handle.pid) : undefined;
      const cgroup = ownCgroup !== undefined && isTaskCgroup(ownCgroup, taskId) ? ownCgroup : containment.cgroupOf(taskId, attempt);
      const watch = watchUntilGone(handle, exitFile, adoptedPollMs, () => endLeftAfter(handle, taskId, cgroup, containment));
      return {
        handle,
        description: `process (pid ${handle.pid})`,
        exited: watch.exited,
        terminate: terminator(handle.pid, watch.exited),
        ...stopper(handle.pid),
        detach: watch.stop,
      };
    },
  };
}

/**
 * Ends what a task left once its wrapper is gone, when the wrapper was not our child: how it
 * ended is unknown, so what it left is ended in any case. Its group only if no other process
 * has its pid now: a pid is not handed out again while its group lives, so a process with that
 * pid means the group is someone else's.
 */
async function endLeftAfter(handle: LocalHandle, taskId: string, cgroup: string | undefined, containment: Containment): Promise<void> {
  if ((await processStartToken(handle.pid)) === undefined) killGroup(handle.pid);
  await containment.endLeftovers(taskId, cgroup);
}

/**
 * A process that is not our child cannot be waited for: check now and then
 * whether it is still the same process, and read its record once it is gone.
 * This only happens for tasks adopted after a restart, never on an idle server.
 */
function watchUntilGone(
  handle: LocalHandle,
  exitFile: string,
  pollMs: number,
  onGone: () => Promise<void>,
): { exited: Promise<ProcessExit>; stop(): void } {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const exited = new Promise<ProcessExit>((resolve) => {
    const check = async () => {
      if (stopped) return;
      if (await isSameProcess(handle.pid, handle.startToken)) {
        if (stopped) return;
        timer = setTimeout(() => void check(), pollMs);
        return;
      }
      await onGone();
      resolve((await readExitRecord(exitFile)) ?? { kind: "lost" });
    };
    void check();
  });
  return {
    exited,
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

/**
 * A handle this executor cannot read (it was not written by it): there is no
 * process to watch, only the exit record the wrapper may have left.
 */
function unknownHandle(exitFile: string): RunningAttempt {
  return {
    handle: {},
    description: "process",
    exited: readExitRecord(exitFile).then((record) => record ?? { kind: "lost" }),
    terminate: () => {},
    detach: () => {},
    suspend: () => {},
    resume: () => {},
  };
}

/**
 * TERM (and CONT) to the task's process group, then KILL if it is still there after the
 * grace period; and KILL once the script has exited, for children that
 * ignored TERM and outlived it. Asked again, it does nothing more.
 */
function terminator(pid: number, exited: Promise<ProcessExit>): RunningAttempt["terminate"] {
  let asked = false;
  return ({ graceMs }) => {
    if (asked) return;
    asked = true;
    signalGroup(pid, "SIGTERM");
    // A suspended task acts on TERM only once it goes on again.
    signalGroup(pid, "SIGCONT");
    const timer = setTimeout(() => killGroup(pid), graceMs);
    void exited.then(() => {
      clearTimeout(timer);
      killGroup(pid);
    });
  };
}

/**
 * Suspends and resumes a task's process group (the wrapper, the script and the children that
 * stayed in the group). A process that left the group (setsid) is not stopped.
 */
function stopper(pid: number): Pick<RunningAttempt, "suspend" | "resume"> {
  return {
    suspend: () => signalGroup(pid, "SIGSTOP"),
    resume: () => signalGroup(pid, "SIGCONT"),
  };
}
