import { deno, type DenoApi, type DenoPermissionName } from "./deno-api.ts";

/**
 * The command that runs this same program again (the runtime, its flags, the
 * entry script): how `start --daemon` launches the server in the background.
 */
export function selfCommand(): { command: string; args: string[] } {
  const entry = process.argv[1];
  if (!entry) throw new Error("Cannot tell which script is running");
  if (deno) return { command: process.execPath, args: ["run", ...grantedPermissionFlags(deno), "--no-prompt", entry] };
  return { command: process.execPath, args: [...process.execArgv, entry] };
}

const PERMISSIONS: readonly DenoPermissionName[] = ["read", "write", "net", "env", "sys", "ffi", "run", "import"];

/**
 * Deno does not expose the flags it was started with (process.execArgv is
 * empty), so the child gets every permission this process holds in full. A
 * permission granted only for some paths or hosts reads as not granted and is
 * left out: CubQueue documents unscoped permissions. `--no-prompt` because a
 * detached server has no terminal to ask on.
 */
function grantedPermissionFlags(runtime: DenoApi): string[] {
  return PERMISSIONS.filter((name) => runtime.permissions.querySync({ name }).state === "granted").map((name) => `--allow-${name}`);
}
