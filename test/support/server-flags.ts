import type { ServerConfigInput } from "../../src/config.ts";

/** Settings given to a server process through the environment rather than flags. */
const ENVIRONMENT: Partial<Record<keyof ServerConfigInput, string>> = {
  databaseUrl: "CUBQUEUE_DATABASE_URL",
  databaseAuthToken: "CUBQUEUE_DATABASE_AUTH_TOKEN",
  // As the README advises: --token would show it in ps (and start warns about it).
  token: "CUBQUEUE_TOKEN",
};

/** Settings whose flag differs from the plain `--kebab-case value` rule. */
const SPECIAL: Partial<Record<keyof ServerConfigInput, (value: never) => string[]>> = {
  killGraceMs: (ms: number) => ["--kill-grace", String(ms / 1000)],
  idleTimeoutMs: (ms: number) => ["--idle-timeout", String(ms / 1000)],
  uploadExpiryMs: (ms: number) => ["--upload-expiry", String(ms / 1000)],
  interpreters: (map: Record<string, string>) => Object.entries(map).flatMap(([name, path]) => ["--interpreter", `${name}=${path}`]),
  gpus: (ids: string[]) => ["--gpus", ids.length === 0 ? "none" : ids.join(",")],
  // After "=": an sbatch option after a space would read as a flag of cubqueue's own.
  slurmOptions: (options: string[]) => options.map((option) => `--slurm-opt=${option}`),
  slurmCommands: (map: Record<string, string>) => Object.entries(map).flatMap(([name, path]) => ["--slurm-command", `${name}=${path}`]),
  slurmPollMs: (ms: number) => ["--slurm-poll", String(ms / 1000)],
};

/**
 * How `cubqueue start` is told the config overrides a test passes to
 * startTestServer: `concurrency: 1` → `--concurrency 1`, and so on. The base
 * dir is given separately.
 */
export function startArgsFor(overrides: Partial<ServerConfigInput>): { args: string[]; env: Record<string, string> } {
  const args: string[] = [];
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(overrides) as Array<[keyof ServerConfigInput, unknown]>) {
    if (value === undefined || key === "baseDir") continue;
    const variable = ENVIRONMENT[key];
    if (variable) env[variable] = String(value);
    else if (SPECIAL[key]) args.push(...SPECIAL[key](value as never));
    else args.push(`--${key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`, String(value));
  }
  return { args, env };
}
