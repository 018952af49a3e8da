import type { JobState } from "./job-state.ts";
import { parseSlurmTime } from "./squeue.ts";

/**
 * The sacct arguments that give the last state accounting recorded for these jobs (the job
 * allocations only, not their steps), one line each: `id|STATE|start`. Asked only about jobs
 * squeue no longer knows, on clusters that keep accounting.
 */
export function sacctArgs(jobIds: readonly string[]): string[] {
  return ["--noheader", "--parsable2", "--allocations", `--jobs=${jobIds.join(",")}`, "--format=JobIDRaw,State,Start"];
}

/**
 * sacct's lines (see sacctArgs) by job id. Its states can carry words after them
 * ("CANCELLED by 1042"); it has no reason for how a job ended, so the reason is "None".
 */
export function parseSacct(stdout: string): Map<string, JobState> {
  const jobs = new Map<string, JobState>();
  for (const line of stdout.split("\n")) {
    const [jobId, stateText, start, ...rest] = line.trim().split("|");
    const state = stateText?.split(" ")[0];
    if (rest.length > 0 || !jobId || !/^[0-9]+$/.test(jobId) || !state || !/^[A-Z_]+$/.test(state)) continue;
    jobs.set(jobId, { jobId, state, reason: "None", startedAt: parseSlurmTime(start) });
  }
  return jobs;
}
