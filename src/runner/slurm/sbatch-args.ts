/** What a server sets on every job it submits (`cubqueue start --slurm-partition …`). */
export interface SlurmSite {
  partition?: string;
  account?: string;
  /** Passed to sbatch as they are, before the task's own (`--slurm-opt`). */
  options: readonly string[];
}

/** What a task needs of the cluster: CPUs for its one task, GPUs on its node. Absent: Slurm's defaults. */
export interface JobResources {
  cpus?: number;
  gpus?: number;
}

/** One attempt of a task, as a Slurm batch job. */
export interface JobRequest {
  taskId: string;
  /** The task's folder, the job's working directory. */
  dir: string;
  /** The job's stdout and stderr both go here (the task's log.txt, made for the attempt). */
  logFile: string;
  /** The task's time limit, or null for none. */
  timeoutMs: number | null;
  resources: JobResources;
  /** The task's own pass-through options; they come last, so they win over the server's. */
  taskOptions: readonly string[];
}

/**
 * The sbatch arguments of an attempt's job (its batch script comes on stdin). The job is held
 * (`--hold`) until CubQueue has recorded its id; Slurm never requeues it by itself
 * (`--no-requeue`: a retry is CubQueue's to decide, so nothing runs twice unasked); it runs
 * in the task's folder with the server's environment (`--export=ALL`: the CUBQUEUE_*
 * variables come through sbatch's own); its output is appended to the log CubQueue made
 * for it. Then the server's options, what the task's limits and resources map to, and the
 * task's own options, in that order: sbatch takes the last of an option given twice.
 */
export function sbatchArgs(site: SlurmSite, job: JobRequest): string[] {
  const log = slurmFilename(job.logFile);
  return [
    "--parsable",
    "--hold",
    "--no-requeue",
    "--export=ALL",
    `--job-name=${jobName(job.taskId)}`,
    `--chdir=${job.dir}`,
    `--output=${log}`,
    `--error=${log}`,
    "--open-mode=append",
    ...(site.partition ? [`--partition=${site.partition}`] : []),
    ...(site.account ? [`--account=${site.account}`] : []),
    ...site.options,
    ...(job.timeoutMs === null ? [] : [timeLimitOption(job.timeoutMs)]),
    ...resourceOptions(job.resources),
    ...job.taskOptions,
  ];
}

/** The job's name: the task's id, findable with `squeue --name`. */
export function jobName(taskId: string): string {
  return `cubqueue-${taskId}`;
}

/**
 * What a task's resources map to: `--cpus-per-task=N` for its CPUs and `--gres=gpu:N` for
 * its GPUs (a count: Slurm picks the devices and sets CUDA_VISIBLE_DEVICES on the node).
 * One CPU, every task's default and Slurm's, is left unsaid, so that a server's own
 * `--slurm-opt=--cpus-per-task=N` holds for the tasks that asked for nothing more.
 */
export function resourceOptions({ cpus, gpus }: JobResources): string[] {
  return [...(cpus === undefined || cpus <= 1 ? [] : [`--cpus-per-task=${cpus}`]), ...(gpus === undefined || gpus === 0 ? [] : [`--gres=gpu:${gpus}`])];
}

/**
 * Slurm's time limit for a task's: whole minutes (Slurm's unit), rounded up, so it is
 * never shorter. CubQueue's own deadline ends the job on time; Slurm's holds while no
 * server watches.
 */
export function timeLimitOption(timeoutMs: number): string {
  return `--time=${Math.max(1, Math.ceil(timeoutMs / 60_000))}`;
}

/** A path as sbatch's --output takes it: `%` starts a pattern there (`%j`), so a literal one is `%%`. */
export function slurmFilename(path: string): string {
  return path.replaceAll("%", "%%");
}
