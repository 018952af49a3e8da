import { execFile } from "node:child_process";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it, onTestFinished } from "vitest";
import { skipWithout } from "../support/prerequisites.ts";
import { makeTempDir } from "../support/temp-dir.ts";
import { CLIENT_DIR, PYTHON, SKIP } from "./python.ts";

const run = promisify(execFile);
const hasPip = await run(PYTHON, ["-m", "pip", "--version"]).then(
  () => true,
  () => false,
);
const SKIP_PIP = SKIP || skipWithout(hasPip, `pip for ${PYTHON} (apt-get install python3-pip)`);

describe.skipIf(SKIP_PIP)("pip install ./python", () => {
  it("installs the client with no index at all, and nothing but the package", async () => {
    const target = await makeTempDir();
    onTestFinished(target.remove);
    // --no-index: not one package may come from anywhere; the build backend is the project's own.
    await run(PYTHON, ["-m", "pip", "install", "--no-index", "--disable-pip-version-check", "--no-cache-dir", "--quiet", "--target", target.path, CLIENT_DIR], {
      env: { ...process.env, PIP_NO_INPUT: "1" },
    });
    expect((await readdir(target.path)).sort()).toEqual(["cubqueue", "cubqueue-0.1.0.dist-info"]);
    const { stdout } = await run(PYTHON, ["-c", "import cubqueue.client, json; print(json.dumps([cubqueue.__version__, cubqueue.client.__file__]))"], {
      env: { ...process.env, PYTHONPATH: target.path },
      cwd: target.path,
    });
    expect(JSON.parse(stdout)).toEqual(["0.1.0", join(target.path, "cubqueue", "client.py")]);
  });
});
