import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { runCubqueue } from "../support/cli.ts";
import { daemonBaseDir } from "../support/daemon-server.ts";
import { makeTempDir } from "../support/temp-dir.ts";

const LONG_DIGITS = "123456789012345678901234567890";

async function startDaemonWith(baseDir: string, args: string[], env: Record<string, string> = {}) {
  const started = await runCubqueue(["start", "--daemon", "--json", "--base-dir", baseDir, "--port", "0", ...args], env);
  expect(started, started.stderr).toMatchObject({ code: 0 });
  return { ...(JSON.parse(started.stdout) as { pid: number; url: string }), stderr: started.stderr };
}

const listScripts = (url: string, token: string) => fetch(`${url}/api/script`, { headers: { Authorization: `Bearer ${token}` } });

describe("start's token and the CLI's values are read as typed", () => {
  it("--token 000123e5 stays 000123e5, with a warning; long digit ids and names are not rounded", async () => {
    const baseDir = await daemonBaseDir();
    const server = await startDaemonWith(baseDir, ["--token", "000123e5"]);
    expect(server.stderr).toMatch(/^cubqueue: warning: --token is shown to every user .*CUBQUEUE_TOKEN.*--token-file/);
    expect(server.stderr.trim().split("\n")).toHaveLength(1);
    expect(await readFile(`/proc/${server.pid}/cmdline`, "utf8")).not.toContain("000123e5");
    expect((await listScripts(server.url, "000123e5")).status).toBe(200);
    expect((await listScripts(server.url, "12300000")).status).toBe(401);

    const cli = (args: string[]) => runCubqueue([...args, "--url", server.url, "--token", "000123e5"]);
    const dir = await makeTempDir();
    onTestFinished(dir.remove);
    await writeFile(join(dir.path, "digits.sh"), "#!/bin/sh\necho hi\n");
    const registered = await cli(["register", "--script", join(dir.path, "digits.sh"), "--name", LONG_DIGITS, "--json"]);
    expect(registered, registered.stderr).toMatchObject({ code: 0 });
    expect(JSON.parse(registered.stdout).name).toBe(LONG_DIGITS);
    const inline = await cli(["register", "--script", join(dir.path, "digits.sh"), "--name=000123e5", "--json"]);
    expect(JSON.parse(inline.stdout).name).toBe("000123e5");
    const status = await cli(["status", "--task-id", LONG_DIGITS]);
    expect(status.code).toBe(1);
    expect(status.stderr).toContain(`No task's id starts with "${LONG_DIGITS}"`);
  });

  it("--token-file holds the token: read once, a trailing newline dropped, never on the command line of the server", async () => {
    const baseDir = await daemonBaseDir();
    const tokenFile = join(baseDir, "..", `${baseDir.split("/").pop()}.token`);
    await writeFile(tokenFile, "0000000000000000000042\n", { mode: 0o600 });
    onTestFinished(() => writeFile(tokenFile, "").catch(() => {}));
    const server = await startDaemonWith(baseDir, ["--token-file", tokenFile]);
    expect(server.stderr).toBe("");
    expect(await readFile(`/proc/${server.pid}/cmdline`, "utf8")).not.toContain("0000000000000000000042");
    expect((await listScripts(server.url, "0000000000000000000042")).status).toBe(200);
    expect((await listScripts(server.url, "42")).status).toBe(401);
    const listed = await runCubqueue(["namespace", "--base-dir", baseDir]);
    expect(listed, listed.stderr).toMatchObject({ code: 0 });
  });

  it("refuses an unreadable or empty token file and a token with surrounding whitespace, in one line", async () => {
    const dir = await makeTempDir();
    onTestFinished(dir.remove);
    const file = (name: string, content: string) => writeFile(join(dir.path, name), content).then(() => join(dir.path, name));
    const cases: Array<{ args: string[]; env?: Record<string, string>; says: string }> = [
      { args: ["--token-file", join(dir.path, "missing")], says: "Cannot read --token-file" },
      { args: ["--token-file", dir.path], says: "Cannot read --token-file" },
      { args: ["--token-file", await file("empty", "")], says: "is empty" },
      { args: ["--token-file", await file("newline", "\n")], says: "is empty" },
      { args: ["--token-file", await file("padded", "secret \n")], says: "whitespace" },
      { args: ["--token-file", await file("two-lines", "secret\n\n")], says: "whitespace" },
      { args: ["--token", " secret"], says: "whitespace" },
      { args: [], env: { CUBQUEUE_TOKEN: "secret\t" }, says: "whitespace" },
      { args: ["--token", "a", "--token-file", await file("both", "b")], says: "not both" },
    ];
    for (const { args, env, says } of cases) {
      const result = await runCubqueue(["start", "--base-dir", join(dir.path, "base"), "--port", "0", ...args], env);
      expect(result.code, `${args.join(" ")}: ${result.stderr}`).toBe(2);
      const lines = result.stderr.trim().split("\n").filter((line) => !line.includes("warning: --token"));
      expect(lines, args.join(" ")).toHaveLength(1);
      expect(lines[0], args.join(" ")).toContain(says);
    }
  });
});
