import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { CubQueueClient } from "../../src/client/index.ts";
import { registerScript, submitOk, waitFinished } from "../support/api.ts";
import { makeTempDir } from "../support/temp-dir.ts";
import { jobInfo, jobsOfTask, startSlurmServer } from "./support.ts";

/** Says where and how it runs, reads its argument file and upload, and leaves a result and a note. */
const REPORTER = `#!/bin/sh
echo "task $CUBQUEUE_TASK_ID in $(pwd) as Slurm job $SLURM_JOB_ID ($SLURM_JOB_NAME)"
echo "cpus per task: \${SLURM_CPUS_PER_TASK:-unset}; gpus: \${CUDA_VISIBLE_DEVICES:-none}"
cat "$1"
echo
cat "$CUBQUEUE_FILES_DIR"/* | tr a-z A-Z > "$CUBQUEUE_OUTPUT_DIR/result.txt"
echo intermediate > "$CUBQUEUE_METADATA_DIR/note.txt"
echo "to stderr" >&2
`;

describe("tasks on a server started with --executor slurm", () => {
  it("run as one Slurm job each, named after the task, in its folder, with its log, archives and record as on a local server", async () => {
    const server = await startSlurmServer();
    await registerScript(server, "reporter", "reporter.sh", REPORTER);
    const { task_id } = await submitOk(server, "reporter", { args: { reads: "<file1>" }, files: [{ name: "reads.fq", content: "acgt\n" }] });
    const task = await waitFinished(server, task_id);
    expect(task).toMatchObject({ status: "succeeded", exit_code: 0, executor: "slurm", attempts: 1, error: null });
    const jobId: string = task.slurm_job_id;
    expect(jobId).toMatch(/^[0-9]+$/);
    expect(task.attempt_history).toMatchObject([{ number: 1, executor: "slurm", slurm_job_id: jobId, pid: null, log: "log.txt" }]);

    const dir = join(server.baseDir, "tasks", task_id);
    const log = await readFile(join(dir, "log.txt"), "utf8");
    expect(log).toContain(`task ${task_id} in ${dir} as Slurm job ${jobId} (cubqueue-${task_id})`);
    expect(log).toContain(`{"reads":"${join(dir, "files")}/`);
    expect(log).toContain("to stderr\n");
    expect(await readFile(join(dir, "cubqueue.exit"), "utf8")).toMatch(/^exit 0 +\n$/);

    const client = new CubQueueClient(server.url);
    expect(await client.getTaskLog(task_id, 1)).toBe("to stderr\n");
    const work = await makeTempDir();
    onTestFinished(work.remove);
    await client.downloadTaskResult(task_id, join(work.path, "result"));
    expect(await readFile(join(work.path, "result", "result.txt"), "utf8")).toBe("ACGT\n");
    await client.downloadTaskMetadata(task_id, join(work.path, "meta"), { format: "tar" });
    expect(await readFile(join(work.path, "meta", "note.txt"), "utf8")).toBe("intermediate\n");

    // One job, as CubQueue submitted it: its name, folder and output, and never requeued by Slurm.
    expect(await jobsOfTask(task_id)).toEqual([jobId]);
    expect(await jobInfo(jobId)).toMatchObject({
      JobName: `cubqueue-${task_id}`,
      JobState: "COMPLETED",
      WorkDir: dir,
      StdOut: join(dir, "log.txt"),
      StdErr: join(dir, "log.txt"),
      Requeue: "0",
    });
  });

  it("give each job the server's partition, account and options, the task's time limit in minutes, and the task's own options, which win", async () => {
    const server = await startSlurmServer({
      slurmPartition: "debug",
      slurmAccount: "lab",
      slurmOptions: ["--comment=from the server", "--cpus-per-task=2"],
    });
    await registerScript(server, "reporter", "reporter.sh", REPORTER);
    const { task_id } = await submitOk(server, "reporter", {
      args: {},
      files: [{ name: "x.txt", content: "x" }],
      fields: { timeout_s: "90", slurm_options: JSON.stringify(["--comment=from the task", "--mem=50M"]) },
    });
    const task = await waitFinished(server, task_id);
    expect(task).toMatchObject({ status: "succeeded", slurm_options: ["--comment=from the task", "--mem=50M"] });
    expect(await jobInfo(task.slurm_job_id)).toMatchObject({
      Partition: "debug",
      Account: "lab",
      Comment: "from the task",
      TimeLimit: "00:02:00",
      NumCPUs: "2",
      "CPUs/Task": "2",
      MinMemoryNode: "50M",
    });
    expect(await readFile(join(server.baseDir, "tasks", task_id, "log.txt"), "utf8")).toContain("cpus per task: 2; gpus: none");
  });

  it("give a job that asks for GPUs its GPUs from Slurm (on a node whose GPUs are stand-ins)", async () => {
    const server = await startSlurmServer();
    await registerScript(server, "reporter", "reporter.sh", REPORTER);
    const { task_id } = await submitOk(server, "reporter", {
      args: {},
      files: [{ name: "x.txt", content: "x" }],
      fields: { slurm_options: JSON.stringify(["--gres=gpu:1"]) },
    });
    const task = await waitFinished(server, task_id);
    expect(task.status).toBe("succeeded");
    expect(await jobInfo(task.slurm_job_id)).toMatchObject({ TresPerNode: "gres:gpu:1" });
    expect(await readFile(join(server.baseDir, "tasks", task_id, "log.txt"), "utf8")).toMatch(/gpus: [0-9]\n/);
  });

  it("a script that fails, fails with its exit code, as locally", async () => {
    const server = await startSlurmServer();
    await registerScript(server, "failing", "failing.sh", "#!/bin/sh\necho before\nexit 7\n");
    const { task_id } = await submitOk(server, "failing", { args: {} });
    const task = await waitFinished(server, task_id);
    expect(task).toMatchObject({ status: "failed", exit_code: 7, signal: null, error: "the script exited with code 7", executor: "slurm" });
    expect(await jobInfo(task.slurm_job_id)).toMatchObject({ JobState: "FAILED", ExitCode: "7:0" });
  });
});
