import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FIXTURES } from "../support/api.ts";
import { closedPort, runCubqueue } from "../support/cli.ts";
import { PROCESS_RUNTIME } from "../support/runtime.ts";
import { startTestServer } from "../support/test-server.ts";
import { makeTempDir } from "../support/temp-dir.ts";

describe("the spec's CLI tour, as a subprocess", () => {
  it("registers, lists, submits with large files, shows status and log, downloads and refuses to cancel a finished task", async () => {
    const server = await startTestServer();
    const work = await makeTempDir();
    try {
      const env = { CUBQUEUE_URL: server.url };
      const register = await runCubqueue(["register", "--script", join(FIXTURES, "echo_args.py"), "--name", "echo_args", "--desc", "Echoes"], env);
      expect(register, register.stderr).toMatchObject({ code: 0 });
      expect(register.stdout).toContain("Registered script echo_args");

      const namespace = await runCubqueue(["namespace"], env);
      expect(namespace.stdout).toMatch(/NAME\s+VERSION\s+FILE\s+SHA256\s+REGISTERED\s+DESCRIPTION/);
      expect(namespace.stdout).toMatch(/echo_args\s+1\s+echo_args\.py\s+[0-9a-f]{12}\s+\S+ \S+\s+Echoes/);

      await writeFile(join(work.path, "args.json"), JSON.stringify({ inputs: ["<file1>", "<file2>"], label: "tour" }));
      await writeFile(join(work.path, "one.dat"), "first file\n");
      await writeFile(join(work.path, "two.dat"), "second file\n");
      const submitted = await runCubqueue(
        ["submit", "--script", "echo_args", "--arg-file", join(work.path, "args.json"), "--large-files", join(work.path, "one.dat"), "--large-files", join(work.path, "two.dat"), "--quiet"],
        env,
      );
      expect(submitted, submitted.stderr).toMatchObject({ code: 0 });
      const taskId = submitted.stdout.trim();
      expect(taskId).toMatch(/^[0-9a-f-]{36}$/);

      const waited = await runCubqueue(["wait", "--task-id", taskId, "--timeout", "30"], env);
      expect(waited, waited.stderr).toMatchObject({ code: 0 });

      const list = await runCubqueue(["list"], env);
      // The table shows the id's first 8 characters, which every command takes in place of the id.
      expect(list.stdout).toMatch(new RegExp(`^ID\\s+NAME\\s+SCRIPT\\s+STATUS\\s+PROGRESS\\s+STARTED\\s+DURATION\\s+EXIT\\n${taskId.slice(0, 8)}\\s+-\\s+echo_args\\s+succeeded\\s+-\\s+\\S+ \\S+\\s+\\S+s\\s+0\\n$`));

      const status = await runCubqueue(["status", "--task-id", taskId, "--json"], env);
      expect(JSON.parse(status.stdout)).toMatchObject({ task_id: taskId, status: "succeeded", exit_code: 0 });
      const human = await runCubqueue(["status", "--task-id", taskId], env);
      expect(human.stdout).toMatch(/status:\s+succeeded/);
      expect(human.stdout).toMatch(/<file2>:\s+two\.dat/);

      const log = await runCubqueue(["log", "--task-id", taskId, "--lines", "1"], env);
      expect(log).toMatchObject({ code: 0, stdout: "to stderr\n" });

      const result = await runCubqueue(["download", "--task-id", taskId, "--output-dir", join(work.path, "result"), "--result"], env);
      expect(result, result.stderr).toMatchObject({ code: 0 });
      expect(await readFile(join(work.path, "result", "copy2.dat"), "utf8")).toBe("second file\n");
      const metadata = await runCubqueue(["download", "--task-id", taskId, "--output-dir", join(work.path, "meta"), "--metadata", "--format", "tar"], env);
      expect(metadata, metadata.stderr).toMatchObject({ code: 0 });
      expect(await readFile(join(work.path, "meta", "nested", "note.txt"), "utf8")).toBe("intermediate\n");

      const cancel = await runCubqueue(["cancel", "--task-id", taskId], env);
      expect(cancel.code).toBe(1);
      expect(cancel.stderr).toMatch(/^cubqueue: Task .* has already finished \(succeeded\); there is nothing to cancel\.\n$/);
    } finally {
      await work.remove();
    }
  });

  it("cancels a running task", async () => {
    const server = await startTestServer();
    const env = { CUBQUEUE_URL: server.url };
    await runCubqueue(["register", "--script", join(FIXTURES, "sleeper.sh"), "--name", "sleeper"], env);
    const work = await makeTempDir();
    try {
      await writeFile(join(work.path, "args.json"), "{}");
      const taskId = (await runCubqueue(["submit", "--script", "sleeper", "--arg-file", join(work.path, "args.json"), "--quiet"], env)).stdout.trim();
      const cancel = await runCubqueue(["cancel", "--task-id", taskId], env);
      expect(cancel, cancel.stderr).toMatchObject({ code: 0 });
      expect(cancel.stdout).toContain(`Cancelled task ${taskId}`);
      const status = JSON.parse((await runCubqueue(["status", "--task-id", taskId, "--json"], env)).stdout);
      expect(status.status).toBe("cancelled");
    } finally {
      await work.remove();
    }
  });
});

