#!/usr/bin/env node
// The `cubqueue` command. An installed package holds dist/, built before it was packed. A source
// checkout (the only place tools/ exists) builds dist/ first when it is missing or older than the
// sources, saying so, then runs it.
import { existsSync } from "node:fs";

const checkoutBuild = new URL("../tools/ensure-built.mjs", import.meta.url);
if (existsSync(checkoutBuild)) {
  const { ensureBuilt } = await import(checkoutBuild.href);
  try {
    await ensureBuilt({ announce: true });
  } catch (error) {
    process.stderr.write(`cubqueue: ${error.message}\n`);
    process.exit(1);
  }
}
await import("../dist/cli/main.js");
