import { execFile } from "node:child_process";
import { promisify } from "node:util";
import type { ServerConfigInput } from "../../src/config.ts";
import { requestStop, isProcessAlive } from "../../src/server/instance.ts";
import { createLayout } from "../../src/store/layout.ts";
import { waitUntil, type Requester } from "../support/api.ts";
import { startServerProcess, type ServerProcess } from "../support/process-server.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";

const run = promisify(execFile);

if (!process.env.SLURM_CONF) {
  throw new Error("The Slurm tests need a Slurm cluster: run them with `npm run test:slurm`, which starts one (tools/slurm-test-cluster.sh)");
}

/** How often the servers under test ask Slurm about their jobs: often, so that tests wait little. */
export const POLL_MS = 200;

/** The settings of a server that runs tasks on the test cluster. */
export const SLURM_SERVER: Partial<ServerConfigInput> = { executor: "slurm", slurmPollMs: POLL_MS, concurrency: undefined, killGraceMs: 1_000 };

/** A `cubqueue start --executor slurm` process with its own base dir, stopped (cancelling its tasks) when the test ends. */
export function startSlurmServer(overrides: Partial<ServerConfigInput> = {}): Promise<TestServer> {
  return startTestServer({ ...SLURM_SERVER, ...overrides });
}

/** A server process on a base dir the test keeps, for restarts. */
export function startSlurmServerOn(baseDir: string, overrides: Partial<ServerConfigInput> = {}): Promise<ServerProcess> {
  return startServerProcess(baseDir, { ...SLURM_SERVER, ...overrides });
}

/** Stops a server as `cubqueue stop` does (its tasks keep running in Slurm), and waits until it has exited. */
export async function stopLeavingTasks(baseDir: string, server: ServerProcess): Promise<void> {
  await requestStop(createLayout(baseDir), { cancelRunning: false });
  process.kill(server.pid, "SIGTERM");
  await waitUntil(() => !isProcessAlive(server.pid), 20_000);
}

/** Runs one of Slurm's commands on the test cluster; resolves with its stdout. */
export async function slurm(command: string, args: string[]): Promise<string> {
  return (await run(command, args, { env: process.env })).stdout;
}

/** What `scontrol show job` says of a job, field by field (JobState, Reason, TimeLimit, …). */
export async function jobInfo(jobId: string): Promise<Record<string, string>> {
  const text = await slurm("scontrol", ["show", "job", "--oneliner", jobId]);
  const fields: Record<string, string> = {};
  // Fields are `Name=value` separated by spaces; a value may hold spaces (a comment), so a field runs to the next ` Name=`.
  for (const match of text.trim().matchAll(/(?:^|\s)([A-Za-z/:]+)=(.*?)(?=\s+[A-Za-z/:]+=|$)/g)) fields[match[1]!] = match[2]!.trim();
  return fields;
}

/** A job's state as squeue shows it (any state), or "" once Slurm has forgotten it. */
export async function jobState(jobId: string): Promise<string> {
  try {
    return (await slurm("squeue", ["--noheader", "--states=all", `--jobs=${jobId}`, "--format=%T"])).trim();
  } catch {
    return "";
  }
}

/** Every job Slurm knows by this task's job name (cubqueue-<id>), in any state. */
export async function jobsOfTask(taskId: string): Promise<string[]> {
  const out = await slurm("squeue", ["--noheader", "--states=all", `--name=cubqueue-${taskId}`, "--format=%i"]);
  return out.split("\n").map((line) => line.trim()).filter(Boolean);
}

/** Polls the task until its latest attempt has a Slurm job, and returns the job's id. */
export async function slurmJobOf(server: Requester, taskId: string, timeoutMs = 20_000): Promise<string> {
  let jobId: string | null = null;
  await waitUntil(async () => {
    jobId = (await (await server.request(`/api/task/${taskId}`)).json()).slurm_job_id;
    return jobId !== null;
  }, timeoutMs);
  return jobId!;
}

/** Polls until Slurm runs the job. */
export async function waitJobRunning(jobId: string, timeoutMs = 20_000): Promise<void> {
  await waitUntil(async () => (await jobState(jobId)) === "RUNNING", timeoutMs);
}
