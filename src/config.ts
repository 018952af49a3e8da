import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import { z } from "zod";
import { parseByteSize } from "./byte-size.ts";

/**
 * Everything a server needs to know, validated once. Entry points build it from
 * command-line flags and the environment (below); tests build it directly.
 */
export const ServerConfigSchema = z.object({
  baseDir: z.string().min(1).transform((dir) => resolve(dir)),
  host: z.string().min(1).default("127.0.0.1"),
  port: z.coerce.number().int().min(0).max(65535).default(8000),
  concurrency: z.coerce.number().int().min(1).max(1024).default(() => availableParallelism()),
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
  /** Finished tasks older than this are deleted with their folders (see tasks/retention.ts); unset: kept for ever. */
  keepFinishedMs: z.coerce.number().int().min(60_000, "keep finished tasks for at least a minute").optional(),
});

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
