import type { ServerConfig } from "../config.ts";
import type { Executor } from "../runner/executor.ts";
import type { Interpreters } from "../runner/interpreters.ts";
import { createLocalExecutor } from "../runner/local-executor.ts";
import type { ProcessStarter } from "../runner/process-starter.ts";
import { createSlurmExecutor, nodeInterpreters } from "../runner/slurm/slurm-executor.ts";
import { createSlurmCommands, findSlurmCommands } from "../runner/slurm/slurm-commands.ts";

export interface ExecutorDeps {
  /** The environment tasks inherit, and Slurm's commands run with (SLURM_CONF, PATH). */
  env: Readonly<Record<string, string | undefined>>;
  /** The interpreters local tasks run with (see resolveInterpreters). */
  interpreters: Interpreters;
  logError: (error: unknown, context?: string) => void;
  /** What starts local tasks' processes (see choose-process-starter.ts). */
  processes: () => Promise<ProcessStarter>;
}

/**
 * The server's executors: the configured one first (it runs new attempts), then the other,
 * which only takes back attempts an earlier server started with it (a server moved from one
 * to the other still finds its tasks). The Slurm one is there as the second only where
 * Slurm's commands are found; as the first, their absence is an error saying how to give them.
 */
export function createExecutors(config: ServerConfig, { env, logError, interpreters, processes }: ExecutorDeps): [Executor, ...Executor[]] {
  const local = createLocalExecutor({ interpreters, processes });
  if (config.executor === "slurm") return [slurmExecutor(config, env, logError), local];
  try {
    return [local, slurmExecutor(config, env, logError)];
  } catch {
    return [local];
  }
}

function slurmExecutor(config: ServerConfig, env: ExecutorDeps["env"], logError: ExecutorDeps["logError"]): Executor {
  const paths = findSlurmCommands(config.slurmCommands, env.PATH ?? "");
  return createSlurmExecutor({
    commands: createSlurmCommands({ paths, env }),
    site: { partition: config.slurmPartition, account: config.slurmAccount, options: config.slurmOptions },
    interpreters: nodeInterpreters(config.interpreters),
    pollMs: config.slurmPollMs,
    onError: (error, context) => logError(error, context ?? "slurm"),
  });
}
