import { sbatchOptionRefusal } from "../src/runner/slurm/sbatch-options.ts";
import { CliError, list } from "./cli-error.ts";

/**
 * The sbatch options a repeatable flag holds (`--slurm-opt=--qos=long`), each checked as the
 * server checks them, so that a mistake is reported naming the flag. (Written after a space,
 * `--qos=long` would read as a flag of cubqueue's own, which cac refuses as unknown.)
 */
export function sbatchOptionsFlag(flag: string, value: unknown): string[] {
  return list(value).map((option) => {
    const refusal = sbatchOptionRefusal(option);
    if (refusal) throw new CliError(`Invalid ${flag} "${option}": ${refusal}.`, 2);
    return option;
  });
}
