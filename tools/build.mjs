// `npm run build`: compiles the TypeScript sources to dist/ (see ensure-built.mjs), or says that
// dist/ was built from the sources as they are. `npm run build -- --force` builds all the same.
import { ensureBuilt } from "./ensure-built.mjs";

const started = Date.now();
try {
  const built = await ensureBuilt({ force: process.argv.includes("--force") });
  // On stderr: `npm pack --json` runs this first, and its stdout must stay JSON.
  console.error(built ? `Built dist/ in ${((Date.now() - started) / 1000).toFixed(1)} s.` : "dist/ is up to date with the sources.");
} catch (error) {
  console.error(error.message);
  process.exit(1);
}
