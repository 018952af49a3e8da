// Compiles the TypeScript sources to dist/ and copies the non-TypeScript files the
// server reads at run time (the SQL migrations) next to the compiled code.
import { execFileSync } from "node:child_process";
import { cpSync, rmSync, chmodSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const tsc = require.resolve("typescript/bin/tsc");

rmSync("dist", { recursive: true, force: true });
execFileSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], { stdio: "inherit" });
cpSync("src/db/migrations", "dist/src/db/migrations", { recursive: true });
chmodSync("dist/cli/main.js", 0o755);
