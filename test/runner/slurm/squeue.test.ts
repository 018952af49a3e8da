import { describe, expect, it } from "vitest";
import { parseSacct, sacctArgs } from "../../../src/runner/slurm/sacct.ts";
import { isNoSuchJobs, parseSlurmTime, parseSqueue, squeueArgs } from "../../../src/runner/slurm/squeue.ts";

describe("squeue, as the executor asks it and reads it", () => {
  it("is asked about every watched job at once, whatever its state, one line each", () => {
    expect(squeueArgs(["12", "13", "917"])).toEqual(["--noheader", "--states=all", "--jobs=12,13,917", "--format=%i|%T|%r|%S"]);
  });

  it("reads each job's state, reason and start, and skips what is not a job's line", () => {
    const jobs = parseSqueue(
      [
        "26|PENDING|JobHeldUser|N/A",
        "27|RUNNING|None|2026-12-06T23:38:20",
        "4|TIMEOUT|TimeLimit|2026-12-06T23:33:23",
        "squeue: warning: something to say",
        "",
        "28|COMPLETING|",
      ].join("\n"),
    );
    expect([...jobs.keys()]).toEqual(["26", "27", "4", "28"]);
    expect(jobs.get("26")).toEqual({ jobId: "26", state: "PENDING", reason: "JobHeldUser", startedAt: undefined });
    expect(jobs.get("27")).toEqual({ jobId: "27", state: "RUNNING", reason: "None", startedAt: new Date(2026, 11, 6, 23, 38, 20) });
    expect(jobs.get("4")?.reason).toBe("TimeLimit");
    expect(jobs.get("28")).toEqual({ jobId: "28", state: "COMPLETING", reason: "None", startedAt: undefined });
  });

  it("tells the answer 'none of these jobs is known any more' from a failure", () => {
    expect(isNoSuchJobs("slurm_load_jobs error: Invalid job id specified")).toBe(true);
    expect(isNoSuchJobs("squeue: error: Unable to contact slurm controller (connect failure)")).toBe(false);
  });

  it("reads Slurm's times in the local time zone, and none where there is none", () => {
    expect(parseSlurmTime("2026-01-02T03:04:05")).toEqual(new Date(2026, 0, 2, 3, 4, 5));
    for (const none of ["N/A", "Unknown", "None", "", undefined, "1796599905"]) expect(parseSlurmTime(none)).toBeUndefined();
  });
});

describe("sacct, for jobs Slurm's controller has forgotten", () => {
  it("is asked about the allocations only, parsable, one line each", () => {
    expect(sacctArgs(["1", "2"])).toEqual(["--noheader", "--parsable2", "--allocations", "--jobs=1,2", "--format=JobIDRaw,State,Start"]);
  });

  it("reads each job's state, without what follows it (who cancelled it)", () => {
    const jobs = parseSacct(["4|TIMEOUT|2026-12-06T23:33:23", "2|CANCELLED by 0|2026-12-06T23:32:00", "3|NODE_FAIL|Unknown", "garbage"].join("\n"));
    expect(jobs.get("4")).toEqual({ jobId: "4", state: "TIMEOUT", reason: "None", startedAt: new Date(2026, 11, 6, 23, 33, 23) });
    expect(jobs.get("2")?.state).toBe("CANCELLED");
    expect(jobs.get("3")).toEqual({ jobId: "3", state: "NODE_FAIL", reason: "None", startedAt: undefined });
    expect(jobs.size).toBe(3);
  });
});
