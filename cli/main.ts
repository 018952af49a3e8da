#!/usr/bin/env node
import { flushed, ignoreClosedOutput } from "./closed-output.ts";
import { processIO } from "./io.ts";
import { runCli } from "./program.ts";

ignoreClosedOutput();
const exitCode = await runCli(process.argv.slice(2), processIO);
// Every command has finished its work here; a stopped server has closed what it opened. Exiting
// now, rather than when the event loop drains, keeps a stopped server on Deno from lingering on a
// connection whose client stalled mid-upload (Deno keeps reading such a body after it was answered).
// Output still on its way to a pipe goes out first.
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
process.exit(exitCode);
