import type { CAC } from "cac";
import { requireOption, text } from "../cli-error.ts";
import { formatBytes, formatTime, json, table } from "../output.ts";
import type { CommandRunner } from "../program.ts";

export function registerScriptCommands(cli: CAC, run: CommandRunner) {
  cli
    .command("register", "Register a script under a unique name")
    .option("--script <path>", "The script file")
    .option("--name <name>", "Its name: letters, digits and underscores")
    .option("--desc <text>", "What it does")
    .example('cubqueue register --script ./align.py --name align --desc "Align reads"')
    .action(
      run<{ script?: unknown; name?: unknown; desc?: unknown }>(async (context, options) => {
        const path = requireOption(text(options.script), "--script", "the script file to register");
        const name = requireOption(text(options.name), "--name", "the name to register it under");
        const { client } = await context.connect();
        const script = await client.register(name, text(options.desc) ?? "", path);
        context.io.stdout(
          context.json ? json(script) : `Registered script ${script.name} (${script.filename}, ${formatBytes(script.size)}).\n`,
        );
      }),
    );

  cli
    .command("namespace", "List the registered scripts")
    .action(
      run(async (context) => {
        const { client } = await context.connect();
        const scripts = await client.listScripts();
        if (context.json) return context.io.stdout(json(scripts));
        if (scripts.length === 0) {
          return context.io.stdout("No scripts are registered yet; add one with `cubqueue register --script FILE --name NAME`.\n");
        }
        context.io.stdout(
          table(
            ["NAME", "FILE", "REGISTERED", "DESCRIPTION"],
            scripts.map((script) => [script.name, script.filename, formatTime(script.created_at), script.desc]),
          ),
        );
      }),
    );
}
