/** The Slurm executor's handle: the job's id, as sbatch printed it (text: ids are not numbers to compute with). */
export interface SlurmHandle {
  jobId: string;
  [key: string]: string;
}

/** A recorded handle, if it is one this executor gave out. */
export function slurmHandleOf(handle: unknown): SlurmHandle | undefined {
  const { jobId } = (handle ?? {}) as Partial<SlurmHandle>;
  return typeof jobId === "string" && /^[0-9]{1,12}$/.test(jobId) ? { jobId } : undefined;
}

/**
 * What sbatch --parsable printed: `<job id>` or `<job id>;<cluster>`, after any warnings
 * on lines of their own. Throws when it holds no job id.
 */
export function parseSbatchOutput(stdout: string): string {
  const lines = stdout.split("\n").map((line) => line.trim()).filter(Boolean);
  const jobId = lines.at(-1)?.split(";")[0];
  if (!jobId || !/^[0-9]{1,12}$/.test(jobId)) throw new Error(`sbatch printed no job id: "${stdout.trim().slice(0, 200)}"`);
  return jobId;
}
