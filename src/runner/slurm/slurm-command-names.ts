/**
 * The Slurm commands the executor runs; sacct is optional (only clusters with accounting
 * have it working). A module of its own, so that the config and the CLI name them without
 * loading what runs them.
 */
export const SLURM_COMMANDS = ["sbatch", "squeue", "scontrol", "scancel", "sacct"] as const;
export type SlurmCommandName = (typeof SLURM_COMMANDS)[number];
