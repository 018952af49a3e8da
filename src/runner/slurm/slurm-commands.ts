import { spawn } from "node:child_process";
import { accessSync, constants, statSync } from "node:fs";
import { findOnPath } from "../interpreters.ts";
import { SLURM_COMMANDS, type SlurmCommandName } from "./slurm-command-names.ts";

export { SLURM_COMMANDS, type SlurmCommandName };

const REQUIRED: readonly SlurmCommandName[] = ["sbatch", "squeue", "scontrol", "scancel"];

export type SlurmCommandPaths = Partial<Record<SlurmCommandName, string>>;

/**
 * Where each command is: the path given, else found on PATH, once, at start. A required one
 * that is nowhere is an error saying how to give it; sacct is simply left out.
 */
export function findSlurmCommands(given: SlurmCommandPaths, path: string): SlurmCommandPaths {
  // Paths given first: a mistake in one is reported as that, whatever is on PATH.
  for (const [name, givenPath] of Object.entries(given)) {
    if (givenPath !== undefined && !isExecutable(givenPath)) {
      throw new Error(`Cannot run ${givenPath}, given as --slurm-command ${name}=${givenPath}: it is not an executable file; give the path of Slurm's ${name}`);
    }
  }
  const found: SlurmCommandPaths = {};
  for (const name of SLURM_COMMANDS) {
    const location = given[name] ?? findOnPath(name, path);
    if (location) found[name] = location;
    else if (REQUIRED.includes(name)) {
      throw new Error(`Cannot find ${name} on PATH: is Slurm installed on this machine? Give its path with --slurm-command ${name}=/path/to/${name}`);
    }
  }
  return found;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** A Slurm command that failed: what it said on stderr is in the message, for the task's error. */
export class SlurmCommandError extends Error {
  constructor(
    readonly command: SlurmCommandName,
    readonly exitCode: number | null,
    readonly stderr: string,
    detail: string,
  ) {
    super(`${command} failed (${detail})${stderr ? `: ${lastLines(stderr)}` : ""}`);
    this.name = "SlurmCommandError";
  }
}

export interface RunOptions {
  /** Written to the command's stdin (sbatch reads the batch script there). */
  input?: string;
  /** Its environment; the server's own by default. */
  env?: Readonly<Record<string, string | undefined>>;
}

export interface SlurmCommandsOptions {
  paths: SlurmCommandPaths;
  /** How many commands may run at once; more wait their turn (a burst of submissions must not start thousands of sbatch). */
  maxParallel?: number;
  /** A command that has not finished by then is killed and fails (the controller does not answer). */
  timeoutMs?: number;
  /** The environment of every command. */
  env?: Readonly<Record<string, string | undefined>>;
}

export type SlurmCommands = ReturnType<typeof createSlurmCommands>;

/** Runs Slurm's commands: at most `maxParallel` at once, each with a time limit; resolves with stdout. */
export function createSlurmCommands({ paths, maxParallel = 8, timeoutMs = 60_000, env = process.env }: SlurmCommandsOptions) {
  let running = 0;
  const waiting: Array<() => void> = [];
  // Times as squeue and sacct print them are read back (see squeue.ts): whatever the server's user set.
  const commandEnv = (own: RunOptions["env"]) => ({ ...(own ?? env), SLURM_TIME_FORMAT: "standard" });

  async function turn(): Promise<() => void> {
    if (running >= maxParallel) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    return () => {
      running--;
      waiting.shift()?.();
    };
  }

  return {
    /** Whether the command is there to run (sacct may not be). */
    has: (name: SlurmCommandName) => paths[name] !== undefined,

    async run(name: SlurmCommandName, args: readonly string[], options: RunOptions = {}): Promise<string> {
      const program = paths[name];
      if (!program) throw new SlurmCommandError(name, null, "", "not found on this machine");
      const done = await turn();
      try {
        return await runProgram(name, program, args, { ...options, env: commandEnv(options.env) }, timeoutMs);
      } finally {
        done();
      }
    },
  };
}

function runProgram(name: SlurmCommandName, program: string, args: readonly string[], options: RunOptions, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { env: definedOnly(options.env ?? {}), stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    // A command gone before it read its input is not an error of its own: its exit says what happened.
    child.stdin.on("error", () => {});
    child.stdin.end(options.input ?? "");
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(new SlurmCommandError(name, null, "", `${program} could not be run: ${error.message}`));
    });
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return resolve(stdout);
      const detail = signal === "SIGKILL" ? `no answer in ${timeoutMs / 1000} s` : signal ? `killed by ${signal}` : `exit ${code}`;
      reject(new SlurmCommandError(name, code, stderr.trim(), detail));
    });
  });
}

/** The last lines a command wrote, enough to say why it failed, not a page of it. */
function lastLines(text: string): string {
  const lines = text.split("\n").map((line) => line.trim()).filter(Boolean);
  const tail = lines.slice(-3).join(" / ");
  return tail.length > 500 ? `…${tail.slice(-500)}` : tail;
}

function definedOnly(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined) result[key] = value;
  return result;
}
