import { Buffer } from "node:buffer";
import { constants } from "node:os";
import { openTaskFile } from "../store/open-task-file.ts";
import type { ProcessExit } from "./executor.ts";

/**
 * A shell function that ends what is left of a task: `end_leftovers CGROUP
 * TASK_ID [keep]`. With a cgroup, everything still in it is killed
 * (`cgroup.kill`; before Linux 5.14, each listed process until none is left),
 * and the cgroup is removed once empty, unless `keep` says its maker (the
 * server) removes it. An empty cgroup, the usual case, is seen with a shell
 * builtin: ending it starts no process. Without one, it kills the processes
 * whose environment holds `CUBQUEUE_TASK_ID=<id>`, in rounds, so a fork made
 * meanwhile is found in the next (a best effort: a process that clears its
 * environment escapes). The caller must not carry the variable itself, or the
 * scan's own `grep` would be found (the caller's own pid is skipped).
 */
export const END_LEFTOVERS = `end_leftovers() {
  if [ -n "$1" ] && [ -d "$1" ]; then
    if IFS= read -r left 2>/dev/null < "$1/cgroup.procs"; then
      if [ -e "$1/cgroup.kill" ]; then
        echo 1 2>/dev/null > "$1/cgroup.kill"
      else
        for round in 1 2 3 4 5 6 7 8 9 10; do
          pids=$(cat "$1/cgroup.procs" 2>/dev/null)
          [ -n "$pids" ] || break
          kill -KILL $pids 2>/dev/null
        done
      fi
    fi
    [ "$3" = keep ] && return
    tries=0
    until rmdir "$1" 2>/dev/null || [ $tries -ge 500 ]; do sleep 0.01; tries=$((tries + 1)); done
  elif [ -n "$2" ]; then
    for round in 1 2 3 4 5; do
      found=
      for file in $(grep -lsxzF "CUBQUEUE_TASK_ID=$2" /proc/[0-9]*/environ); do
        pid=\${file#/proc/}
        pid=\${pid%/environ}
        [ "$pid" != "$$" ] && kill -KILL "$pid" 2>/dev/null && found=1
      done
      [ -n "$found" ] || break
    done
  fi
}`;

/** The wrapper's exit status when its gate closed and the script never ran (a script may exit with it too). */
export const NOT_STARTED_STATUS = 125;

/**
 * The small shell program every task the server starts itself runs under
 * (`sh -c WRAPPER cubqueue-task <exit-file> <task-id> <task-cgroup>
 * <home-cgroup> <command…>`; the task launcher, when there is one, does the
 * same work itself, see src/workers/task-launcher.py). It leads the task's
 * process group and:
 *
 * - overwrites the exit file with "running", so that an earlier attempt's
 *   outcome is never read as this one's; every record is written in place
 *   over it at the same length (`1<>`: no truncation), so that the outcome
 *   needs no room the file does not already hold, and a script that fills
 *   the disk still gets its exit status recorded;
 * - moves itself into its attempt's cgroup (when it is given one; see
 *   containment.ts), making it first if the server could not, so that the
 *   script and everything it starts are held there;
 * - waits at a gate (its stdin) until the server has recorded its pid, and
 *   only then runs the script, so that a script never runs unrecorded: if the
 *   server dies first, stdin closes, and it writes "not-started" instead;
 * - writes the script's exit status to the exit file when the script ends,
 *   so the outcome is known even when no server was watching;
 * - then ends whatever the script left running (in its cgroup, or carrying
 *   its task id), so nothing writes into the log of a finished task; it
 *   steps back into its home cgroup first, to outlive the kill and exit with
 *   the script's status. It removes the cgroup if it made it.
 *
 * The signals a cancel sends are caught (not ignored: ignored signals would be
 * inherited by the script), so the shell outlives the script to write the
 * file and clean up, while the script gets them with their usual effect.
 */
