import type { ProcessExit } from "../executor.ts";
import { endedBySlurm, stateInWords, type JobState } from "./job-state.ts";

/** Everything known of a job once it is over. */
export interface JobEnd {
  jobId: string;
  /** Slurm's last word on it; undefined when Slurm no longer knows the job (and accounting, if any, does not either). */
  final: JobState | undefined;
  /** What its wrapper left in the exit file (see readWrapperProgress). */
  wrapper: "none" | "running" | ProcessExit;
  /** CubQueue cancelled it while it was still held: its script was never let run. */
  abandoned: boolean;
  /** CubQueue asked Slurm to stop it (a cancel, a time limit): a CANCELLED state is then CubQueue's own doing. */
  stoppedHere: boolean;
}

/**
 * What a job's end means for its attempt. The wrapper's record says how the script ended;
 * Slurm's state says why, when Slurm ended it itself (its time limit, a node failure, a
 * preemption, a cancel from outside): that reason goes with a failure (`endedBy`). A job
 * whose wrapper left no record is lost, with what Slurm says of it when it still knows it.
 */
export function jobOutcome({ jobId, final, wrapper, abandoned, stoppedHere }: JobEnd): ProcessExit {
  const endedBy = final && !(stoppedHere && final.state === "CANCELLED") ? endedBySlurm(final) : undefined;
  if (typeof wrapper !== "string") {
    if (wrapper.kind === "exited" && wrapper.exitCode !== 0 && endedBy) return { ...wrapper, endedBy };
    return wrapper;
  }
  if (wrapper === "none" && abandoned) return { kind: "not_started" };
  if (endedBy) return { kind: "lost", endedBy: wrapper === "none" ? `${endedBy}, before its script started` : endedBy };
  // Slurm knows the job ended but not why the wrapper wrote nothing: its messages are in the log.
  if (final && !stoppedHere) {
    const how = wrapper === "none" ? "before its script started" : "and its script left no exit status";
    return { kind: "lost", endedBy: `Slurm job ${jobId} ended (${stateInWords(final)}) ${how}; Slurm's messages, if any, are in its log` };
  }
  return { kind: "lost" };
}
