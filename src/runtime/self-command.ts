/**
 * The command that runs this same program again (the runtime, its flags, the
 * entry script): how `start --daemon` launches the server in the background.
 */
export function selfCommand(): { command: string; args: string[] } {
  const entry = process.argv[1];
  if (!entry) throw new Error("Cannot tell which script is running");
  return { command: process.execPath, args: [...process.execArgv, entry] };
}