export const TASK_WRAPPER = `${END_LEFTOVERS}
exit_file=$1 task_id=$2 cgroup=$3 home=$4
shift 4
record() { printf '%-15s\n' "$1" 1<>"$exit_file"; }
record running
trap 'caught=1' HUP INT TERM
keep=keep
if [ -n "$cgroup" ]; then
  [ -d "$cgroup" ] || { mkdir -p "$cgroup" 2>/dev/null && keep=; }
  if ! echo $$ 2>/dev/null > "$cgroup/cgroup.procs"; then
    [ -z "$keep" ] && rmdir "$cgroup" 2>/dev/null
    cgroup=
  fi
fi
finish() {
  if [ -n "$cgroup" ] && ! echo $$ 2>/dev/null > "$home/cgroup.procs"; then cgroup=; fi
  unset CUBQUEUE_TASK_ID
  end_leftovers "$cgroup" "$task_id" "$keep"
  exit "$1"
}
if ! IFS= read -r gate || [ "$gate" != go ]; then
  record not-started
  finish ${NOT_STARTED_STATUS}
fi
"$@" </dev/null
status=$?
record "exit $status"
finish "$status"
`;

/** The argv of a wrapped task: its cgroup ("" for none) and the cgroup to step back to before ending it. */
export function wrappedCommand(exitFile: string, taskId: string, cgroup: { dir: string; home: string }, command: readonly string[]): string[] {
  return ["/bin/sh", "-c", TASK_WRAPPER, "cubqueue-task", exitFile, taskId, cgroup.dir, cgroup.home, ...command];
}

/** Longer than anything the wrapper writes ("exit 255\n"); the rest of a file grown by someone else is not read. */
const EXIT_RECORD_MAX_BYTES = 64;

/**
 * What the wrapper wrote, or undefined when it wrote nothing (or the file is from no finished
 * run). The script can replace the file: a FIFO, symlink or directory in its place reads as
 * nothing, without blocking (see openTaskFile).
 */
export async function readExitRecord(exitFile: string): Promise<ProcessExit | undefined> {
  const progress = await readWrapperProgress(exitFile);
  return typeof progress === "string" ? undefined : progress;
}

/**
 * How far the wrapper got, from its exit file: not started at all ("none": the file is as
 * it was made, empty, or unreadable), started with no outcome written ("running": the
 * script runs, or the wrapper was killed before it wrote one), or the outcome it wrote.
 */
export async function readWrapperProgress(exitFile: string): Promise<"none" | "running" | ProcessExit> {
  const text = await readExitRecordText(exitFile);
  if (text === "") return "none";
  if (text === "not-started") return { kind: "not_started" };
  const match = /^exit (\d+)$/.exec(text);
  // Anything else ("running", or what a script wrote over it) holds no outcome.
  return match ? fromShellStatus(Number(match[1])) : "running";
}

/** What the exit file holds, trimmed; "" for nothing, or for a file that cannot be read as one. */
export async function readExitRecordText(exitFile: string): Promise<string> {
  return (await readSmallTaskFile(exitFile, EXIT_RECORD_MAX_BYTES).catch(() => "")).trim();
}

async function readSmallTaskFile(path: string, maxBytes: number): Promise<string> {
  const opened = await openTaskFile(path);
  if (opened === null) return "";
  try {
    const buffer = Buffer.alloc(maxBytes);
    const { bytesRead } = await opened.handle.read(buffer, 0, maxBytes, 0);
    return buffer.subarray(0, bytesRead).toString("utf8");
  } finally {
    await opened.handle.close();
  }
}

/**
 * A shell reports a script killed by signal N as status 128+N; this is read
 * back as the signal. (A script that itself exits with such a status is
 * reported the same way; shells cannot tell the two apart.)
 */
export function fromShellStatus(status: number): ProcessExit {
  if (status > 128) {
    const signal = Object.entries(constants.signals).find(([, number]) => number === status - 128)?.[0];
    if (signal) return { kind: "exited", exitCode: null, signal };
  }
  return { kind: "exited", exitCode: status, signal: null };
}