describe("CLI errors", () => {
  it("print one line that says what to do, with a non-zero exit", async () => {
    const server = await startTestServer();
    const env = { CUBQUEUE_URL: server.url };
    const cases: Array<[string[], RegExp, number]> = [
      [["status", "--task-id", "00000000-0000-4000-8000-000000000000"], /No task with id/, 1],
      [["status"], /Missing the task: give its id/, 2],
      [["register", "--script", join(FIXTURES, "echo_args.py"), "--name", "bad name"], /Invalid script name "bad name"/, 1],
      [["register", "--script", "/no/such/file.py", "--name", "x"], /Cannot read \/no\/such\/file\.py/, 1],
      [["submit", "--script", "nope", "--arg-file", join(FIXTURES, "echo_args.py")], /not valid JSON|No script named/, 1],
      [["submit", "--script", "nope", "--arg-file", "/no/args.json"], /Cannot read \/no\/args\.json/, 1],
      [["download", "--task-id", "x", "--output-dir", "/tmp/x"], /--metadata .* or --result/, 2],
      [["list", "--status", "done"], /Invalid --status "done"/, 2],
      [["frobnicate"], /Unknown command "frobnicate"/, 2],
      [["list", "--bogus"], /Unknown option `--bogus`/, 2],
    ];
    for (const [args, message, code] of cases) {
      const result = await runCubqueue(args, env);
      expect({ args, code: result.code }).toEqual({ args, code });
      const errorLines = result.stderr.split("\n").filter(Boolean);
      expect(errorLines.at(-1), result.stderr).toMatch(message);
      expect(errorLines.at(-1)).toMatch(/^cubqueue: /);
    }
  });

  it("name the URL they tried when no server answers, and how to point elsewhere", async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const result = await runCubqueue(["list"], { CUBQUEUE_URL: url });
    expect(result.code).toBe(1);
    // The hint names the command as the README runs it on that runtime.
    const command = PROCESS_RUNTIME === "deno" ? "deno task cubqueue" : "cubqueue";
    expect(result.stderr).toBe(
      `cubqueue: Cannot reach a CubQueue server at ${url}, from CUBQUEUE_URL (connection refused: is the server running?); start one with \`${command} start --base-dir DIR --daemon\`, or point to it with --url or CUBQUEUE_URL.\n`,
    );
    const withFlag = await runCubqueue(["namespace", "--url", url]);
    expect(withFlag.stderr).toContain(`Cannot reach a CubQueue server at ${url}, given with --url (connection refused`);
  });
});
