import { badRequest } from "../errors.ts";
import { MAX_TASK_SBATCH_OPTIONS, sbatchOptionRefusal } from "../runner/slurm/sbatch-options.ts";

/**
 * Reads a submission's `slurm_options` field: a JSON array of sbatch options passed through
 * to the task's jobs, each whole (`["--qos=long", "--mem=4G"]`). Anything else, or an option
 * CubQueue sets itself, is a 400 saying which and why.
 */
export function parseSlurmOptionsField(text: string | undefined): string[] {
  if (text === undefined || text.trim() === "") return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed) || !parsed.every((option) => typeof option === "string")) {
    throw badRequest("invalid_field", 'Invalid slurm_options: send a JSON array of sbatch options, e.g. ["--qos=long", "--mem=4G"].');
  }
  if (parsed.length > MAX_TASK_SBATCH_OPTIONS) {
    throw badRequest("invalid_field", `Invalid slurm_options: at most ${MAX_TASK_SBATCH_OPTIONS} sbatch options per task, not ${parsed.length}.`);
  }
  for (const option of parsed as string[]) {
    const refusal = sbatchOptionRefusal(option);
    if (refusal) throw badRequest("invalid_field", `Invalid slurm_options entry ${JSON.stringify(option.slice(0, 100))}: ${refusal}.`);
  }
  return parsed as string[];
}
