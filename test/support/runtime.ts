import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/**
 * Where the tests run CubQueue. Unset: the server in the test process and the
 * built CLI on Node (fast, and tests can look at internals). `node` or `deno`:
 * the server as a real process of that runtime, started as users start it, and
 * the CLI on that runtime too.
 */
export type ServerMode = "in-process" | "node" | "deno";

export const SERVER_MODE: ServerMode = parseMode(process.env.CUBQUEUE_TEST_SERVER);

/** The runtime that runs CubQueue's processes (CLI, servers) in this test run. */
export const PROCESS_RUNTIME: "node" | "deno" = SERVER_MODE === "deno" ? "deno" : "node";

function parseMode(value: string | undefined): ServerMode {
  if (!value) return "in-process";
  if (value === "node" || value === "deno") return value;
  throw new Error(`CUBQUEUE_TEST_SERVER must be "node", "deno" or unset, not "${value}"`);
}

const root = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));

/**
 * The deno binary of this checkout. Deno is not one of CubQueue's dependencies (most users run it
 * on Node); `npm run deno:install` puts the version CubQueue is tested with here.
 */
export const DENO = root("node_modules/.bin/deno");

function requireDeno(): string {
  if (!existsSync(DENO)) throw new Error(`Deno is not installed in this checkout (${DENO}); run \`npm run deno:install\` first.`);
  return DENO;
}

/**
 * The permission flags of the `cubqueue` task in deno.json: the tests run
 * CubQueue on Deno with exactly what the README tells users to grant, no more.
 */
export function denoPermissions(): string[] {
  const config = JSON.parse(readFileSync(root("deno.json"), "utf8")) as { tasks: Record<string, { command: string }> };
  const command = config.tasks.cubqueue?.command;
  if (!command) throw new Error("deno.json has no cubqueue task");
  return command.split(/\s+/).filter((word) => word.startsWith("--allow-"));
}

/** The command that runs `cubqueue …` on the runtime under test. */
export function cubqueueCommand(args: readonly string[]): { command: string; args: string[] } {
  if (PROCESS_RUNTIME === "deno") {
    return { command: requireDeno(), args: ["run", ...denoPermissions(), "--no-prompt", root("cli/main.ts"), ...args] };
  }
  // Node 20 cannot run the .ts sources; npm test builds dist/ first.
  // The test process itself may be Deno (npm run test:deno); then node comes from PATH.
  return { command: "Deno" in globalThis ? "node" : process.execPath, args: [root("dist/cli/main.js"), ...args] };
}
