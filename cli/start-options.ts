import { readFileSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { ConfigError, parseServerConfig, readEnvironment, type ServerConfig } from "../src/config.ts";
import { findOnPath } from "../src/runner/interpreters.ts";
import { CliError, list, requireOption, text } from "./cli-error.ts";
import { byteSize, durationSeconds, port, wholeNumber } from "./option-values.ts";

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
  maxUploadSize?: unknown;
  insecure?: boolean;
  token?: unknown;
  tokenFile?: unknown;
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
  databaseUrl: "CUBQUEUE_DATABASE_URL",
  databaseAuthToken: "CUBQUEUE_DATABASE_AUTH_TOKEN",
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
  try {
    return parseServerConfig({
      baseDir: baseDirOf(options.baseDir, env),
      host: text(options.host),
      port: port("--port", options.port ?? 8000),
      concurrency: optional(options.concurrency, (value) => wholeNumber("--concurrency", value, 1, 1024)),
      killGraceMs: ms(optional(options.killGrace, (value) => durationSeconds("--kill-grace", value, 0, 24 * 3600))),
      idleTimeoutMs: ms(optional(options.idleTimeout, (value) => durationSeconds("--idle-timeout", value, 0.1, 24 * 3600))),
      keepFinishedMs: ms(optional(options.keepFinished, (value) => durationSeconds("--keep-finished", value, 60))),
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
