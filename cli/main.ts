#!/usr/bin/env node
import { ignoreClosedOutput } from "./closed-output.ts";
import { processIO } from "./io.ts";
import { runCli } from "./program.ts";

ignoreClosedOutput();
const exitCode = await runCli(process.argv.slice(2), processIO);
// Every command has finished its work here; a stopped server has closed what it opened. Exiting
// now, rather than when the event loop drains, keeps a stopped server on Deno from lingering on a
// connection whose client stalled mid-upload (Deno keeps reading such a body after it was answered).
process.exit(exitCode);
