import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import { z } from "zod";
import { parseByteSize } from "./byte-size.ts";
import { sbatchOptionRefusal } from "./runner/slurm/sbatch-options.ts";
import { SLURM_COMMANDS } from "./runner/slurm/slurm-command-names.ts";

/** Where tasks run: processes on this machine, or Slurm batch jobs. */
export const EXECUTORS = ["local", "slurm"] as const;
export type ExecutorName = (typeof EXECUTORS)[number];

/** Whether tasks are started by the task launcher where it can run ("auto"), or always by the server itself ("off"). */
export const LAUNCHER_SETTINGS = ["auto", "off"] as const;
export type LauncherSetting = (typeof LAUNCHER_SETTINGS)[number];

/** The most jobs a Slurm server may keep in Slurm at once (`--concurrency`), and the most local processes. */
const MAX_SLURM_JOBS = 1_000_000;
const MAX_LOCAL_PROCESSES = 1024;

/** A partition or account name as sbatch takes it: one word. */
const slurmName = (what: string) =>
  z
    .string()
    .regex(/^[^\s\0]+$/, `a Slurm ${what} name is one word, without spaces`)
    .optional();

/**
 * Everything a server needs to know, validated once. Entry points build it from
 * command-line flags and the environment (below); tests build it directly.
 */
