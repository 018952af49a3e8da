import { readFileSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { ConfigError, EXECUTORS, LAUNCHER_SETTINGS, parseServerConfig, readEnvironment, type ExecutorName, type ServerConfig } from "../src/config.ts";
import { findOnPath } from "../src/runner/interpreters.ts";
import { CliError, list, requireOption, text } from "./cli-error.ts";
import { SLURM_COMMANDS, type SlurmCommandName } from "../src/runner/slurm/slurm-command-names.ts";
import { byteSize, choice, durationSeconds, port, wholeNumber } from "./option-values.ts";
import { sbatchOptionsFlag } from "./sbatch-options-flag.ts";

/** The flags of `cubqueue start`, as cac parsed them. */
export interface StartOptions {
  baseDir?: unknown;
  host?: unknown;
  port?: unknown;
  daemon?: boolean;
  concurrency?: unknown;
  python?: unknown;
  interpreter?: unknown;
  killGrace?: unknown;
  idleTimeout?: unknown;
  keepFinished?: unknown;
  uploadExpiry?: unknown;
  maxUploadSize?: unknown;
  insecure?: boolean;
  token?: unknown;
  tokenFile?: unknown;
  cpus?: unknown;
  gpus?: unknown;
  notifyUrl?: unknown;
  notifyOn?: unknown;
  onFinish?: unknown;
  executor?: unknown;
  launcher?: unknown;
  slurmPartition?: unknown;
  slurmAccount?: unknown;
  slurmOpt?: unknown;
  slurmCommand?: unknown;
  slurmPoll?: unknown;
}

/** Which flag sets each setting, to name it when the configuration refuses one. */
const FLAG_OF: Record<string, string> = {
  baseDir: "--base-dir",
  host: "--host",
  port: "--port",
  concurrency: "--concurrency",
  interpreters: "--python or --interpreter",
  maxUploadSize: "--max-upload-size",
  token: "token (--token, --token-file or CUBQUEUE_TOKEN)",
  idleTimeoutMs: "--idle-timeout",
  killGraceMs: "--kill-grace",
  keepFinishedMs: "--keep-finished",
  uploadExpiryMs: "--upload-expiry",
  databaseUrl: "CUBQUEUE_DATABASE_URL",
  databaseAuthToken: "CUBQUEUE_DATABASE_AUTH_TOKEN",
  cpus: "--cpus",
  gpus: "--gpus",
  notifyUrl: "--notify-url",
  notifyOn: "--notify-on",
  onFinish: "--on-finish",
  executor: "--executor",
  launcher: "--launcher",
  slurmPartition: "--slurm-partition",
  slurmAccount: "--slurm-account",
  slurmOptions: "--slurm-opt",
  slurmCommands: "--slurm-command",
  slurmPollMs: "--slurm-poll",
};

/**
 * The server's settings from start's flags and the environment. Each value is checked here,
 * so that a refusal names the flag and what it takes; the configuration's own check stays as
 * the last word (for what only it knows) and is reported with the flag's name too.
 */
export function serverConfigFrom(options: StartOptions, env: NodeJS.ProcessEnv): ServerConfig {
  const environment = readEnvironment(env);
  const ms = (seconds: number | undefined) => (seconds === undefined ? undefined : Math.round(seconds * 1000));
  const optional = <T>(value: unknown, read: (value: unknown) => T): T | undefined => (value === undefined ? undefined : read(value));
  const slurm = slurmSettingsOf(options);
  try {
    return parseServerConfig({
      baseDir: baseDirOf(options.baseDir, env),
      host: text(options.host),
      port: port("--port", options.port ?? 8000),
      // On Slurm, the most jobs in Slurm at once: far more than processes here.
      concurrency: optional(options.concurrency, (value) => wholeNumber("--concurrency", value, 1, slurm.executor === "slurm" ? 1_000_000 : 1024)),
      cpus: optional(options.cpus, (value) => wholeNumber("--cpus", value, 1, 65_536)),
      gpus: gpuList(options.gpus),
      notifyUrl: optional(options.notifyUrl, (value) => httpUrl("--notify-url", value)),
      notifyOn: optional(options.notifyOn, (value) => choice("--notify-on", value, ["finish", "all"] as const)),
      onFinish: text(options.onFinish),
      launcher: optional(options.launcher ?? environment.launcher, (value) =>
        choice(options.launcher === undefined ? "CUBQUEUE_LAUNCHER" : "--launcher", value, LAUNCHER_SETTINGS),
      ),
      ...slurm,
      killGraceMs: ms(optional(options.killGrace, (value) => durationSeconds("--kill-grace", value, 0, 24 * 3600))),
      idleTimeoutMs: ms(optional(options.idleTimeout, (value) => durationSeconds("--idle-timeout", value, 0.1, 24 * 3600))),
      keepFinishedMs: ms(optional(options.keepFinished, (value) => durationSeconds("--keep-finished", value, 60))),
      uploadExpiryMs: ms(optional(options.uploadExpiry, (value) => durationSeconds("--upload-expiry", value, 1))),
      maxUploadSize: optional(options.maxUploadSize, (value) => byteSize("--max-upload-size", value)),
      interpreters: interpretersOf(options, env),
      token: tokenOf(options) ?? environment.token,
      insecure: options.insecure === true,
      databaseUrl: environment.databaseUrl,
      databaseAuthToken: environment.databaseAuthToken,
    });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    throw new CliError(`Invalid ${FLAG_OF[error.setting] ?? error.setting}: ${error.reason}.`, 2, "invalid_option");
  }
}

/** --base-dir (or CUBQUEUE_BASE_DIR), absolute: a folder, or nothing yet (it is created). */
export function baseDirOf(flag: unknown, env: NodeJS.ProcessEnv): string {
  const given = text(flag) ?? readEnvironment(env).baseDir;
  const baseDir = resolve(requireOption(given, "--base-dir", "the directory where scripts, tasks and the database live"));
  let found;
  try {
    found = statSync(baseDir, { throwIfNoEntry: false });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOTDIR") throw error;
    throw new CliError(`--base-dir ${baseDir} cannot be a folder: part of its path is a file; give a folder (it is created if missing).`, 2, "invalid_option");
  }
  if (found && !found.isDirectory()) {
    throw new CliError(`--base-dir ${baseDir} is a file, not a folder; give a folder (it is created if missing).`, 2, "invalid_option");
  }
  return baseDir;
}

/** --interpreter NAME=PATH (repeatable) and --python PATH, each checked to be a program that exists. */
function interpretersOf(options: StartOptions, env: NodeJS.ProcessEnv): Record<string, string> {
  const interpreters: Record<string, string> = {};
  for (const pair of list(options.interpreter)) {
    const [name, path] = pair.split("=", 2);
    if (!name || !path) throw new CliError(`Invalid --interpreter "${pair}": use NAME=PATH, e.g. bash=/usr/bin/bash.`, 2, "invalid_option");
    interpreters[name] = checkedProgram(`--interpreter ${name}=`, path, env);
  }
  const python = text(options.python);
  if (python !== undefined) interpreters.python3 = checkedProgram("--python ", python, env);
  return interpreters;
}

/** A program the server will run scripts with: a path to an executable file, or a name found on PATH. */
function checkedProgram(flag: string, program: string, env: NodeJS.ProcessEnv): string {
  if (!program.includes("/")) {
    if (findOnPath(program, env.PATH ?? "")) return program;
    throw new CliError(`${flag}${program}: no program of that name is on PATH; give its full path.`, 2, "invalid_option");
  }
  const found = statSync(program, { throwIfNoEntry: false });
  const problem = !found ? "no such file" : !found.isFile() ? "not a file" : (found.mode & 0o111) === 0 ? "not executable" : undefined;
  if (problem) throw new CliError(`${flag}${program}: ${problem}; give the path of an installed interpreter.`, 2, "invalid_option");
  return program;
}

/** The token of --token or --token-file (read here, once: the daemon child gets it by environment). */
function tokenOf(options: StartOptions): string | undefined {
  const flag = text(options.token);
  const path = text(options.tokenFile);
  if (path === undefined) return flag;
  if (flag !== undefined) throw new CliError("Give the token with --token or --token-file, not both.", 2);
  let content: string;
  try {
    content = readFileSync(path, "utf8");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new CliError(`Cannot read --token-file ${path} (${reason}); give a readable file holding the token.`, 2);
  }
  const token = content.replace(/\r?\n$/, "");
  if (token === "") throw new CliError(`The --token-file ${path} is empty; write the token in it.`, 2);
  return token;
}

/** --gpus: ids, comma-separated, or "none"; absent: found at start. */
function gpuList(value: unknown): string[] | undefined {
  const given = text(value);
  if (given === undefined) return undefined;
  if (given.trim().toLowerCase() === "none") return [];
  const ids = given.split(",").map((id) => id.trim());
  if (ids.some((id) => id === "") || new Set(ids).size !== ids.length) {
    throw new CliError(`Invalid --gpus "${given}": give GPU ids separated by commas, each once (e.g. 0,1,2,3), or none.`, 2, "invalid_option");
  }
  return ids;
}

/** An http:// or https:// URL. */
function httpUrl(flag: string, value: unknown): string {
  const given = String(value).trim();
  let url: URL | undefined;
  try {
    url = new URL(given);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== "http:" && url.protocol !== "https:")) {
    throw new CliError(`Invalid ${flag} "${given}": give an http:// or https:// URL.`, 2, "invalid_option");
  }
  return url.href;
}

