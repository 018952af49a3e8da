/**
 * The sbatch options CubQueue sets on every job itself, or that would take a job out of its
 * hands: where its output goes and how the file is opened, its name, folder, hold and
 * environment; what sbatch prints (the job id is read from it) and whether it submits at
 * all; and anything that would run the job more than once or somewhere CubQueue does not
 * watch (Slurm's own requeue, arrays, other clusters). Checked against the options a server
 * or a task passes through.
 */
const RESERVED = Object.freeze([
  "--output",
  "--error",
  "--input",
  "--open-mode",
  "--job-name",
  "--chdir",
  "--hold",
  "--export",
  "--export-file",
  "--parsable",
  "--wrap",
  "--wait",
  "--test-only",
  "--array",
  "--requeue",
  "--no-requeue",
  "--clusters",
  "--help",
  "--usage",
  "--version",
]);

/** The most pass-through options one task may carry, and the longest one. */
export const MAX_TASK_SBATCH_OPTIONS = 32;
export const MAX_SBATCH_OPTION_LENGTH = 1000;

/**
 * Why an sbatch option passed through (`--qos=long`) is refused, or undefined when it may be
 * passed. Options are given whole, one per argument, in their long form: `--name` or
 * `--name=value` (a value may hold spaces; it reaches sbatch as one argument, unsplit).
 * sbatch takes any unambiguous prefix of a long option's name, so a name that could stand
 * for one CubQueue sets (`--out`) is refused too.
 */
export function sbatchOptionRefusal(option: string): string | undefined {
  if (option.length > MAX_SBATCH_OPTION_LENGTH) return `it is longer than ${MAX_SBATCH_OPTION_LENGTH} characters`;
  const match = /^(--[a-zA-Z0-9][a-zA-Z0-9-]*)(=[^\0\r\n]*)?$/.exec(option);
  if (!match) {
    return /^-[a-zA-Z]/.test(option)
      ? "give sbatch options in their long form, as --name=value (e.g. --qos=long, not -q long)"
      : "give one sbatch option as --name or --name=value, e.g. --qos=long";
  }
  const name = match[1]!.toLowerCase();
  const reserved = RESERVED.find((each) => each.startsWith(name));
  if (reserved === undefined) return undefined;
  const stands = reserved === name ? reserved : `${name} (it could stand for ${reserved})`;
  return `CubQueue sets ${stands} itself or does not allow it: it names each job, sends its output to the task's log.txt, holds it until it is recorded, runs it once and watches it on this cluster`;
}
