import { describe, expect, it } from "vitest";
import type { JobState } from "../../../src/runner/slurm/job-state.ts";
import { createJobWatcher, type JobWatcherOptions } from "../../../src/runner/slurm/job-watcher.ts";
import { waitUntil } from "../../support/api.ts";

const job = (jobId: string, state: string): JobState => ({ jobId, state, reason: "None", startedAt: undefined });

/** A Slurm whose jobs the test sets, counting the questions asked. */
function fakeSlurm() {
  const states = new Map<string, string>();
  const queries: string[][] = [];
  let failNext = 0;
  const queryJobs: JobWatcherOptions["queryJobs"] = async (ids) => {
    queries.push([...ids]);
    if (failNext > 0) {
      failNext--;
      throw new Error("squeue failed (exit 1): Unable to contact slurm controller");
    }
    return new Map(ids.filter((id) => states.has(id)).map((id) => [id, job(id, states.get(id)!)]));
  };
  return { states, queries, queryJobs, failTimes: (times: number) => (failNext = times) };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("the job watcher", () => {
  it("asks about all its jobs with one query per poll, and polls no more once none is watched", async () => {
    const slurm = fakeSlurm();
    const watcher = createJobWatcher({ queryJobs: slurm.queryJobs, pollMs: 20, onError: () => {} });
    expect(watcher.scheduled).toBe(false);
    const seen = new Map<string, string[]>();
    const stops = ["1", "2", "3"].map((id) => {
      slurm.states.set(id, "RUNNING");
      return watcher.watch(id, (state) => seen.set(id, [...(seen.get(id) ?? []), state?.state ?? "gone"]));
    });
    await waitUntil(() => slurm.queries.length >= 3);
    expect(slurm.queries.slice(0, 3)).toEqual([["1", "2", "3"], ["1", "2", "3"], ["1", "2", "3"]]);
    expect(seen.get("2")?.slice(0, 3)).toEqual(["RUNNING", "RUNNING", "RUNNING"]);
    for (const stop of stops) stop();
    expect(watcher.scheduled).toBe(false);
    const asked = slurm.queries.length;
    await sleep(100);
    expect(slurm.queries.length).toBe(asked);
  });

  it("reports a failed poll once per streak and asks again at the next", async () => {
    const slurm = fakeSlurm();
    const errors: unknown[] = [];
    const watcher = createJobWatcher({ queryJobs: slurm.queryJobs, pollMs: 10, onError: (error) => errors.push(error) });
    slurm.states.set("7", "PENDING");
    slurm.failTimes(3);
    const seen: string[] = [];
    const stop = watcher.watch("7", (state) => seen.push(state?.state ?? "gone"));
    await waitUntil(() => seen.length > 0);
    stop();
    expect(errors).toHaveLength(1);
    expect(String(errors[0])).toMatch(/Unable to contact/);
    expect(slurm.queries.length).toBeGreaterThanOrEqual(4);
    expect(seen[0]).toBe("PENDING");
  });

  it("keeps telling every job when one job's listener throws, and reports the throw", async () => {
    const slurm = fakeSlurm();
    const errors: unknown[] = [];
    const watcher = createJobWatcher({ queryJobs: slurm.queryJobs, pollMs: 10, onError: (error) => errors.push(error) });
    slurm.states.set("1", "RUNNING");
    slurm.states.set("2", "RUNNING");
    const told: string[] = [];
    const stopFirst = watcher.watch("1", () => {
      throw new Error("a listener's bug");
    });
    const stopSecond = watcher.watch("2", (state) => told.push(state!.state));
    await waitUntil(() => told.length >= 2);
    stopFirst();
    stopSecond();
    expect(String(errors[0])).toMatch(/a listener's bug/);
  });

  it("takes a job missing from two polls in a row as forgotten, and asks accounting about it", async () => {
    const slurm = fakeSlurm();
    const accountingAsked: string[][] = [];
    const watcher = createJobWatcher({
      queryJobs: slurm.queryJobs,
      queryForgotten: async (ids) => {
        accountingAsked.push([...ids]);
        return new Map([["8", job("8", "TIMEOUT")]]);
      },
      pollMs: 10,
      onError: () => {},
    });
    slurm.states.set("9", "RUNNING");
    const seen = new Map<string, Array<string | undefined>>();
    const stops = ["8", "9"].map((id) =>
      watcher.watch(id, (state) => {
        seen.set(id, [...(seen.get(id) ?? []), state?.state]);
        // As the executor does: a job over, or forgotten, is watched no more.
        if (!state || state.state === "TIMEOUT") stop(id);
      }),
    );
    const stop = (id: string) => stops[Number(id) - 8]!();
    slurm.states.set("8", "RUNNING");
    await waitUntil(() => (seen.get("8")?.length ?? 0) >= 1);
    slurm.states.delete("8");
    slurm.states.delete("9");
    await waitUntil(() => (seen.get("9") ?? []).includes(undefined));
    // 8 was missing twice, then accounting knew it; 9 is gone from both.
    expect(seen.get("8")!.at(-1)).toBe("TIMEOUT");
    expect(accountingAsked.flat().sort()).toEqual(["8", "9"]);
    expect(watcher.size).toBe(0);
    expect(watcher.scheduled).toBe(false);
  });

  it("splits a very long list of jobs over several squeue calls, each under the argument size limit", async () => {
    const slurm = fakeSlurm();
    const watcher = createJobWatcher({ queryJobs: slurm.queryJobs, pollMs: 5, onError: () => {} });
    const stops = Array.from({ length: 12_001 }, (_, index) => {
      slurm.states.set(String(index + 1), "RUNNING");
      return watcher.watch(String(index + 1), () => {});
    });
    await waitUntil(() => slurm.queries.length >= 3);
    for (const stop of stops) stop();
    expect(slurm.queries.slice(0, 3).map((ids) => ids.length)).toEqual([5000, 5000, 2001]);
    expect(Math.max(...slurm.queries.map((ids) => ids.join(",").length))).toBeLessThan(128 * 1024);
  });
});
