import { randomUUID } from "node:crypto";
import { mkdir, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import type { AttemptSpec, Executor } from "../../../src/runner/executor.ts";
import { SlurmCommandError, type SlurmCommandName } from "../../../src/runner/slurm/slurm-commands.ts";
import { createSlurmExecutor, nodeInterpreters, runningSinceOf } from "../../../src/runner/slurm/slurm-executor.ts";
import { waitUntil } from "../../support/api.ts";
import { makeTempDir } from "../../support/temp-dir.ts";

interface Call {
  name: SlurmCommandName;
  args: string[];
  input?: string;
  env?: Readonly<Record<string, string | undefined>>;
}

/**
 * A Slurm that only answers: the commands the executor runs change and report job states the
 * test sets, so every branch of the executor runs in milliseconds. The Slurm tests
 * (test/slurm) run the same executor against a real slurmctld.
 */
function fakeSlurm() {
  const jobs = new Map<string, { state: string; reason: string; start?: string }>();
  const calls: Call[] = [];
  const failures = new Map<SlurmCommandName, number>();
  let nextId = 100;
  /** How long a release takes. */
  let releaseMs = 0;
  const fail = (name: SlurmCommandName, stderr: string) => new SlurmCommandError(name, 1, stderr, "exit 1");
  const commands = {
    has: (name: SlurmCommandName) => name !== "sacct",
    async run(name: SlurmCommandName, args: readonly string[], options: { input?: string; env?: Readonly<Record<string, string | undefined>> } = {}) {
      calls.push({ name, args: [...args], input: options.input, env: options.env });
      const failing = failures.get(name) ?? 0;
      if (failing > 0) {
        failures.set(name, failing - 1);
        throw fail(name, `${name}: error: Unable to contact slurm controller (connect failure)`);
      }
      const jobId = args.at(-1)!;
      switch (name) {
        case "sbatch": {
          const id = String(nextId++);
          jobs.set(id, { state: "PENDING", reason: "JobHeldUser" });
          return `${id}\n`;
        }
        case "scontrol":
          await new Promise((resolve) => setTimeout(resolve, releaseMs));
          for (const id of jobId.split(",")) if (jobs.get(id)?.reason === "JobHeldUser") jobs.set(id, { state: "PENDING", reason: "None" });
          return "";
        case "scancel": {
          const job = jobs.get(jobId);
          if (args.includes("--signal=TERM") && job?.state !== "RUNNING") throw fail(name, `scancel: error: Kill job error on job id ${jobId}: Job can not be altered now, try again later`);
          if (!args.some((arg) => arg.startsWith("--signal"))) jobs.set(jobId, { state: "CANCELLED", reason: job?.reason ?? "None" });
          return "";
        }
        case "squeue": {
          const ids = args.find((arg) => arg.startsWith("--jobs="))!.slice("--jobs=".length).split(",");
          return ids
            .filter((id) => jobs.has(id))
            .map((id) => `${id}|${jobs.get(id)!.state}|${jobs.get(id)!.reason}|${jobs.get(id)!.start ?? "N/A"}\n`)
            .join("");
        }
        default:
          throw fail(name, "not faked");
      }
    },
  };
  return {
    jobs,
    calls,
    commands,
    failTimes: (name: SlurmCommandName, times: number) => failures.set(name, times),
    slowReleases: (ms: number) => (releaseMs = ms),
    callsOf: (name: SlurmCommandName) => calls.filter((call) => call.name === name).map((call) => call.args),
  };
}

async function setUp() {
  const slurm = fakeSlurm();
  const errors: Array<{ error: unknown; context?: string }> = [];
  const executor = createSlurmExecutor({
    commands: slurm.commands,
    site: { partition: "batch", options: [] },
    interpreters: nodeInterpreters({}),
    pollMs: 10,
    onError: (error, context) => errors.push({ error, context }),
    retryBackoff: { firstMs: 10, maxMs: 20 },
  });
  const dir = await makeTempDir();
  onTestFinished(dir.remove);
  /** An attempt of a new task, in a folder of its own. */
  const spec = async (changes: Partial<AttemptSpec> = {}): Promise<AttemptSpec> => {
    const taskId = randomUUID();
    const taskDir = join(dir.path, taskId);
    await mkdir(taskDir);
    await writeFile(join(taskDir, "job.py"), "print('hi')\n");
    return {
      taskId,
      attempt: 1,
      dir: taskDir,
      script: join(taskDir, "job.py"),
      scriptSha256: null,
      resources: { cpus: 1, gpus: 0, gpuIds: null },
      args: [join(taskDir, "arg_file.json")],
      env: { PATH: "/usr/bin:/bin", CUBQUEUE_TASK_ID: taskId },
      logFile: join(taskDir, "log.txt"),
      exitFile: join(taskDir, "cubqueue.exit"),
      timeoutMs: 90_000,
      slurmOptions: ["--qos=long"],
      ...changes,
    };
  };
  return { slurm, errors, executor, spec, dir: dir.path };
}

const settled = async (executor: Executor, promise: Promise<unknown>) => {
  const marker = Symbol("pending");
  return (await Promise.race([promise, new Promise((resolve) => setTimeout(() => resolve(marker), 50))])) !== marker;
};

describe("the Slurm executor, over a Slurm that only answers", () => {
  it("submits a held job running the wrapped script, with the task's environment, and lets it go only on release", async () => {
    const { slurm, executor, spec: specFor } = await setUp();
    const spec = await specFor();
    const attempt = await executor.launch(spec);
    expect(attempt.handle).toEqual({ jobId: "100" });
    expect(attempt.description).toBe("Slurm job 100");
    const [submission] = slurm.calls;
    expect(submission!.name).toBe("sbatch");
    expect(submission!.args).toEqual(expect.arrayContaining(["--hold", `--job-name=cubqueue-${spec.taskId}`, "--partition=batch", "--time=2", "--qos=long"]));
    expect(submission!.env).toBe(spec.env);
    // The script runs on the node with the interpreter found there, not the server's path to it.
    expect(submission!.input).toContain(`'python3' '${spec.script}' '${spec.args[0]}'`);
    // Made empty and private before the job exists.
    for (const file of [spec.exitFile, spec.logFile]) expect(((await stat(file)).mode & 0o777).toString(8)).toBe("600");
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(slurm.jobs.get("100")).toMatchObject({ state: "PENDING", reason: "JobHeldUser" });
    attempt.release();
    await waitUntil(() => slurm.callsOf("scontrol").length === 1);
    expect(slurm.callsOf("scontrol")).toEqual([["release", "100"]]);
  });

  it("reports when the job began to run, and its end as the wrapper recorded it", async () => {
    const { slurm, executor, spec: specFor } = await setUp();
    const spec = await specFor();
    const attempt = await executor.launch(spec);
    attempt.release();
    await waitUntil(() => slurm.jobs.get("100")?.reason === "None");
    slurm.jobs.set("100", { state: "RUNNING", reason: "None", start: "2026-03-04T05:06:07" });
    // Slurm's time has whole seconds: the last instant of that second, so a time limit is never cut short.
    expect(await attempt.runningSince).toEqual(new Date(2026, 2, 4, 5, 6, 7, 999));
    await writeFile(spec.exitFile, "exit 0         \n");
    slurm.jobs.set("100", { state: "COMPLETED", reason: "None" });
    expect(await attempt.exited).toEqual({ kind: "exited", exitCode: 0, signal: null });
  });

  it("a job that ran and ended between two polls, never seen running, still says when it began", async () => {
    const { slurm, executor, spec: specFor } = await setUp();
    const spec = await specFor();
    const attempt = await executor.launch(spec);
    attempt.release();
    await waitUntil(() => slurm.jobs.get("100")?.reason === "None");
    await writeFile(spec.exitFile, "exit 0         \n");
    slurm.jobs.set("100", { state: "COMPLETED", reason: "None", start: "2026-03-04T05:06:07" });
    expect(await attempt.exited).toEqual({ kind: "exited", exitCode: 0, signal: null });
    expect(await attempt.runningSince).toEqual(new Date(2026, 2, 4, 5, 6, 7, 999));
  });

  it("stops a running job that ignores TERM Slurm's way: TERM to all its processes, then KILL after the grace, then scancel", async () => {
    const { slurm, executor, spec: specFor } = await setUp();
    const spec = await specFor();
    const attempt = await executor.launch(spec);
    attempt.release();
    await waitUntil(() => slurm.jobs.get("100")?.reason === "None");
    slurm.jobs.set("100", { state: "RUNNING", reason: "None" });
    await attempt.runningSince;
    attempt.terminate({ graceMs: 30 });
    attempt.terminate({ graceMs: 30 });
    await waitUntil(() => slurm.callsOf("scancel").length === 3);
    expect(slurm.callsOf("scancel")).toEqual([
      ["--full", "--signal=TERM", "100"],
      ["--full", "--signal=KILL", "100"],
      ["100"],
    ]);
    // A job that ignored TERM was killed with its wrapper: no record, and, CubQueue having
    // stopped it, no reason of Slurm's (the runner knows why it stopped it).
    expect(await attempt.exited).toEqual({ kind: "lost" });
  });

  it("ends a job that is not running yet with scancel alone, and a job that ends within the grace gets no KILL", async () => {
    const { slurm, executor, spec: specFor } = await setUp();
    const pending = await executor.launch(await specFor());
    pending.release();
    await waitUntil(() => slurm.jobs.get("100")?.reason === "None");
    // Seen pending, let go, by a poll: a signal would be refused (after scancel tried again for half a minute).
    const asked = slurm.callsOf("squeue").length;
    await waitUntil(() => slurm.callsOf("squeue").length > asked);
    pending.terminate({ graceMs: 10 });
    expect(await pending.exited).toEqual({ kind: "lost" });
    expect(slurm.callsOf("scancel")).toEqual([["100"]]);

    const spec = await specFor();
    const running = await executor.launch(spec);
    running.release();
    await waitUntil(() => slurm.jobs.get("101")?.reason === "None");
    slurm.jobs.set("101", { state: "RUNNING", reason: "None" });
    await running.runningSince;
    running.terminate({ graceMs: 200 });
    await writeFile(spec.exitFile, "exit 143       \n");
    slurm.jobs.set("101", { state: "FAILED", reason: "NonZeroExitCode" });
    await running.exited;
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(slurm.callsOf("scancel").slice(1)).toEqual([["--full", "--signal=TERM", "101"]]);
  });

  it("records Slurm's reason for a job it ended itself", async () => {
    const { slurm, executor, spec: specFor } = await setUp();
    const spec = await specFor();
    const attempt = await executor.launch(spec);
    attempt.release();
    await waitUntil(() => slurm.jobs.get("100")?.reason === "None");
    await writeFile(spec.exitFile, "exit 143       \n");
    slurm.jobs.set("100", { state: "TIMEOUT", reason: "TimeLimit" });
    expect(await attempt.exited).toEqual({ kind: "exited", exitCode: null, signal: "SIGTERM", endedBy: "Slurm ended job 100: its time limit was reached (TIMEOUT, TimeLimit)" });
  });

  it("closes the gate by cancelling the held job: its script never ran", async () => {
    const { slurm, executor, spec: specFor } = await setUp();
    const attempt = await executor.launch(await specFor());
    attempt.abandon();
    expect(await attempt.exited).toEqual({ kind: "not_started" });
    expect(slurm.callsOf("scancel")).toEqual([["100"]]);
    expect(slurm.callsOf("scontrol")).toEqual([]);
  });

  it("after a restart, cancels a job still held as it was submitted (never let go) and reports it never started", async () => {
    const { slurm, executor, spec: specFor } = await setUp();
    const spec = await specFor();
    const launched = await executor.launch(spec);
    launched.detach();
    const adopted = await executor.adopt({ taskId: spec.taskId, attempt: 1, handle: { jobId: "100" }, exitFile: spec.exitFile });
    expect(await adopted.exited).toEqual({ kind: "not_started" });
    expect(slurm.callsOf("scancel")).toEqual([["100"]]);
  });

  it("after a restart, watches a running job again, and one that ended meanwhile reads its record", async () => {
    const { slurm, executor, spec: specFor } = await setUp();
    const spec = await specFor();
    await writeFile(spec.exitFile, "exit 4         \n");
    slurm.jobs.set("55", { state: "COMPLETED", reason: "None" });
    const ended = await executor.adopt({ taskId: spec.taskId, attempt: 1, handle: { jobId: "55" }, exitFile: spec.exitFile });
    expect(await ended.exited).toEqual({ kind: "exited", exitCode: 4, signal: null });
    // Forgotten by Slurm: the record is all there is.
    const forgotten = await executor.adopt({ taskId: spec.taskId, attempt: 1, handle: { jobId: "56" }, exitFile: spec.exitFile });
    expect(await forgotten.exited).toEqual({ kind: "exited", exitCode: 4, signal: null });
    // Not a handle of Slurm's: nothing to watch, only the record.
    const unknown = await executor.adopt({ taskId: spec.taskId, attempt: 1, handle: { pid: 12 }, exitFile: join(spec.dir, "no-such-file") });
    expect(await unknown.exited).toEqual({ kind: "lost" });
    expect(slurm.callsOf("scancel")).toEqual([]);
  });

  it("tries a failed release again until it is done, reporting the failure once", async () => {
    const { slurm, errors, executor, spec: specFor } = await setUp();
    const attempt = await executor.launch(await specFor());
    slurm.failTimes("scontrol", 3);
    attempt.release();
    await waitUntil(() => slurm.jobs.get("100")?.reason === "None");
    expect(slurm.callsOf("scontrol")).toHaveLength(4);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.context).toBe("releasing Slurm job 100");
    expect(String(errors[0]!.error)).toMatch(/^SlurmCommandError: scontrol failed \(exit 1\): scontrol: error: Unable to contact slurm controller/);
    attempt.detach();
  });

  it("releases the jobs let go while a release runs together, with one scontrol for all of them", async () => {
    const { slurm, executor, spec: specFor } = await setUp();
    slurm.slowReleases(50);
    const attempts = await Promise.all([1, 2, 3, 4].map(async () => executor.launch(await specFor())));
    for (const attempt of attempts) attempt.release();
    await waitUntil(() => ["100", "101", "102", "103"].every((id) => slurm.jobs.get(id)?.reason === "None"));
    const calls = slurm.callsOf("scontrol");
    expect(calls.map(([command, jobs]) => [command, jobs!.split(",").length])).toEqual([
      ["release", 1],
      ["release", 3],
    ]);
    expect(calls.flatMap(([, jobs]) => jobs!.split(",")).sort()).toEqual(["100", "101", "102", "103"]);
    for (const attempt of attempts) attempt.detach();
  });

  it("fails a launch with sbatch's own words when sbatch refuses the job", async () => {
    const { slurm, executor, spec: specFor } = await setUp();
    slurm.failTimes("sbatch", 1);
    await expect(executor.launch(await specFor())).rejects.toThrow(/^sbatch failed \(exit 1\): sbatch: error: Unable to contact slurm controller/);
  });

  it("stops asking Slurm once it no longer watches a job", async () => {
    const { slurm, executor, spec: specFor } = await setUp();
    const attempt = await executor.launch(await specFor());
    attempt.release();
    await waitUntil(() => slurm.callsOf("squeue").length >= 2);
    attempt.detach();
    const asked = slurm.callsOf("squeue").length;
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(slurm.callsOf("squeue").length).toBe(asked);
    expect(await settled(executor, attempt.exited)).toBe(false);
  });
});

describe("when a running job began, for its time limit", () => {
  const job = (startedAt: Date | undefined) => ({ jobId: "1", state: "RUNNING", reason: "None", startedAt });
  it("is the last instant of the second Slurm gives, never later than now; now when Slurm gives none", () => {
    const now = new Date(2026, 5, 1, 12, 0, 30, 400).getTime();
    expect(runningSinceOf(job(new Date(2026, 5, 1, 12, 0, 10)), now)).toEqual(new Date(2026, 5, 1, 12, 0, 10, 999));
    expect(runningSinceOf(job(new Date(2026, 5, 1, 12, 0, 30)), now)).toEqual(new Date(now));
    expect(runningSinceOf(job(undefined), now)).toEqual(new Date(now));
  });
});

describe("the interpreters of jobs", () => {
  it("are found on the compute node's PATH by name, unless the server was given one", () => {
    const interpreters = nodeInterpreters({ python3: "/opt/python/bin/python3" });
    expect(interpreters.get("python3")).toBe("/opt/python/bin/python3");
    expect(interpreters.get("bash")).toBe("bash");
    expect(interpreters.get("Rscript")).toBe("Rscript");
  });
});
