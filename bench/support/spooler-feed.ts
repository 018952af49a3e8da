/**
 * task-spooler keeps one process per queued job and hangs near 1000 of them: a feed
 * that may outrun its slots waits, every this many jobs, while more than
 * QUEUED_LIMIT are queued.
 */
const CHECK_EVERY = 50;
const QUEUED_LIMIT = 400;

/**
 * A /bin/sh script (for Spooler.shell) that enqueues `count` jobs running `command`
 * one after another, as `for i in $(seq N); do tsp …; done` does, so task-spooler is
 * fed by one process rather than by a process of the bench per job. With `holdQueue`
 * it keeps the queue under the limit above (this needs the jobs to run: not behind
 * busy slots); with `waitDone` it then waits for every job to finish, so the script's
 * wall time runs to the last job's end.
 */
export function feedScript(count: number, command: string, options: { holdQueue: boolean; waitDone: boolean }): string {
  const hold = options.holdQueue
    ? `  case $((i % ${CHECK_EVERY})) in 0) while [ "$("$TSP" -l | grep -c queued)" -gt ${QUEUED_LIMIT} ]; do sleep 0.02; done ;; esac\n`
    : "";
  // Jobs start in order: waiting for each one queued or running at the end waits for them all.
  const wait = options.waitDone ? `for id in $("$TSP" -l | awk '$2 == "running" || $2 == "queued" { print $1 }'); do "$TSP" -w "$id" >/dev/null; done\n` : "";
  return `for i in $(seq ${count}); do\n  "$TSP" ${command} >/dev/null\n${hold}done\n${wait}`;
}
