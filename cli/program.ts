import { cac, type CAC } from "cac";
import { CliError } from "./cli-error.ts";
import { API_INFO } from "../src/api-info.ts";
import { registerDownloadCommand } from "./commands/download.ts";
import { registerEventsCommand } from "./commands/events.ts";
import { registerListCommand } from "./commands/list.ts";
import { registerLogCommand } from "./commands/log.ts";
import { registerScriptCommands } from "./commands/scripts.ts";
import { registerServerCommands } from "./commands/server.ts";
import { registerSteeringCommands } from "./commands/steering.ts";
import { registerSubmitCommand } from "./commands/submit.ts";
import { registerTaskCommands } from "./commands/tasks.ts";
import { registerWaitCommand } from "./commands/wait.ts";
import { createCommandContext, type CommandContext, type GlobalOptions } from "./context.ts";
import type { CliIO } from "./io.ts";
import { invokedAs } from "./invocation.ts";
import { describeCliError, formatCliError } from "./report-error.ts";
import { shieldNumericArgs, unshieldParsed } from "./verbatim-args.ts";

/**
 * Runs a command's work with its context; the program reports whatever it throws. A command's
 * positional arguments (`cubqueue status 3f2a`) come as `options.positional`, in order.
 */
export type CommandRunner = <O extends object>(
  action: (context: CommandContext, options: O & GlobalOptions & { positional: unknown[] }) => Promise<void>,
) => (...args: unknown[]) => Promise<void>;

/**
 * Runs the CLI on the given arguments (without `node script`) and resolves to
 * its exit status. Nothing here calls process.exit, so it runs in-process too.
 */
export async function runCli(args: readonly string[], io: CliIO): Promise<number> {
  let context: CommandContext | undefined;
  const run: CommandRunner =
    (action) =>
    async (...args) => {
      // cac calls an action with the positional arguments, then the options.
      const options = args.at(-1) as Parameters<typeof action>[1];
      context = createCommandContext(options, io);
      await action(context, { ...options, positional: args.slice(0, -1) });
    };
  const cli = buildProgram(run);
  // Read from the arguments, not what cac parsed: an error may come before or during parsing.
  const asJson = args.includes("--json");
  const fail = (error: unknown) => {
    const reported = describeCliError(error, { location: context?.location, command: invokedAs(io.env) });
    io.stderr(formatCliError(reported, asJson));
    return reported.exitCode;
  };
  try {
    cli.parse(["cubqueue", "cubqueue", ...shieldNumericArgs(args)], { run: false });
    unshieldParsed(cli);
    if (!cli.matchedCommand) {
      if (cli.options.help || cli.options.version) return 0;
      const given = cli.args[0];
      cli.outputHelp();
      if (given === undefined) return 0;
      return fail(new CliError(`Unknown command "${given}"; the commands are listed above.`, 2, "unknown_command"));
    }
    if (cli.options.help) return 0;
    await cli.runMatchedCommand();
    return 0;
  } catch (error) {
    return fail(error);
  }
}

function buildProgram(run: CommandRunner): CAC {
  const cli = cac("cubqueue");
  cli.option("--url <url>", "Server URL (default: CUBQUEUE_URL, the server of --base-dir, or http://127.0.0.1:8000)");
  cli.option("--base-dir <dir>", "The server's base directory (also CUBQUEUE_BASE_DIR)");
  cli.option("--json", "Print machine-readable JSON");
  cli.option("--token <token>", "The server's token, if it requires one (also CUBQUEUE_TOKEN, or the record in --base-dir)");
  registerServerCommands(cli, run);
  registerScriptCommands(cli, run);
  registerSubmitCommand(cli, run);
  registerListCommand(cli, run);
  registerTaskCommands(cli, run);
  registerLogCommand(cli, run);
  registerWaitCommand(cli, run);
  registerEventsCommand(cli, run);
  registerSteeringCommands(cli, run);
  registerDownloadCommand(cli, run);
  cli.help();
  cli.version(API_INFO.version);
  return cli;
}
