// Builds dist/ from the TypeScript sources of a checkout, once per change of them.
//
// An installed package carries dist/ (it is built before packing) and never runs this. A checkout
// runs it from `npm run build`, before the tests, before packing, and from the `cubqueue` command
// itself (bin/cubqueue.js), so `npm install && npx cubqueue start` works without a build step at
// install, and a `git pull` or an edit is never run stale. What dist/ was built from is recorded
// in dist/.build-inputs.json (every input's path, size and mtime); when nothing changed, checking
// costs a few milliseconds and nothing is rebuilt.
import { spawn } from "node:child_process";
import { chmodSync, cpSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const DIST = join(ROOT, "dist");
const STAMP = join(DIST, ".build-inputs.json");
const LOCK = join(ROOT, ".cubqueue-build.lock");
/** What the build reads: the folders tsconfig.build.json compiles, its configs, and this script. */
const INPUT_DIRS = ["src", "cli", "openapi", "bench"];
const INPUT_FILES = ["tsconfig.json", "tsconfig.build.json", "tsconfig.client.json", "tools/ensure-built.mjs", "tools/build.mjs"];

/**
 * Builds dist/ unless it was built from exactly the sources there are now (or `force`).
 * With `announce`, says on stderr that it builds and how long it took: the `cubqueue`
 * command would otherwise sit silent for the seconds a build takes.
 * Resolves to whether it built.
 */
export async function ensureBuilt({ force = false, announce = false } = {}) {
  if (!force && isFresh()) return false;
  const release = await acquireLock();
  try {
    // Another process may have built it while this one waited for the lock.
    if (!force && isFresh()) return false;
    const started = Date.now();
    if (announce) process.stderr.write("cubqueue: building from the TypeScript sources (after an install or a change to them; about 20 s)…\n");
    await build();
    if (announce) process.stderr.write(`cubqueue: built in ${((Date.now() - started) / 1000).toFixed(1)} s.\n`);
    return true;
  } finally {
    release();
  }
}

/** The inputs as they are now: relative path → "size mtime". */
function currentInputs() {
  const inputs = {};
  const add = (path) => {
    const info = statSync(path, { throwIfNoEntry: false });
    if (info?.isFile()) inputs[relative(ROOT, path)] = `${info.size} ${info.mtimeMs}`;
  };
  for (const dir of INPUT_DIRS) {
    for (const entry of readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })) {
      if (entry.isFile()) add(join(entry.parentPath, entry.name));
    }
  }
  for (const file of INPUT_FILES) add(join(ROOT, file));
  return inputs;
}

function isFresh() {
  let recorded;
  try {
    recorded = JSON.parse(readFileSync(STAMP, "utf8"));
  } catch {
    return false;
  }
  const now = currentInputs();
  const names = Object.keys(now);
  return names.length === Object.keys(recorded).length && names.every((name) => recorded[name] === now[name]);
}

async function build() {
  const require = createRequire(import.meta.url);
  let tsc;
  try {
    tsc = require.resolve("typescript/bin/tsc");
  } catch {
    throw new Error(
      `Cannot build CubQueue from its sources in ${ROOT}: TypeScript is not installed (an install with --omit=dev?); run \`npm install\` there first.`,
    );
  }
  const inputs = currentInputs();
  rmSync(DIST, { recursive: true, force: true });
  // The code, and the client's type declarations (for projects that import "cubqueue/client"), side by side.
  await Promise.all([runTsc(tsc, "tsconfig.build.json"), runTsc(tsc, "tsconfig.client.json")]);
  rewriteDeclarationImports(join(DIST, "src"));
  cpSync(join(ROOT, "src/db/migrations"), join(DIST, "src/db/migrations"), { recursive: true });
  // The dashboard's page, styles and browser modules are served as they are (see src/dashboard).
  cpSync(join(ROOT, "src/dashboard/assets"), join(DIST, "src/dashboard/assets"), { recursive: true });
  // Worker threads start from modules the runtime loads as they are (see src/workers).
  cpSync(join(ROOT, "src/workers"), join(DIST, "src/workers"), { recursive: true });
  chmodSync(join(DIST, "cli/main.js"), 0o755);
  // Last: a build cut short leaves no record, so the next run builds again.
  writeFileSync(STAMP, JSON.stringify(inputs));
}

function runTsc(tsc, project) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [tsc, "-p", project], { cwd: ROOT, stdio: "inherit" });
    child.once("error", reject);
    child.once("exit", (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`tsc -p ${project} failed (${signal ?? `exit ${code}`}); its errors are above.`)),
    );
  });
}

/**
 * tsc writes declarations with the sources' own `./x.ts` imports (it rewrites them to `.js`
 * only in the code); a project that imports the client resolves `./x.js`, as in the code.
 */
function rewriteDeclarationImports(dir) {
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith(".d.ts")) continue;
    const path = join(entry.parentPath, entry.name);
    const text = readFileSync(path, "utf8");
    const rewritten = text.replace(/(from\s+["']|import\(["'])(\.\.?\/[^"']+)\.ts(["'])/g, "$1$2.js$3");
    if (rewritten !== text) writeFileSync(path, rewritten);
  }
}

/**
 * One build at a time in a checkout: the lock is a folder holding its owner's pid. A lock
 * whose owner is gone (a build that was killed) is taken over.
 */
async function acquireLock() {
  for (;;) {
    try {
      mkdirSync(LOCK);
      writeFileSync(join(LOCK, "pid"), String(process.pid));
      return () => rmSync(LOCK, { recursive: true, force: true });
    } catch (error) {
      if (error.code !== "EEXIST") throw error;
    }
    // The pid may not be written yet (its owner is between the two calls above): then wait.
    const owner = Number(readOr(join(LOCK, "pid"), "").trim());
    if (Number.isInteger(owner) && owner > 0 && !isAlive(owner)) {
      rmSync(LOCK, { recursive: true, force: true });
      continue;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function readOr(path, fallback) {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return fallback;
  }
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === "EPERM";
  }
}