/**
 * The Slurm settings of start, each checked here so that a mistake names its flag. Given
 * without --executor slurm they would do nothing: that is refused, not ignored.
 */
function slurmSettingsOf(options: StartOptions) {
  const executor = text(options.executor) ?? "local";
  if (!(EXECUTORS as readonly string[]).includes(executor)) {
    throw new CliError(`Invalid --executor "${executor}": use ${EXECUTORS.join(" or ")}.`, 2, "invalid_option");
  }
  const given = (["slurmPartition", "slurmAccount", "slurmOpt", "slurmCommand"] as const).filter((key) => options[key] !== undefined);
  if (executor !== "slurm" && given.length > 0) {
    const flag = `--${given[0]!.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
    throw new CliError(`${flag} is for a server that runs tasks on Slurm; add --executor slurm, or leave it out.`, 2, "invalid_option");
  }
  const slurmCommands: Partial<Record<SlurmCommandName, string>> = {};
  for (const pair of list(options.slurmCommand)) {
    const [name, path] = pair.split("=", 2);
    if (!name || !path || !(SLURM_COMMANDS as readonly string[]).includes(name)) {
      throw new CliError(
        `Invalid --slurm-command "${pair}": use NAME=PATH with NAME one of ${SLURM_COMMANDS.join(", ")}, e.g. sbatch=/opt/slurm/bin/sbatch.`,
        2,
        "invalid_option",
      );
    }
    slurmCommands[name as SlurmCommandName] = path;
  }
  const poll = Number(options.slurmPoll ?? 2);
  if (!Number.isFinite(poll) || poll < 0.1 || poll > 600) {
    throw new CliError(`Invalid --slurm-poll "${String(options.slurmPoll)}": give a number of seconds from 0.1 to 600.`, 2, "invalid_option");
  }
  const word = (flag: string, value: unknown) => {
    const name = text(value);
    if (name !== undefined && !/^[^\s\0]+$/.test(name)) throw new CliError(`Invalid ${flag} "${name}": give one name, without spaces.`, 2, "invalid_option");
    return name;
  };
  return {
    executor: executor as ExecutorName,
    slurmPartition: word("--slurm-partition", options.slurmPartition),
    slurmAccount: word("--slurm-account", options.slurmAccount),
    slurmOptions: sbatchOptionsFlag("--slurm-opt", options.slurmOpt),
    slurmCommands,
    slurmPollMs: Math.round(poll * 1000),
  };
}
