import { describe, expect, it } from "vitest";
import { jobName, resourceOptions, sbatchArgs, slurmFilename, timeLimitOption, type JobRequest } from "../../../src/runner/slurm/sbatch-args.ts";

const TASK_ID = "5df1a3b3-49ab-4559-8478-d874c3a4d741";
const job = (changes: Partial<JobRequest> = {}): JobRequest => ({
  taskId: TASK_ID,
  dir: `/shared/base/tasks/${TASK_ID}`,
  logFile: `/shared/base/tasks/${TASK_ID}/log.txt`,
  timeoutMs: null,
  resources: {},
  taskOptions: [],
  ...changes,
});

describe("the sbatch arguments of an attempt's job", () => {
  it("hold the job, never requeue it, name it after the task, and append its output to the task's log, in its folder", () => {
    expect(sbatchArgs({ options: [] }, job())).toEqual([
      "--parsable",
      "--hold",
      "--no-requeue",
      "--export=ALL",
      `--job-name=cubqueue-${TASK_ID}`,
      `--chdir=/shared/base/tasks/${TASK_ID}`,
      `--output=/shared/base/tasks/${TASK_ID}/log.txt`,
      `--error=/shared/base/tasks/${TASK_ID}/log.txt`,
      "--open-mode=append",
    ]);
  });

  it("add the server's partition, account and options, then the task's limits and resources, then the task's own options, which win", () => {
    const args = sbatchArgs(
      { partition: "batch", account: "lab", options: ["--qos=normal", "--mem=1G"] },
      job({ timeoutMs: 90_000, resources: { cpus: 4, gpus: 2 }, taskOptions: ["--qos=long"] }),
    );
    expect(args.slice(9)).toEqual(["--partition=batch", "--account=lab", "--qos=normal", "--mem=1G", "--time=2", "--cpus-per-task=4", "--gres=gpu:2", "--qos=long"]);
    // sbatch takes the last of an option given twice: the task's.
    expect(args.lastIndexOf("--qos=long")).toBeGreaterThan(args.indexOf("--qos=normal"));
  });

  it("escape a % in the log's path, which sbatch would read as a pattern; the folder is taken as it is", () => {
    const args = sbatchArgs({ options: [] }, job({ dir: "/data/100%/t", logFile: "/data/100%/t/log.txt" }));
    expect(args).toContain("--output=/data/100%%/t/log.txt");
    expect(args).toContain("--chdir=/data/100%/t");
    expect(slurmFilename("/a/%j%%/b")).toBe("/a/%%j%%%%/b");
  });
});

describe("what a task's resources and limits map to", () => {
  it("CPUs to --cpus-per-task and GPUs to --gres=gpu:N; none, one CPU (the default, so a server's own --cpus-per-task holds), or 0 GPUs, to nothing", () => {
    expect(resourceOptions({ cpus: 4, gpus: 2 })).toEqual(["--cpus-per-task=4", "--gres=gpu:2"]);
    expect(resourceOptions({ cpus: 1 })).toEqual([]);
    expect(sbatchArgs({ options: ["--cpus-per-task=2"] }, job({ resources: { cpus: 1 } })).filter((arg) => arg.startsWith("--cpus-per-task"))).toEqual(["--cpus-per-task=2"]);
    expect(sbatchArgs({ options: ["--cpus-per-task=2"] }, job({ resources: { cpus: 3 } })).filter((arg) => arg.startsWith("--cpus-per-task")).at(-1)).toBe("--cpus-per-task=3");
    expect(resourceOptions({ gpus: 1 })).toEqual(["--gres=gpu:1"]);
    expect(resourceOptions({ cpus: 2, gpus: 0 })).toEqual(["--cpus-per-task=2"]);
    expect(resourceOptions({})).toEqual([]);
  });

  it("a time limit to whole minutes, rounded up, never shorter than the task's", () => {
    const cases: Array<[number, string]> = [
      [1, "--time=1"],
      [2_000, "--time=1"],
      [60_000, "--time=1"],
      [60_001, "--time=2"],
      [90_000, "--time=2"],
      [2 * 3600_000, "--time=120"],
      [365 * 24 * 3600_000, "--time=525600"],
    ];
    for (const [ms, option] of cases) expect(timeLimitOption(ms), `${ms} ms`).toBe(option);
  });

  it("the job's name carries the task's id", () => {
    expect(jobName(TASK_ID)).toBe(`cubqueue-${TASK_ID}`);
  });
});
