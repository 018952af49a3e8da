import { execFile } from "node:child_process";
import { mkdir, readdir, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it, onTestFinished } from "vitest";
import { FIXTURES } from "../support/api.ts";
import { cleanEnv } from "../support/cli.ts";
import { makeTempDir } from "../support/temp-dir.ts";

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const TSC = join(ROOT, "node_modules/typescript/bin/tsc");
const npm = (args: string[], cwd: string) => run("npm", [...args, "--no-audit", "--no-fund"], { cwd, env: cleanEnv(), maxBuffer: 16 * 1024 * 1024 });

/** A project that uses the installed package's client, as its README shows; run with the server's URL. */
const CONSUMER = `
import { CubQueueApiError, CubQueueClient, type Task } from "cubqueue/client";

const [url, script, work] = process.argv.slice(2) as [string, string, string];
const client = new CubQueueClient(url);
await client.register("echo_args", "Echoes", script);
const taskId: string = await client.submitTask("echo_args", \`\${work}/args.json\`, [\`\${work}/input.dat\`]);
const task: Task = await client.waitForTask(taskId, { timeoutMs: 30_000 });
const result = await client.downloadTaskResult(taskId, \`\${work}/result\`);
const missing = await client.getTaskStatus("00000000-0000-4000-8000-000000000000").catch((error: unknown) => error);
// @ts-expect-error: the declarations are real types, not any: a task id is a string.
void (() => client.getTaskStatus(42));
console.log(JSON.stringify({ status: task.status, files: result.files, missing: missing instanceof CubQueueApiError ? missing.code : String(missing) }));
`;

describe("the packed npm package, installed into an empty folder without dev dependencies", () => {
  it("holds only what runs, starts its server from the installed `cubqueue`, and its client works from JavaScript and type-checked TypeScript", async () => {
    const work = await makeTempDir();
    onTestFinished(work.remove);
    const took: Record<string, number> = {};
    let stepStarted = Date.now();
    /** Records how long the step since the last mark took, for the closing line. */
    const mark = (step: string) => {
      took[step] = Date.now() - stepStarted;
      stepStarted = Date.now();
    };
    // `npm pack` builds first (prepack), only when dist/ is older than the sources.
    const packed = JSON.parse((await npm(["pack", "--json", "--pack-destination", work.path], ROOT)).stdout) as Array<{
      filename: string;
      size: number;
      files: Array<{ path: string }>;
    }>;
    mark("pack");
    const { filename, size, files } = packed[0]!;
    const paths = files.map((file) => file.path);
    const unexpected = paths.filter(
      (path) =>
        !/^(bin\/cubqueue\.js|dist\/(src|cli)\/.+\.(js|d\.ts|sql|json)|dist\/src\/dashboard\/assets\/[a-z-]+\.(html|css|js)|dist\/src\/workers\/[a-z-]+\.(mjs|py)|openapi\/openapi\.json|package\.json|README\.md|LICENSE)$/.test(path),
    );
    expect(unexpected).toEqual([]);
    expect(paths).toEqual(expect.arrayContaining(["bin/cubqueue.js", "dist/cli/main.js", "dist/src/client/index.js", "dist/src/client/index.d.ts", "dist/src/workers/hashing.mjs", "dist/src/workers/task-launcher.py"]));

    const app = join(work.path, "app");
    await mkdir(app);
    await writeFile(join(app, "package.json"), JSON.stringify({ name: "uses-cubqueue", private: true, type: "module" }));
    stepStarted = Date.now();
    await npm(["install", "--omit=dev", "--prefer-offline", join(work.path, filename)], app);
    mark("install");
    const installed = await readdir(join(app, "node_modules"));
    expect(installed).toContain("cubqueue");
    for (const devOnly of ["typescript", "vitest", "deno", "@redocly", "drizzle-kit", "playwright-core"]) expect(installed).not.toContain(devOnly);

    const cubqueue = join(app, "node_modules/.bin/cubqueue");
    const baseDir = join(work.path, "data");
    stepStarted = Date.now();
    const started = await run(cubqueue, ["start", "--daemon", "--json", "--base-dir", baseDir, "--port", "0"], { cwd: app, env: cleanEnv() });
    const { url } = JSON.parse(started.stdout) as { url: string };
    const answered = await fetch(`${url}/api/script`);
    mark("start");
    onTestFinished(() => run(cubqueue, ["stop", "--cancel-running", "--base-dir", baseDir], { env: cleanEnv() }).then(() => undefined));
    expect(answered.status).toBe(200);
    // The dashboard and /docs, with what they load, come from the installed package and its dependencies.
    for (const path of ["/", "/ui/app.js", "/ui/vendor/openapi-fetch.js", "/docs", "/docs/assets/swagger-ui-bundle.js"]) {
      expect((await fetch(`${url}${path}`)).status, path).toBe(200);
    }

    const consumerDir = join(work.path, "consumer");
    await mkdir(consumerDir);
    await writeFile(join(consumerDir, "args.json"), JSON.stringify({ inputs: ["<file1>"] }));
    await writeFile(join(consumerDir, "input.dat"), "payload\n");
    // The TypeScript consumer lives in the installing project, type-checked strictly against the installed declarations.
    await writeFile(join(app, "consumer.ts"), CONSUMER);
    await writeFile(
      join(app, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          strict: true,
          skipLibCheck: false,
          // The client reads and writes files: its users have Node's types, here the checkout's.
          typeRoots: [join(ROOT, "node_modules/@types")],
          types: ["node"],
          outDir: "out",
        },
        files: ["consumer.ts"],
      }),
    );
    stepStarted = Date.now();
    const typecheck = await run(process.execPath, [TSC, "-p", app]).catch((error: { stdout: string }) => error);
    mark("typecheck");
    expect(typecheck.stdout).toBe("");
    const fromTypeScript = await run(process.execPath, [join(app, "out/consumer.js"), url, join(FIXTURES, "echo_args.py"), consumerDir], { cwd: app });
    expect(JSON.parse(fromTypeScript.stdout)).toEqual({ status: "succeeded", files: 2, missing: "task_not_found" });
    mark("client");
    expect((await stat(join(consumerDir, "result", "copy1.dat"))).size).toBe("payload\n".length);

    // The same from plain JavaScript, through the package's main entry.
    const plain = `import { CubQueueClient } from "cubqueue"; const client = new CubQueueClient(process.argv[2]); console.log((await client.listScripts()).map((script) => script.name).join(","));`;
    await writeFile(join(app, "plain.mjs"), plain);
    expect((await run(process.execPath, [join(app, "plain.mjs"), url], { cwd: app })).stdout).toBe("echo_args\n");

    const seconds = (step: string) => `${((took[step] ?? 0) / 1000).toFixed(1)} s`;
    console.log(
      `packed ${filename}: ${(size / 1024).toFixed(0)} KiB, ${paths.length} files (pack ${seconds("pack")}); installed with --omit=dev in ${seconds("install")}; ` +
        `\`cubqueue start --daemon\` to the first answer: ${seconds("start")}; consumer type-checked in ${seconds("typecheck")}, ran in ${seconds("client")}`,
    );
  }, 240_000);
});
