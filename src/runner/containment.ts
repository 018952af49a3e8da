import { execFile, spawn } from "node:child_process";
import { mkdir, rmdir } from "node:fs/promises";
import { END_LEFTOVERS } from "./task-wrapper.ts";

/**
 * Where each task's processes are held, so that everything a script started
 * can be ended, even a process that left the task's process group (`setsid`).
 *
 * With a cgroup2 the server can create, each task gets its own:
 * `<the server's cgroup>/cubqueue/task-<id>-<attempt>` (the attempt too, so
 * that a wrapper of an earlier attempt, cleaning up late, never ends a newer
 * attempt's). The server makes it before the launch where it can (a mkdir of
 * its own costs far less than one the wrapper would start a process for); the
 * script starts in it (the task launcher steps into it to start the script;
 * the wrapper joins it before its gate opens), so the script and all it starts
 * are inside, and when the script exits or is cancelled whoever started it ends
 * whatever is left in it (`cgroup.kill`). Whoever made the cgroup removes it:
 * the server, once the task has ended, or the launcher or wrapper where the
 * server could not make it (on Deno, which may not write /sys).
 * Creating children in the server's own cgroup is allowed even though the
 * server's process is in it: cgroup2's no-internal-process rule only forbids
 * processes next to *enabled controllers*, and CubQueue enables none.
 *
 * Without one (no cgroup2, or none writable), a task's leftovers are found by
 * the `CUBQUEUE_TASK_ID=<id>` in their environment, a best effort: a process
 * that both left the group and cleared its environment escapes.
 *
 * All of it is done by the task launcher or `sh`, not by the server: Deno lets
 * a program touch neither /proc nor /sys without --allow-all, and they must do
 * it anyway, to hold the script even when no server is watching.
 */
export interface Containment {
  /** The cgroup the wrapper goes back to before ending its task's ("" when there is none). */
  readonly home: string;
  /** The cgroup of a task's attempt; undefined when none can be made here. */
  cgroupOf(taskId: string, attempt: number): string | undefined;
  /**
   * Makes an attempt's cgroup before its launch; true when made here (it is then
   * this side's to remove, with `release`). False when it cannot be made from the
   * server (the wrapper then makes and removes it). Never rejects.
   */
  prepare(cgroup: string): Promise<boolean>;
  /** Removes a cgroup `prepare` made, once the wrapper that used it has emptied it. Never rejects. */
  release(cgroup: string): Promise<void>;
  /**
   * Ends what is left of a task whose wrapper could not do it (it was killed,
   * or it ran under an earlier server): kills its cgroup and removes it, or
   * kills the processes that carry its id. Never rejects.
   */
  endLeftovers(taskId: string, cgroup: string | undefined): Promise<void>;
}

/** Finds out once whether this server can give its tasks cgroups. Never rejects. */
export async function findContainment(): Promise<Containment> {
  const cgroups = await findTaskCgroupParent().catch(() => undefined);
  if (!cgroups) return environmentOnlyContainment();
  return {
    home: cgroups.home,
    cgroupOf: (taskId, attempt) => `${cgroups.parent}/${taskCgroupName(taskId, attempt)}`,
    prepare: (cgroup) => mkdir(cgroup).then(
      () => true,
      () => false,
    ),
    release: (cgroup) => removeEmptiedCgroup(cgroup),
    endLeftovers: (taskId, cgroup) => runShell(`${END_LEFTOVERS}\nend_leftovers "$1" "$2"`, [cgroup ?? "", taskId]).then(() => {}),
  };
}

/** Containment without cgroups, whatever this machine offers: for tests of the fallback, and where cgroups are unwanted. */
export function environmentOnlyContainment(): Containment {
  return {
    home: "",
    cgroupOf: () => undefined,
    prepare: async () => false,
    release: async () => {},
    endLeftovers: (taskId) => runShell(`${END_LEFTOVERS}\nend_leftovers "" "$1"`, [taskId]).then(() => {}),
  };
}

/** The name of an attempt's cgroup under the parent. */
export function taskCgroupName(taskId: string, attempt: number): string {
  return `task-${taskId}-${attempt}`;
}

