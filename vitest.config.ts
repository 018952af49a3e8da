import { tmpdir } from "node:os";
import { join } from "node:path";
import { configDefaults, defineConfig } from "vitest/config";

/**
 * The end-to-end tests: they reach CubQueue only through HTTP, the SDK and the
 * CLI, so they also run against a server process on Node or Deno
 * (CUBQUEUE_TEST_SERVER=node|deno, see test/support/runtime.ts).
 */
const END_TO_END = ["api", "cli", "sdk", "streaming", "contract", "runtime", "fuzz", "recovery", "browser"].map((dir) => `test/${dir}/**/*.test.ts`);

/**
 * The Slurm tests need a Slurm cluster (`npm run test:slurm` starts a private one, see
 * tools/slurm-test-cluster.sh): they run only there, and only they do.
 */
const SLURM = ["test/slurm/**/*.test.ts"];

/** Where CI wants this run's results as JSON (tools/test-summary.mjs adds up the runs). */
const report = process.env.CUBQUEUE_TEST_REPORT;

/**
 * CI runs the end-to-end tests against server processes on Node and on Deno; with
 * CUBQUEUE_TEST_SKIP_END_TO_END set, `npm test` runs only the rest, so that no slow file runs
 * twice on one runtime.
 */
const SKIP_END_TO_END = Boolean(process.env.CUBQUEUE_TEST_SKIP_END_TO_END);

export default defineConfig({
  test: {
    include: process.env.CUBQUEUE_TEST_SLURM ? SLURM : process.env.CUBQUEUE_TEST_SERVER ? END_TO_END : ["test/**/*.test.ts"],
    exclude: process.env.CUBQUEUE_TEST_SLURM ? configDefaults.exclude : [...configDefaults.exclude, ...SLURM, ...(SKIP_END_TO_END ? END_TO_END : [])],
    reporters: report ? ["default", ["json", { outputFile: report }]] : ["default"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // The clients' cache (resume records, hashes of large files) of every test, the CLI's included, away from the home folder.
    env: { XDG_CACHE_HOME: join(tmpdir(), "cubqueue-test-cache") },
    // Tests spawn real servers and scripts; two workers match the two cores they were written for.
    maxWorkers: 2,
  },
});
