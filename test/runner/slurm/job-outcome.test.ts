import { describe, expect, it } from "vitest";
import { jobOutcome, type JobEnd } from "../../../src/runner/slurm/job-outcome.ts";
import type { JobState } from "../../../src/runner/slurm/job-state.ts";

const state = (state: string, reason = "None"): JobState => ({ jobId: "917", state, reason, startedAt: undefined });
const end = (changes: Partial<JobEnd>): JobEnd => ({ jobId: "917", final: state("COMPLETED"), wrapper: "none", abandoned: false, stoppedHere: false, ...changes });
const exited = (exitCode: number | null, signal: string | null = null) => ({ kind: "exited", exitCode, signal }) as const;

describe("what a Slurm job's end means for its attempt", () => {
  it("a job whose script ended by itself: the wrapper's record, as it is", () => {
    expect(jobOutcome(end({ wrapper: exited(0) }))).toEqual(exited(0));
    expect(jobOutcome(end({ final: state("FAILED", "NonZeroExitCode"), wrapper: exited(3) }))).toEqual(exited(3));
    // Slurm forgot it meanwhile: the record is all there is, and enough.
    expect(jobOutcome(end({ final: undefined, wrapper: exited(1) }))).toEqual(exited(1));
  });

  it("a job Slurm ended itself: how the script ended, with Slurm's reason", () => {
    expect(jobOutcome(end({ final: state("TIMEOUT", "TimeLimit"), wrapper: exited(null, "SIGTERM") }))).toEqual({
      ...exited(null, "SIGTERM"),
      endedBy: "Slurm ended job 917: its time limit was reached (TIMEOUT, TimeLimit)",
    });
    expect(jobOutcome(end({ final: state("CANCELLED"), wrapper: exited(143) }))).toEqual({
      ...exited(143),
      endedBy: "Slurm ended job 917: it was cancelled outside CubQueue (scancel) (CANCELLED)",
    });
    expect(jobOutcome(end({ final: state("PREEMPTED"), wrapper: exited(null, "SIGTERM") }))).toMatchObject({ endedBy: expect.stringContaining("it was preempted") });
    expect(jobOutcome(end({ final: state("OUT_OF_MEMORY"), wrapper: exited(null, "SIGKILL") }))).toMatchObject({ endedBy: expect.stringContaining("ran out of memory") });
  });

  it("a script that exited 0 succeeded, whatever Slurm did to the job afterwards", () => {
    expect(jobOutcome(end({ final: state("PREEMPTED"), wrapper: exited(0) }))).toEqual(exited(0));
  });

  it("a job Slurm killed outright (no record): lost, with Slurm's reason, and whether its script had started", () => {
    expect(jobOutcome(end({ final: state("NODE_FAIL", "NodeDown"), wrapper: "running" }))).toEqual({
      kind: "lost",
      endedBy: "Slurm ended job 917: its node failed (NODE_FAIL, NodeDown)",
    });
    expect(jobOutcome(end({ final: state("CANCELLED"), wrapper: "none" }))).toEqual({
      kind: "lost",
      endedBy: "Slurm ended job 917: it was cancelled outside CubQueue (scancel) (CANCELLED), before its script started",
    });
    expect(jobOutcome(end({ final: state("FAILED", "JobLaunchFailure"), wrapper: "none" }))).toEqual({
      kind: "lost",
      endedBy: "Slurm job 917 ended (FAILED, JobLaunchFailure) before its script started; Slurm's messages, if any, are in its log",
    });
    expect(jobOutcome(end({ final: state("FAILED"), wrapper: "running" }))).toMatchObject({ endedBy: expect.stringContaining("and its script left no exit status") });
  });

  it("a job CubQueue stopped: its CANCELLED state is no reason of Slurm's (the runner knows why it stopped it)", () => {
    expect(jobOutcome(end({ final: state("CANCELLED"), wrapper: exited(null, "SIGTERM"), stoppedHere: true }))).toEqual(exited(null, "SIGTERM"));
    expect(jobOutcome(end({ final: state("CANCELLED"), wrapper: "running", stoppedHere: true }))).toEqual({ kind: "lost" });
    expect(jobOutcome(end({ final: state("CANCELLED"), wrapper: "none", stoppedHere: true }))).toEqual({ kind: "lost" });
    // Slurm's own time limit can still come first.
    expect(jobOutcome(end({ final: state("TIMEOUT"), wrapper: "running", stoppedHere: true }))).toMatchObject({ endedBy: expect.stringContaining("time limit") });
  });

  it("a job whose gate CubQueue closed never ran its script", () => {
    expect(jobOutcome(end({ final: state("CANCELLED", "JobHeldUser"), wrapper: "none", abandoned: true }))).toEqual({ kind: "not_started" });
    expect(jobOutcome(end({ final: undefined, wrapper: "none", abandoned: true }))).toEqual({ kind: "not_started" });
  });

  it("a job Slurm no longer knows, without a record: lost, with nothing more to say", () => {
    expect(jobOutcome(end({ final: undefined, wrapper: "running" }))).toEqual({ kind: "lost" });
    expect(jobOutcome(end({ final: undefined, wrapper: "none" }))).toEqual({ kind: "lost" });
  });
});
