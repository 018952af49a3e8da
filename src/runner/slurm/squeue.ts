import type { JobState } from "./job-state.ts";

/**
 * The squeue arguments that report on these jobs, whatever their state (`--states=all`
 * keeps a finished job listed while Slurm still holds it), one line each:
 * `id|STATE|Reason|start`.
 */
export function squeueArgs(jobIds: readonly string[]): string[] {
  return ["--noheader", "--states=all", `--jobs=${jobIds.join(",")}`, "--format=%i|%T|%r|%S"];
}

/**
 * squeue exits 1 saying this when none of the jobs asked about is known any more (all
 * forgotten since they ended): that is an answer (no jobs), not a failure.
 */
export function isNoSuchJobs(stderr: string): boolean {
  return /Invalid job id specified/i.test(stderr);
}

/** squeue's lines (see squeueArgs) by job id; a line that is not one (a warning) is skipped. */
export function parseSqueue(stdout: string): Map<string, JobState> {
  const jobs = new Map<string, JobState>();
  for (const line of stdout.split("\n")) {
    const [jobId, state, reason, start, ...rest] = line.trim().split("|");
    if (rest.length > 0 || !jobId || !/^[0-9]+$/.test(jobId) || !state || !/^[A-Z_]+$/.test(state)) continue;
    jobs.set(jobId, { jobId, state, reason: reason || "None", startedAt: parseSlurmTime(start) });
  }
  return jobs;
}

/**
 * A time as Slurm's commands print it with SLURM_TIME_FORMAT=standard (which the commands
 * are run with): `2026-12-06T23:38:20`, in the local time zone; "N/A", "Unknown" or
 * "None" for none.
 */
export function parseSlurmTime(text: string | undefined): Date | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/.exec(text?.trim() ?? "");
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [number, number, number, number, number, number];
  return new Date(year, month - 1, day, hour, minute, second);
}
