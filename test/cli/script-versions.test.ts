import { createHash } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CubQueueClient } from "../../src/client/index.ts";
import { waitFinished } from "../support/api.ts";
import { runCubqueue } from "../support/cli.ts";
import { listDir, startTestServer } from "../support/test-server.ts";
import { makeTempDir } from "../support/temp-dir.ts";

const sha256 = (content: string) => createHash("sha256").update(content).digest("hex");
const V1 = "#!/bin/sh\necho one\n";
const V2 = "print('two')\n";

// Each test runs a dozen CLI processes, a second or more each on a busy machine.
describe("script versions from the CLI and the client", { timeout: 90_000 }, () => {
  it("register --replace stores a new version; namespace, script and status show it; table and --json", async () => {
    const server = await startTestServer();
    const work = await makeTempDir();
    try {
      const env = { CUBQUEUE_URL: server.url };
      await writeFile(join(work.path, "job.sh"), V1);
      await writeFile(join(work.path, "job.py"), V2);
      await writeFile(join(work.path, "args.json"), "{}");
      const registered = await runCubqueue(["register", "--script", join(work.path, "job.sh"), "--name", "job", "--desc", "first"], env);
      expect(registered, registered.stderr).toMatchObject({ code: 0, stdout: "Registered script job (job.sh, 19 bytes).\n" });

      const taken = await runCubqueue(["register", "--script", join(work.path, "job.py"), "--name", "job"], env);
      expect(taken.code).not.toBe(0);
      expect(taken.stderr.trim().split("\n")).toHaveLength(1);
      expect(taken.stderr).toMatch(/already registered; .*cubqueue register --replace/);

      const replaced = await runCubqueue(["register", "--script", join(work.path, "job.py"), "--name", "job", "--desc", "second", "--replace"], env);
      expect(replaced, replaced.stderr).toMatchObject({ code: 0, stdout: "Replaced script job: now version 2 (job.py, 13 bytes).\n" });
      const again = JSON.parse((await runCubqueue(["register", "--script", join(work.path, "job.py"), "--name", "job", "--replace", "--json"], env)).stdout);
      expect(again).toMatchObject({ name: "job", version: 3, filename: "job.py", sha256: sha256(V2), desc: "second" });

      const ghost = await runCubqueue(["register", "--script", join(work.path, "job.py"), "--name", "ghost", "--replace"], env);
      expect(ghost.code).not.toBe(0);
      expect(ghost.stderr).toMatch(/No script named "ghost" is registered, so there is nothing to replace/);

      const namespace = await runCubqueue(["namespace"], env);
      expect(namespace.stdout.split("\n")[0]).toMatch(/^NAME\s+VERSION\s+FILE\s+SHA256\s+REGISTERED\s+DESCRIPTION$/);
      expect(namespace.stdout).toMatch(new RegExp(`^job\\s+3\\s+job\\.py\\s+${sha256(V2).slice(0, 12)}\\s+\\S+ \\S+\\s+second$`, "m"));
      expect(JSON.parse((await runCubqueue(["namespace", "--json"], env)).stdout)).toEqual([again]);

      const shown = await runCubqueue(["script", "--name", "job"], env);
      expect(shown, shown.stderr).toMatchObject({ code: 0 });
      expect(shown.stdout).toMatch(/^version:\s+3 \(current\)$/m);
      expect(shown.stdout).toMatch(new RegExp(`^sha256:\\s+${sha256(V2)}$`, "m"));
      const versionRows = shown.stdout.split("\n\n")[1]!.trim().split("\n");
      expect(versionRows[0]).toMatch(/^VERSION\s+FILE\s+SIZE\s+SHA256\s+REGISTERED\s+DESCRIPTION$/);
      expect(versionRows.slice(1).map((row) => row.split(/\s+/).slice(0, 2).join(" "))).toEqual(["3 job.py", "2 job.py", "1 job.sh"]);
      const detail = JSON.parse((await runCubqueue(["script", "--name", "job", "--json"], env)).stdout);
      expect(detail).toEqual(await (await server.request("/api/script/job")).json());
      expect(detail.versions.map((each: { version: number }) => each.version)).toEqual([3, 2, 1]);

      const missing = await runCubqueue(["script", "--name", "ghost"], env);
      expect(missing.code).not.toBe(0);
      expect(missing.stderr).toMatch(/No script named "ghost" is registered/);

      const id = (await runCubqueue(["submit", "--script", "job", "--arg-file", join(work.path, "args.json"), "--quiet"], env)).stdout.trim();
      await waitFinished(server, id);
      const status = await runCubqueue(["status", "--task-id", id], env);
      expect(status.stdout).toMatch(new RegExp(`^script:\\s+job, version 3 \\(sha256 ${sha256(V2)}\\)$`, "m"));
      expect(JSON.parse((await runCubqueue(["status", "--task-id", id, "--json"], env)).stdout)).toMatchObject({ script_version: 3, script_sha256: sha256(V2) });
      expect(JSON.parse((await runCubqueue(["list", "--json"], env)).stdout).tasks[0]).toMatchObject({ task_id: id, script_version: 3 });
    } finally {
      await work.remove();
    }
  });

  it("unregister removes the script, its task stays; unknown names fail in one line", async () => {
    const server = await startTestServer();
    const work = await makeTempDir();
    try {
      const env = { CUBQUEUE_URL: server.url };
      await writeFile(join(work.path, "job.sh"), V1);
      await writeFile(join(work.path, "args.json"), "{}");
      await runCubqueue(["register", "--script", join(work.path, "job.sh"), "--name", "job"], env);
      await runCubqueue(["register", "--script", join(work.path, "job.sh"), "--name", "other"], env);
      const id = (await runCubqueue(["submit", "--script", "job", "--arg-file", join(work.path, "args.json"), "--quiet"], env)).stdout.trim();
      await waitFinished(server, id);

      const removed = await runCubqueue(["unregister", "--name", "job"], env);
      expect(removed, removed.stderr).toMatchObject({
        code: 0,
        stdout: "Unregistered script job (1 version, last job.sh); tasks already submitted keep their own copies.\n",
      });
      const asJson = JSON.parse((await runCubqueue(["unregister", "--name", "other", "--json"], env)).stdout);
      expect(asJson).toMatchObject({ name: "other", version: 1, versions: [{ version: 1, sha256: sha256(V1) }] });
      expect(await listDir(join(server.baseDir, "scripts"))).toEqual([]);
      expect((await runCubqueue(["namespace"], env)).stdout).toMatch(/^No scripts are registered yet/);

      for (const args of [["unregister", "--name", "job"], ["submit", "--script", "job", "--arg-file", join(work.path, "args.json")]]) {
        const refused = await runCubqueue(args, env);
        expect(refused.code, args.join(" ")).not.toBe(0);
        expect(refused.stderr.trim().split("\n")).toHaveLength(1);
        expect(refused.stderr).toMatch(/No script named "job" is registered/);
      }
      const noName = await runCubqueue(["unregister"], env);
      expect(noName).toMatchObject({ code: 2 });
      expect(noName.stderr).toMatch(/Missing --name/);
      expect((await runCubqueue(["status", "--task-id", id, "--json"], env)).stdout).toContain('"script_version": 1');
    } finally {
      await work.remove();
    }
  });

  it("the client registers with replace, reads a script's versions and unregisters it", async () => {
    const server = await startTestServer();
    const work = await makeTempDir();
    try {
      await writeFile(join(work.path, "job.sh"), V1);
      await writeFile(join(work.path, "job.py"), V2);
      const client = new CubQueueClient(server.url);
      expect(await client.register("job", undefined, join(work.path, "job.sh"))).toMatchObject({ version: 1, desc: "" });
      expect(await client.register("job", "second", join(work.path, "job.py"), { replace: true })).toMatchObject({ version: 2, filename: "job.py" });
      await expect(client.register("job", "x", join(work.path, "job.py"))).rejects.toMatchObject({ status: 409, code: "script_name_taken" });
      await expect(client.register("ghost", "x", join(work.path, "job.py"), { replace: true })).rejects.toMatchObject({ status: 404, code: "script_not_found" });

      const script = await client.getScript("job");
      expect(script.versions.map((each) => [each.version, each.filename, each.desc])).toEqual([
        [2, "job.py", "second"],
        [1, "job.sh", ""],
      ]);
      expect(await client.unregisterScript("job")).toEqual(script);
      await expect(client.getScript("job")).rejects.toMatchObject({ status: 404, code: "script_not_found" });
      await expect(client.unregisterScript("job")).rejects.toMatchObject({ status: 404, code: "script_not_found" });
    } finally {
      await work.remove();
    }
  });
});