/** True when a cgroup is one of this task's (of any attempt, or named as an earlier CubQueue named it). */
export function isTaskCgroup(cgroup: string, taskId: string): boolean {
  return cgroup.slice(cgroup.lastIndexOf("/") + 1).startsWith(`task-${taskId}-`);
}

/** How often a removal tries again while the processes a `cgroup.kill` ended are still leaving (it is not instant). */
const CGROUP_REMOVAL_TRIES = 20;

/** Removes an emptied cgroup; one still busy after a while has its processes ended by the shell fallback. */
async function removeEmptiedCgroup(cgroup: string): Promise<void> {
  for (let tries = 0; tries < CGROUP_REMOVAL_TRIES; tries++) {
    try {
      return await rmdir(cgroup);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EBUSY") return;
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  await runShell(`${END_LEFTOVERS}\nend_leftovers "$1" ""`, [cgroup]);
}

/** The cgroup of the process with this pid (from /proc/<pid>/cgroup), under the cgroup2 mount; undefined if it is gone or has none. */
export async function cgroupOfProcess(pid: number): Promise<string | undefined> {
  const text = await runFile("cat", [`/proc/${pid}/cgroup`, "/proc/self/mountinfo"]);
  return text === undefined ? undefined : cgroupDir(text);
}

/**
 * The server's own cgroup and the parent for its tasks' cgroups, if it can
 * create one, join it and leave it again (tried once, with a probe cgroup).
 */
async function findTaskCgroupParent(): Promise<{ home: string; parent: string } | undefined> {
  // `cat` is the server's child, so it is in the server's cgroup and mount namespace.
  const text = await runFile("cat", ["/proc/self/cgroup", "/proc/self/mountinfo"]);
  const home = text === undefined ? undefined : cgroupDir(text);
  if (!home) return undefined;
  const parent = `${home}/cubqueue`;
  const probe = `probe=$1/probe-$$
mkdir -p "$probe" || exit 1
if echo $$ > "$probe/cgroup.procs" && echo $$ > "$2/cgroup.procs"; then rmdir "$probe"; exit; fi
rmdir "$probe"
exit 1`;
  return (await runShell(probe, [parent, home])) ? { home, parent } : undefined;
}

/**
 * The directory of a cgroup2 cgroup, from a process's /proc/<pid>/cgroup
 * (its `0::<path>` line) and /proc/<pid>/mountinfo (where cgroup2 is mounted,
 * and which part of its tree the mount shows), given one after the other.
 */
export function cgroupDir(procText: string): string | undefined {
  const lines = procText.split("\n");
  const path = lines.find((line) => line.startsWith("0::"))?.slice(3);
  if (!path?.startsWith("/") || path.endsWith(" (deleted)")) return undefined;
  for (const line of lines) {
    const [mountFields, fsFields] = line.split(" - ");
    if (!fsFields?.startsWith("cgroup2 ")) continue;
    const fields = mountFields!.split(" ");
    const root = unescapeMountField(fields[3] ?? "");
    const mountPoint = unescapeMountField(fields[4] ?? "");
    if (!mountPoint) continue;
    // The mount may show only a subtree (a container's); the path is then below its root.
    const relative = root === "/" ? path : path === root ? "" : path.startsWith(`${root}/`) ? path.slice(root.length) : undefined;
    if (relative === undefined) continue;
    return `${mountPoint}${relative === "/" ? "" : relative}`;
  }
  return undefined;
}

/** mountinfo writes spaces, tabs, newlines and backslashes in paths as octal escapes. */
function unescapeMountField(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

function runFile(program: string, args: string[]): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(program, args, { encoding: "utf8" }, (error, stdout) => resolve(error && !stdout ? undefined : stdout));
  });
}

/** Runs a shell program; true when it exits 0. Its environment carries no task id, so a scan for one never finds the scanner. */
function runShell(program: string, args: string[]): Promise<boolean> {
  const { CUBQUEUE_TASK_ID: _taskId, ...env } = process.env;
  return new Promise((resolve) => {
    const child = spawn("/bin/sh", ["-c", program, "cubqueue-contain", ...args], { env, stdio: "ignore" });
    child.once("error", () => resolve(false));
    child.once("exit", (code) => resolve(code === 0));
  });
}
