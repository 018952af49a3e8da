import { randomUUID } from "node:crypto";
import { access, readdir, readFile } from "node:fs/promises";
import { gunzipSync } from "node:zlib";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { registerScript, submitOk, waitFinished } from "../support/api.ts";
import { startTestServer } from "../support/test-server.ts";

const exists = (path: string) => access(path).then(() => true, () => false);

describe("names sent by clients never shape a path outside the base dir", () => {
  it("hostile upload and script file names are stored under names of CubQueue's own", async () => {
    const server = await startTestServer();
    const marker = `escape-${randomUUID()}`;
    const hostile = [`../../../${marker}.txt`, `/tmp/${marker}.sh`, `..\\..\\${marker}.bat`, `${marker}/../../x.py`];

    const script = await registerScript(server, "safe", `../../${marker}.py`, "import sys\nprint(open(sys.argv[1]).read())\n");
    expect(script.filename).toBe("safe.py");
    const { task_id } = await submitOk(server, "safe", {
      args: { files: hostile.map((_, index) => `<file${index + 1}>`) },
      files: hostile.map((name) => ({ name, content: "payload" })),
    });
    const task = await waitFinished(server, task_id);
    expect(task.status).toBe("succeeded");

    const filesDir = join(server.baseDir, "tasks", task_id, "files");
    expect((await readdir(filesDir)).sort()).toEqual(task.files.map((file: { stored_name: string }) => file.stored_name).sort());
    for (const file of task.files) expect(file.stored_name).toMatch(/^[0-9a-f-]{36}(\.[A-Za-z0-9]+)?$/);
    // Nothing named after the marker anywhere near: not beside the base dir, not in the temp dir.
    for (const dir of [dirname(server.baseDir), tmpdir(), "/tmp"]) {
      expect((await readdir(dir)).filter((name) => name.includes(marker))).toEqual([]);
    }
    expect(await exists(`/tmp/${marker}.sh`)).toBe(false);
  });

  it("a script that links its output to /etc/passwd cannot leak it through any archive format", async () => {
    const server = await startTestServer();
    const linker = '#!/bin/sh\nln -s /etc/passwd "$CUBQUEUE_OUTPUT_DIR/x"\nln -s /etc "$CUBQUEUE_METADATA_DIR/etc"\necho fine > "$CUBQUEUE_OUTPUT_DIR/ok.txt"\n';
    await registerScript(server, "linker", "linker.sh", linker);
    const { task_id } = await submitOk(server, "linker", { args: {} });
    expect(await waitFinished(server, task_id)).toMatchObject({ status: "succeeded" });
    const passwd = (await readFile("/etc/passwd", "utf8")).split("\n")[0]!;
    for (const folder of ["result", "metadata"]) {
      for (const format of ["tar", "zip", "tar.gz"]) {
        const response = await server.request(`/api/task/${task_id}/${folder}?format=${format}`);
        expect(response.status).toBe(200);
        let bytes = Buffer.from(await response.arrayBuffer());
        if (format === "tar.gz") bytes = gunzipSync(bytes);
        expect(bytes.includes(passwd), `${folder} as ${format}`).toBe(false);
      }
    }
  });
});