const ServerSettingsSchema = z.object({
  baseDir: z.string().min(1).transform((dir) => resolve(dir)),
  host: z.string().min(1).default("127.0.0.1"),
  port: z.coerce.number().int().min(0).max(65535).default(8000),
  /**
   * How many attempts at once: processes here (default: the number of CPUs, at most 1024),
   * or jobs in Slurm, pending or running (default: no cap; Slurm decides what runs).
   */
  concurrency: z.coerce.number().int().min(1).max(MAX_SLURM_JOBS).optional(),
  /**
   * The CPU slots tasks share (each takes its `cpus`). When absent: the machine's CPUs, or the
   * concurrency if that is higher (so that --concurrency alone still says how many run at once).
   * On Slurm, Slurm decides: there is no limit here.
   */
  cpus: z.coerce.number().int().min(1).max(65536).optional(),
  /** The GPUs tasks are given, by id (what CUDA_VISIBLE_DEVICES takes); found with `nvidia-smi -L` when absent. */
  gpus: z.array(z.string().regex(/^[0-9A-Za-z_:.-]{1,64}$/, "a GPU id is a number such as 0, or a UUID")).max(1024).optional(),
  executor: z.enum(EXECUTORS).default("local"),
  /** What starts local tasks' processes (see runner/task-launcher.ts): the launcher, with "auto", where python3 can run it. */
  launcher: z.enum(LAUNCHER_SETTINGS).default("auto"),
  /** Every job's partition and account (sbatch --partition, --account); Slurm's defaults when absent. */
  slurmPartition: slurmName("partition"),
  slurmAccount: slurmName("account"),
  /** sbatch options every job gets, each whole (`--qos=long`). */
  slurmOptions: z
    .array(z.string())
    .default([])
    .superRefine((options, context) => {
      for (const option of options) {
        const refusal = sbatchOptionRefusal(option);
        if (refusal) context.addIssue({ code: "custom", message: `"${option}": ${refusal}` });
      }
    }),
  /** Where Slurm's commands are, by name (sbatch, squeue, scontrol, scancel, sacct); found on PATH when not given. */
  slurmCommands: z.partialRecord(z.enum(SLURM_COMMANDS), z.string().min(1)).default({}),
  /** How often Slurm is asked about the jobs it runs (one squeue for all of them). */
  slurmPollMs: z.coerce.number().int().min(100).max(600_000).default(2_000),
  /** A libsql:// or http:// URL; the embedded `<base-dir>/cubqueue.db` when absent. */
  databaseUrl: z.string().min(1).optional(),
  databaseAuthToken: z.string().min(1).optional(),
  /** Interpreter overrides, e.g. { python3: "/usr/bin/python3.11" }. */
  interpreters: z.record(z.string(), z.string().min(1)).default({}),
  /** The most bytes one submission may upload ("10G", "512M" or a number of bytes); unlimited when absent. */
  maxUploadSize: z
    .union([z.number(), z.string()])
    .optional()
    .transform((value, context) => {
      if (value === undefined) return undefined;
      const bytes = typeof value === "number" ? value : parseByteSize(value);
      if (bytes === undefined || !Number.isSafeInteger(bytes) || bytes < 1) {
        context.addIssue({ code: "custom", message: `"${value}" is not a size; use e.g. 10G, 512M or a number of bytes` });
        return z.NEVER;
      }
      return bytes;
    }),
  /** When set, every /api request must carry `Authorization: Bearer <token>`. */
  token: z
    .string()
    .min(1)
    // Clients send it in a header, where surrounding whitespace does not survive: such a token could never match.
    .refine((token) => token === token.trim(), {
      message: "the token starts or ends with whitespace (a space, tab or newline); remove it (a --token-file may end with one newline)",
    })
    .optional(),
  /** Listen on a non-loopback address without a token, knowingly. */
  insecure: z.boolean().default(false),
  /**
   * How long a connection may send nothing before it is given up: a stalled
   * upload then fails (408, nothing kept). There is no limit on a whole request,
   * so a 10 GB upload on a slow link completes as long as bytes keep coming.
   */
  idleTimeoutMs: z.coerce.number().int().min(100).max(24 * 3600_000).default(60_000),
  /** How long a cancelled task gets between TERM and KILL. */
  killGraceMs: z.coerce.number().int().min(0).max(24 * 3600_000).default(5_000),
  /** An http(s) URL sent every finished task as JSON (or, with notifyOn "all", every change of state). */
  notifyUrl: z
    .string()
    .url("not a URL; give an http:// or https:// URL")
    .refine((url) => /^https?:\/\//i.test(url), "only http:// and https:// URLs are called")
    .optional(),
  notifyOn: z.enum(["finish", "all"]).default("finish"),
  /** A shell command run when a task finishes, with the task in its environment (CUBQUEUE_TASK_*). */
  onFinish: z.string().min(1).optional(),
  /**
   * How long a resumable upload may go without a byte before it is abandoned and its bytes
   * removed; also how long a finished one keeps its file for a submission to name it.
   */
  uploadExpiryMs: z.coerce.number().int().min(1000, "keep uploads for at least a second").default(24 * 3600_000),
  /** Finished tasks older than this are deleted with their folders (see tasks/retention.ts); unset: kept for ever. */
  keepFinishedMs: z.coerce.number().int().min(60_000, "keep finished tasks for at least a minute").optional(),
});

export const ServerConfigSchema = ServerSettingsSchema.superRefine((config, context) => {
  if (config.executor === "local" && config.concurrency !== undefined && config.concurrency > MAX_LOCAL_PROCESSES) {
    context.addIssue({ code: "custom", path: ["concurrency"], message: `at most ${MAX_LOCAL_PROCESSES} tasks run at once on this machine` });
  }
}).transform((config) => ({
  ...config,
  /** Infinity: as many as are queued (Slurm queues them). */
  concurrency: config.concurrency ?? (config.executor === "slurm" ? Number.POSITIVE_INFINITY : availableParallelism()),
}));

export type ServerConfigInput = z.input<typeof ServerConfigSchema>;
export type ServerConfig = z.output<typeof ServerConfigSchema>;

/** A setting the configuration refuses: which one (its key in ServerConfigInput) and why. */
export class ConfigError extends Error {
  constructor(
    readonly setting: string,
    readonly reason: string,
  ) {
    super(`Invalid setting ${setting}: ${reason}`);
    this.name = "ConfigError";
  }
}

/** Validates a server configuration, turning zod's report into one readable line (a ConfigError). */
export function parseServerConfig(input: ServerConfigInput): ServerConfig {
  const result = ServerConfigSchema.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new ConfigError(String(issue?.path[0] ?? ""), issue?.message ?? "invalid");
  }
  return result.data;
}

/** The environment variables CubQueue reads. This is the only place that reads the environment. */
export function readEnvironment(env: NodeJS.ProcessEnv = process.env) {
  return {
    url: env.CUBQUEUE_URL || undefined,
    baseDir: env.CUBQUEUE_BASE_DIR || undefined,
    databaseUrl: env.CUBQUEUE_DATABASE_URL || undefined,
    databaseAuthToken: env.CUBQUEUE_DATABASE_AUTH_TOKEN || undefined,
    token: env.CUBQUEUE_TOKEN || undefined,
    launcher: env.CUBQUEUE_LAUNCHER || undefined,
  };
}

/** The server's secrets, which the scripts it runs have no use for. */
const SECRET_VARIABLES = ["CUBQUEUE_TOKEN", "CUBQUEUE_DATABASE_AUTH_TOKEN"];

/** The environment tasks inherit: the server's own, without its secrets. */
export function taskEnvironment(env: NodeJS.ProcessEnv = process.env): Record<string, string | undefined> {
  const result = { ...env };
  for (const name of SECRET_VARIABLES) delete result[name];
  return result;
}
