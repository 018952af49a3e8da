import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Hono } from "hono";

/**
 * The dashboard: a page at `/` and the files it loads from `/ui/`, all from this package
 * (src/dashboard/assets, and openapi-fetch's browser build), so it works offline. Its
 * scripts are plain ES modules checked by TypeScript against the API's generated types
 * (tsconfig.dashboard.json), so they run as they are on Node and Deno with no bundler.
 */
const ASSETS = join(fileURLToPath(new URL("./assets/", import.meta.url)));

/** The files the page may load, and their types: nothing else is served. */
const FILES: Record<string, string> = {
  "dashboard.css": "text/css; charset=utf-8",
  "app.js": "text/javascript; charset=utf-8",
  "api.js": "text/javascript; charset=utf-8",
  "events.js": "text/javascript; charset=utf-8",
  "view.js": "text/javascript; charset=utf-8",
  "tasks-page.js": "text/javascript; charset=utf-8",
  "task-page.js": "text/javascript; charset=utf-8",
  "scripts-page.js": "text/javascript; charset=utf-8",
  "submit-page.js": "text/javascript; charset=utf-8",
};

/** Where the page's `import "openapi-fetch"` goes (an import map in the page). */
const IMPORT_MAP = JSON.stringify({ imports: { "openapi-fetch": "/ui/vendor/openapi-fetch.js" } });

/**
 * What the page may do: load its own files only, connect only to this server, no inline script
 * but the import map (by its hash), and never be framed.
 */
function contentSecurityPolicy(): string {
  const importMapHash = createHash("sha256").update(IMPORT_MAP).digest("base64");
  return [
    "default-src 'self'",
    `script-src 'self' 'sha256-${importMapHash}'`,
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "form-action 'self'",
    "base-uri 'none'",
    "object-src 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
}

export function createDashboardRouter() {
  const openapiFetch = join(dirname(createRequire(import.meta.url).resolve("openapi-fetch")), "index.mjs");
  const policy = contentSecurityPolicy();
  // The files are small and fixed: read once, when first asked for.
  const cache = new Map<string, Promise<string>>();
  const read = (path: string) => {
    let file = cache.get(path);
    if (!file) {
      file = readFile(path, "utf8");
      file.catch(() => cache.delete(path));
      cache.set(path, file);
    }
    return file;
  };

  const router = new Hono();
  router.get("/", async (c) => {
    const page = (await read(join(ASSETS, "index.html"))).replace("<!-- import map -->", `<script type="importmap">${IMPORT_MAP}</script>`);
    return c.html(page, 200, { "Content-Security-Policy": policy, "Cache-Control": "no-cache" });
  });
  router.get("/ui/vendor/openapi-fetch.js", async (c) => c.body(await read(openapiFetch), 200, { "Content-Type": "text/javascript; charset=utf-8", "Cache-Control": "no-cache" }));
  router.get("/ui/:name", async (c) => {
    const name = c.req.param("name");
    const type = Object.hasOwn(FILES, name) ? FILES[name] : undefined;
    if (!type) return c.notFound();
    return c.body(await read(join(ASSETS, name)), 200, { "Content-Type": type, "Cache-Control": "no-cache" });
  });
  return router;
}
