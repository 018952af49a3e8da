import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { FIXTURES } from "../support/api.ts";
import { PYTHON, pythonHas, skipWithout } from "../support/prerequisites.ts";
import { makeTempDir } from "../support/temp-dir.ts";
import { startTestServer } from "../support/test-server.ts";

const run = promisify(execFile);

const SKIP = skipWithout(pythonHas(["requests"]), `a Python with requests (${PYTHON}; set PYTHON to another, or apt-get install python3-requests as .ci/run does)`);

describe.skipIf(SKIP)("the spec's Python requests calls", () => {
  it("work unchanged against the server", async () => {
    const server = await startTestServer();
    const work = await makeTempDir();
    try {
      await writeFile(join(work.path, "args.json"), JSON.stringify({ inputs: ["<file1>", "<file2>"], label: "py" }));
      await writeFile(join(work.path, "file1"), "one\n");
      await writeFile(join(work.path, "file2"), "two\n");
      // The calls below are the spec's, with only the URL and paths filled in.
      const program = `
import json, sys, time, requests
base = sys.argv[1]
work = sys.argv[2]
script = sys.argv[3]
out = {}
r = requests.post(base + "/api/script", data={"name": "script_name", "desc": "script description"}, files={"script": open(script, "rb")})
out["register"] = r.status_code
r = requests.get(base + "/api/script")
out["scripts"] = [s["name"] for s in r.json()["scripts"]]
r = requests.post(base + "/api/task", data={"script_name": "script_name"}, files={"arg_file": open(work + "/args.json", "rb"), "file1": open(work + "/file1", "rb"), "file2": open(work + "/file2", "rb")})
out["submit"] = r.status_code
task_id = r.json()["task_id"]
while requests.get(base + "/api/task/" + task_id).json()["status"] in ("queued", "running"):
    time.sleep(0.05)
out["list"] = [t["task_id"] for t in requests.get(base + "/api/task").json()["tasks"]] == [task_id]
out["status"] = requests.get(base + "/api/task/" + task_id).json()["status"]
out["log"] = requests.get(base + "/api/task/" + task_id + "/log").json()["content"].splitlines()[-1]
out["metadata"] = requests.get(base + "/api/task/" + task_id + "/metadata").headers["content-type"]
out["result"] = len(requests.get(base + "/api/task/" + task_id + "/result").content) > 0
r = requests.delete(base + "/api/task/" + task_id)
out["cancel"] = [r.status_code, r.json()["error"]["code"]]
print(json.dumps(out))
`;
      const { stdout } = await run(PYTHON, ["-c", program, server.url, work.path, join(FIXTURES, "echo_args.py")]);
      expect(JSON.parse(stdout)).toEqual({
        register: 201,
        scripts: ["script_name"],
        submit: 201,
        list: true,
        status: "succeeded",
        log: "to stderr",
        metadata: "application/gzip",
        result: true,
        cancel: [409, "task_finished"],
      });
    } finally {
      await work.remove();
    }
  });
});
