import { createServer } from "node:http";
import { mkdir, readFile, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { FIXTURES } from "../support/api.ts";
import { daemonBaseDir } from "../support/daemon-server.ts";
import { runCubqueue } from "../support/cli.ts";
import { PROCESS_RUNTIME } from "../support/runtime.ts";
import { makeTempDir } from "../support/temp-dir.ts";
import { startTestServer } from "../support/test-server.ts";

async function tempDir(): Promise<string> {
  const dir = await makeTempDir();
  onTestFinished(dir.remove);
  return dir.path;
}

describe("start refuses a bad option in one line that names the flag and what it takes, before it creates anything", () => {
  it.each([
    [["--port", "99999"], 'Invalid --port "99999": use a port from 1 to 65535, or 0 for any free port.'],
    [["--port", "http"], 'Invalid --port "http": use a port from 1 to 65535, or 0 for any free port.'],
    [["--max-upload-size", "10X"], 'Invalid --max-upload-size "10X": give a size such as 512M, 10G or a number of bytes (K, M, G and T are powers of 1024).'],
    [["--concurrency", "0"], 'Invalid --concurrency "0": give a whole number from 1 to 1024.'],
    [["--kill-grace", "2d"], 'Invalid --kill-grace "2d": give a duration from 0s to 1d.'],
    [["--idle-timeout", "0"], 'Invalid --idle-timeout "0": give a duration from 0.1s to 1d.'],
    [["--keep-finished", "10s"], 'Invalid --keep-finished "10s": give a duration of at least 1m.'],
    [["--python", "/no/such/python3"], "--python /no/such/python3: no such file; give the path of an installed interpreter."],
    [["--python", FIXTURES], `--python ${FIXTURES}: not a file; give the path of an installed interpreter.`],
    [["--interpreter", "bash=no-such-bash"], "--interpreter bash=no-such-bash: no program of that name is on PATH; give its full path."],
    [["--interpreter", "bash"], 'Invalid --interpreter "bash": use NAME=PATH, e.g. bash=/usr/bin/bash.'],
    [["--port"], "--port needs a value; see --help."],
  ])("start %j", async (args, line) => {
    const baseDir = join(await tempDir(), "base");
    const result = await runCubqueue(["start", "--base-dir", baseDir, ...args]);
    expect(result).toEqual({ code: 2, stdout: "", stderr: `cubqueue: ${line}\n` });
    expect(await readdir(baseDir).catch(() => "not created")).toBe("not created");
  });

  it("a --base-dir that is a file, or lies under one, says so", async () => {
    const file = join(await tempDir(), "notes.txt");
    await writeFile(file, "not a folder\n");
    expect(await runCubqueue(["start", "--base-dir", file, "--port", "0"])).toEqual({
      code: 2,
      stdout: "",
      stderr: `cubqueue: --base-dir ${file} is a file, not a folder; give a folder (it is created if missing).\n`,
    });
    const under = await runCubqueue(["stop", "--base-dir", join(file, "base")]);
    expect(under.stderr).toBe(`cubqueue: --base-dir ${join(file, "base")} cannot be a folder: part of its path is a file; give a folder (it is created if missing).\n`);
  });

  it("a missing option says so once, with one pointer to --help", async () => {
    const result = await runCubqueue(["start"]);
    expect(result).toEqual({ code: 2, stdout: "", stderr: "cubqueue: Missing --base-dir (the directory where scripts, tasks and the database live); see --help.\n" });
  });
});

describe("where the server is", () => {
  it("a URL without a scheme asks for http://", async () => {
    expect((await runCubqueue(["list", "--url", "localhost:8000"])).stderr).toBe(
      'cubqueue: Invalid --url "localhost:8000": it has no scheme; add http:// (or https://), as in http://localhost:8000.\n',
    );
    expect((await runCubqueue(["namespace"], { CUBQUEUE_URL: "127.0.0.1:9" })).stderr).toBe(
      'cubqueue: Invalid CUBQUEUE_URL "127.0.0.1:9": it has no scheme; add http:// (or https://), as in http://127.0.0.1:9.\n',
    );
  });

  it("a server that is not CubQueue is named in one line, not dumped", async () => {
    const page = createServer((_request, response) => {
      response.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
      response.end("<!doctype html>\n<html>\n<body>\n<h1>Welcome to nginx!</h1>\n</body>\n</html>\n");
    });
    await new Promise<void>((resolve) => page.listen(0, "127.0.0.1", resolve));
    onTestFinished(() => new Promise<void>((resolve) => page.close(() => resolve())));
    const url = `http://127.0.0.1:${(page.address() as { port: number }).port}`;
    expect(await runCubqueue(["namespace", "--url", url])).toEqual({
      code: 1,
      stdout: "",
      stderr: `cubqueue: The server at ${url} answered 200 OK with text/html, not CubQueue's JSON: is that the address of a CubQueue server?\n`,
    });
  });
});

describe("--json", () => {
  it("makes errors JSON on stderr too: the server's code, or the CLI's own", async () => {
    const server = await startTestServer();
    const missing = await runCubqueue(["status", "--json", "--task-id", "00000000-0000-4000-8000-000000000000"], { CUBQUEUE_URL: server.url });
    expect(missing).toEqual({
      code: 1,
      stdout: "",
      stderr: `${JSON.stringify({ error: { code: "task_not_found", message: 'No task with id "00000000-0000-4000-8000-000000000000".' } })}\n`,
    });
    const badOption = await runCubqueue(["list", "--json", "--limit", "0"], { CUBQUEUE_URL: server.url });
    expect(badOption).toEqual({
      code: 2,
      stdout: "",
      stderr: `${JSON.stringify({ error: { code: "invalid_option", message: 'Invalid --limit "0": give a whole number from 1 to 1000.' } })}\n`,
    });
  });
});

describe("the daemon's hint", () => {
  it("names the command as the user ran it", async () => {
    const onDeno = PROCESS_RUNTIME === "deno";
    for (const [env, command] of [
      [{}, onDeno ? "deno task cubqueue" : "cubqueue"],
      [{ npm_lifecycle_event: "npx" }, onDeno ? "npx deno task cubqueue" : "npx cubqueue"],
    ] as const) {
      const baseDir = await daemonBaseDir();
      const started = await runCubqueue(["start", "--daemon", "--base-dir", baseDir, "--port", "0"], env);
      expect(started, started.stderr).toMatchObject({ code: 0 });
      expect(started.stdout.split("\n")).toContain(`  stop it with: ${command} stop --base-dir ${baseDir}`);
      expect((await runCubqueue(["stop", "--base-dir", baseDir])).code).toBe(0);
    }
  });
});

describe("download and submit", () => {
  it("download refuses to replace a file, naming it, unless --force or --overwrite; --format zip works", async () => {
    const server = await startTestServer();
    const env = { CUBQUEUE_URL: server.url };
    const work = await tempDir();
    await runCubqueue(["register", "--script", join(FIXTURES, "echo_args.py"), "--name", "echo_args"], env);
    await writeFile(join(work, "args.json"), JSON.stringify({ inputs: [] }));
    const taskId = (await runCubqueue(["submit", "--script", "echo_args", "--arg-file", join(work, "args.json"), "--quiet"], env)).stdout.trim();
    expect((await runCubqueue(["wait", "--task-id", taskId, "--timeout", "30s"], env)).code).toBe(0);

    const out = join(work, "out");
    await mkdir(out);
    await writeFile(join(out, "summary.json"), "mine\n");
    const refused = await runCubqueue(["download", "--task-id", taskId, "--output-dir", out, "--result"], env);
    expect(refused).toEqual({
      code: 1,
      stdout: "",
      stderr: `cubqueue: ${join(out, "summary.json")} already exists; nothing was written. Pass --force (or --overwrite) to replace them, or choose another --output-dir.\n`,
    });
    expect(await readdir(out)).toEqual(["summary.json"]);
    for (const flag of ["--force", "--overwrite"]) {
      const replaced = await runCubqueue(["download", "--task-id", taskId, "--output-dir", out, "--result", "--format", "zip", flag], env);
      expect(replaced).toEqual({ code: 0, stdout: `Downloaded the result of task ${taskId}: 1 file (27 bytes) into ${out}.\n`, stderr: "" });
      expect(JSON.parse(await readFile(join(out, "summary.json"), "utf8"))).toEqual({ ok: true, label: null });
    }
  });

  it("submit to a script that does not exist is refused before the large files are sent", async () => {
    const server = await startTestServer();
    const work = await tempDir();
    await writeFile(join(work, "args.json"), JSON.stringify({ reads: "<file1>" }));
    await writeFile(join(work, "reads.fq"), "ACGT\n");
    const result = await runCubqueue(["submit", "--script", "algin", "--arg-file", join(work, "args.json"), "--large-files", join(work, "reads.fq")], {
      CUBQUEUE_URL: server.url,
    });
    expect(result).toEqual({
      code: 1,
      stdout: "",
      stderr: 'cubqueue: No script named "algin" is registered; see `cubqueue namespace` for the registered ones.\n',
    });
    expect(await readdir(join(server.baseDir, "cubqueue.incoming")).catch(() => [])).toEqual([]);
  });
});
