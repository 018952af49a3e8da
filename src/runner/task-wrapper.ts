import { constants } from "node:os";
import { readFile } from "node:fs/promises";
import type { ProcessExit } from "./executor.ts";

/**
 * The small shell program every task runs under (`sh -c WRAPPER cubqueue-task
 * <exit-file> <command…>`). It leads the task's process group and:
 *
 * - empties the exit file, so that an earlier attempt's outcome is never read as this one's;
 * - waits at a gate (its stdin) until the server has recorded its pid, and
 *   only then runs the script, so that a script never runs unrecorded: if the
 *   server dies first, stdin closes, and it writes "not-started" instead;
 * - writes the script's exit status to the exit file when the script ends,
 *   so the outcome is known even when no server was watching.
 *
 * The signals a cancel sends are caught (not ignored: ignored signals would be
 * inherited by the script), so the shell outlives the script to write the
 * file, while the script gets them with their usual effect.
 */
export const TASK_WRAPPER = `exit_file=$1
shift
: > "$exit_file"
trap 'caught=1' HUP INT TERM
if ! IFS= read -r gate || [ "$gate" != go ]; then
  echo not-started > "$exit_file"
  exit 125
fi
"$@" </dev/null
status=$?
echo "exit $status" > "$exit_file"
exit "$status"
`;

/** The argv of a wrapped task. */
export function wrappedCommand(exitFile: string, command: readonly string[]): string[] {
  return ["/bin/sh", "-c", TASK_WRAPPER, "cubqueue-task", exitFile, ...command];
}

/** What the wrapper wrote, or undefined when it wrote nothing (or the file is from no finished run). */
export async function readExitRecord(exitFile: string): Promise<ProcessExit | undefined> {
  const text = (await readFile(exitFile, "utf8").catch(() => ""))?.trim();
  if (text === "not-started") return { kind: "not_started" };
  const match = /^exit (\d+)$/.exec(text);
  return match ? fromShellStatus(Number(match[1])) : undefined;
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
