import type { CAC } from "cac";
import type { ScriptDetail } from "../../src/client/index.ts";
import { requireOption, text } from "../cli-error.ts";
import { formatBytes, formatTime, json, table } from "../output.ts";
import type { CommandRunner } from "../program.ts";

const nameOf = (options: { name?: unknown }) => requireOption(text(options.name), "--name", "the script's name");
/** Enough of a sha256 to tell versions apart in a table; --json and `script` give it whole. */
const shortSha = (sha256: string) => sha256.slice(0, 12);

export function registerScriptCommands(cli: CAC, run: CommandRunner) {
  cli
    .command("register", "Register a script under a unique name, or with --replace store a new version of one")
    .option("--script <path>", "The script file")
    .option("--name <name>", "Its name: letters, digits and underscores")
    .option("--desc <text>", "What it does (a replacement without it keeps the current one)")
    .option("--replace", "Store it as the next version of the registered script of that name; tasks already submitted keep their copies")
    .example('cubqueue register --script ./align.py --name align --desc "Align reads"')
    .example("cubqueue register --script ./align_v2.py --name align --replace")
    .action(
      run<{ script?: unknown; name?: unknown; desc?: unknown; replace?: boolean }>(async (context, options) => {
        const path = requireOption(text(options.script), "--script", "the script file to register");
        const name = requireOption(text(options.name), "--name", "the name to register it under");
        const { client } = await context.connect();
        const script = await client.register(name, text(options.desc), path, { replace: Boolean(options.replace) });
        const stored = `${script.filename}, ${formatBytes(script.size)}`;
        context.io.stdout(
          context.json
            ? json(script)
            : options.replace
              ? `Replaced script ${script.name}: now version ${script.version} (${stored}).\n`
              : `Registered script ${script.name} (${stored}).\n`,
        );
      }),
    );

  cli
    .command("namespace", "List the registered scripts, each at its current version")
    .action(
      run(async (context) => {
        const { client } = await context.connect();
        const scripts = await client.listScripts();
        if (context.json) return context.io.stdout(json(scripts));
        if (scripts.length === 0) {
          return context.io.stdout(`No scripts are registered yet; add one with \`${context.command} register --script FILE --name NAME\`.\n`);
        }
        context.io.stdout(
          table(
            ["NAME", "VERSION", "FILE", "SHA256", "REGISTERED", "DESCRIPTION"],
            scripts.map((script) => [script.name, String(script.version), script.filename, shortSha(script.sha256), formatTime(script.created_at), script.desc]),
          ),
        );
      }),
    );

  cli
    .command("script", "Show a script with every version it has had, the newest first")
    .option("--name <name>", "The script")
    .action(
      run<{ name?: unknown }>(async (context, options) => {
        const { client } = await context.connect();
        const script = await client.getScript(nameOf(options));
        context.io.stdout(context.json ? json(script) : describeScript(script));
      }),
    );

  cli
    .command("unregister", "Remove a script (its file, description and versions); tasks already submitted keep their copies")
    .option("--name <name>", "The script")
    .action(
      run<{ name?: unknown }>(async (context, options) => {
        const { client } = await context.connect();
        const script = await client.unregisterScript(nameOf(options));
        const versions = `${script.versions.length} version${script.versions.length === 1 ? "" : "s"}`;
        context.io.stdout(
          context.json
            ? json(script)
            : `Unregistered script ${script.name} (${versions}, last ${script.filename}); tasks already submitted keep their own copies.\n`,
        );
      }),
    );
}

function describeScript(script: ScriptDetail): string {
  const rows: Array<[string, string]> = [
    ["script", script.name],
    ["version", `${script.version} (current)`],
    ["file", `${script.filename} (${formatBytes(script.size)})`],
    ["sha256", script.sha256],
    ["registered", formatTime(script.created_at)],
    ["desc", script.desc],
  ];
  const head = rows.map(([key, value]) => `${`${key}:`.padEnd(12)}${value}`).join("\n");
  const versions = table(
    ["VERSION", "FILE", "SIZE", "SHA256", "REGISTERED", "DESCRIPTION"],
    script.versions.map((each) => [String(each.version), each.filename, formatBytes(each.size), shortSha(each.sha256), formatTime(each.created_at), each.desc]),
  );
  return `${head}\n\n${versions}`;
}
