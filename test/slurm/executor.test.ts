import { randomUUID } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import type { AttemptSpec } from "../../src/runner/executor.ts";
import { createSlurmCommands, findSlurmCommands, type SlurmCommandName } from "../../src/runner/slurm/slurm-commands.ts";
import { createSlurmExecutor, nodeInterpreters } from "../../src/runner/slurm/slurm-executor.ts";
import { makeTempDir } from "../support/temp-dir.ts";
import { jobInfo, jobState } from "./support.ts";

const POLL_MS = 250;

/** The Slurm executor on the test cluster, counting the commands it runs. */
async function setUp() {
  const real = createSlurmCommands({ paths: findSlurmCommands({}, process.env.PATH ?? "") });
  const calls: Array<{ name: SlurmCommandName; at: number }> = [];
  const errors: unknown[] = [];
  /** What ran when and what it answered, for the message of a test that waited in vain. */
  const history: string[] = [];
  const note = (line: string) => history.push(`${new Date().toISOString()} ${line}`);
  const commands = {
    has: real.has,
    run: async (name: SlurmCommandName, args: readonly string[], options?: Parameters<typeof real.run>[2]) => {
      calls.push({ name, at: Date.now() });
      note(`${name} ${args.join(" ")}`);
      try {
        const out = await real.run(name, args, options);
        note(`  → ${out.trim().replaceAll("\n", " / ").slice(0, 200)}`);
        return out;
      } catch (error) {
        note(`  → ${String(error)}`);
        throw error;
      }
    },
  };
  /** The promise's value, or a failure that tells what the executor ran meanwhile. */
  const within = async <T>(promise: Promise<T>, ms: number, what: string): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} took over ${ms} ms; errors: ${errors.map(String).join("; ")}; commands:\n${history.join("\n")}`)), ms);
    });
    try {
      return await Promise.race([promise, late]);
    } finally {
      clearTimeout(timer);
    }
  };
  const executor = createSlurmExecutor({ commands, site: { options: [] }, interpreters: nodeInterpreters({}), pollMs: POLL_MS, onError: (error) => errors.push(error) });
  const dir = await makeTempDir();
  onTestFinished(dir.remove);
  const spec = async (script: string): Promise<AttemptSpec> => {
    const taskId = randomUUID();
    const taskDir = join(dir.path, taskId);
    await mkdir(taskDir);
    await writeFile(join(taskDir, "job.sh"), script, { mode: 0o700 });
    return {
      taskId,
      attempt: 1,
      dir: taskDir,
      script: join(taskDir, "job.sh"),
      scriptSha256: null,
      resources: { cpus: 1, gpus: 0, gpuIds: null },
      args: [],
      env: { ...process.env, CUBQUEUE_TASK_ID: taskId } as Record<string, string>,
      logFile: join(taskDir, "log.txt"),
      exitFile: join(taskDir, "cubqueue.exit"),
      timeoutMs: null,
      slurmOptions: [],
    };
  };
  const squeues = (from = 0) => calls.filter((call) => call.name === "squeue" && call.at >= from).length;
  return { executor, spec, errors, squeues, within };
}

// Longer than the waits a test declares (`within`: up to 41.5 s in the first), so that a slow Slurm
// fails with what the executor ran meanwhile rather than with vitest's bare timeout.
describe("the Slurm executor on a real Slurm", { timeout: 60_000 }, () => {
  it("holds the job at submission, and its script runs only once released", async () => {
    const { executor, spec: specFor, errors, within } = await setUp();
    const spec = await specFor("#!/bin/sh\necho ran\n");
    const attempt = await within(executor.launch(spec), 10_000, "the launch");
    const jobId = String(attempt.handle.jobId);
    expect(await within(jobInfo(jobId), 10_000, "scontrol show job")).toMatchObject({ JobState: "PENDING", Reason: "JobHeldUser" });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await within(jobInfo(jobId), 10_000, "scontrol show job")).toMatchObject({ JobState: "PENDING", Reason: "JobHeldUser" });
    expect(await readFile(spec.logFile, "utf8")).toBe("");
    const released = Date.now();
    attempt.release();
    expect(await within(attempt.exited, 20_000, "the job's end")).toEqual({ kind: "exited", exitCode: 0, signal: null });
    expect(await readFile(spec.logFile, "utf8")).toBe("ran\n");
    // Slurm's clock has whole seconds.
    expect((await attempt.runningSince!).getTime()).toBeGreaterThan(released - 1_000);
    expect(errors).toEqual([]);
  });

  it("a closed gate cancels the held job: its script never runs", async () => {
    const { executor, spec: specFor } = await setUp();
    const spec = await specFor("#!/bin/sh\necho ran\n");
    const attempt = await executor.launch(spec);
    attempt.abandon();
    expect(await attempt.exited).toEqual({ kind: "not_started" });
    expect(await jobState(String(attempt.handle.jobId))).toBe("CANCELLED");
    expect(await readFile(spec.logFile, "utf8")).toBe("");
  });

  it("a job still held when its server went away is cancelled when found again, and reported never started", async () => {
    const { executor, spec: specFor } = await setUp();
    const spec = await specFor("#!/bin/sh\necho ran\n");
    const launched = await executor.launch(spec);
    launched.detach();
    const again = await setUp();
    const adopted = await again.executor.adopt({ taskId: spec.taskId, attempt: 1, handle: launched.handle, exitFile: spec.exitFile });
    expect(await adopted.exited).toEqual({ kind: "not_started" });
    expect(await jobState(String(launched.handle.jobId))).toBe("CANCELLED");
    expect(await readFile(spec.logFile, "utf8")).toBe("");
  });

  it("watches 20 jobs with one squeue per poll, and asks nothing once they are over", async () => {
    const { executor, spec: specFor, squeues } = await setUp();
    const started = Date.now();
    const attempts = await Promise.all(Array.from({ length: 20 }, async () => executor.launch(await specFor("#!/bin/sh\nsleep 1\n"))));
    for (const attempt of attempts) attempt.release();
    const exits = await Promise.all(attempts.map((attempt) => attempt.exited));
    expect(exits.every((exit) => exit.kind === "exited" && exit.exitCode === 0)).toBe(true);
    const elapsed = Date.now() - started;
    // One squeue per poll interval for all 20 jobs (one per job would be 20 times as many).
    expect(squeues()).toBeLessThanOrEqual(Math.ceil(elapsed / POLL_MS) + 1);
    const idleFrom = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 4 * POLL_MS));
    expect(squeues(idleFrom)).toBe(0);
  });
});
