import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { expectError, expectNothingLeft, registerFixture, submit, submitOk } from "../support/api.ts";
import { runCubqueue } from "../support/cli.ts";
import { daemonBaseDir, startDaemon } from "../support/daemon-server.ts";
import { makeTempDir } from "../support/temp-dir.ts";
import { startTestServer } from "../support/test-server.ts";

const KiB = 1024;
const ARGS = { input: "<file1>" };
const ARG_FILE_SIZE = JSON.stringify(ARGS).length;

describe("--max-upload-size", () => {
  it("refuses a submission above the limit with 413 naming it, and keeps no part of it", async () => {
    const server = await startTestServer({ maxUploadSize: "64K" });
    await registerFixture(server, "echo_args.py", "echo");
    const response = await submit(server, "echo", { args: ARGS, files: [{ name: "big.bin", content: randomBytes(65 * KiB) }] });
    const body = await expectError(response, 413, "payload_too_large");
    expect(body.error.message).toContain("64 KiB");
    await expectNothingLeft(server);
  });

  it("counts every file of a submission together", async () => {
    const server = await startTestServer({ maxUploadSize: 64 * KiB });
    await registerFixture(server, "echo_args.py", "echo");
    const half = { name: "half.bin", content: randomBytes(33 * KiB) };
    await expectError(await submit(server, "echo", { args: { a: "<file1>", b: "<file2>" }, files: [half, half] }), 413, "payload_too_large");
    await expectNothingLeft(server);
  });

  it("accepts a submission of exactly the limit", async () => {
    const server = await startTestServer({ maxUploadSize: 64 * KiB });
    await registerFixture(server, "echo_args.py", "echo");
    const exact = { name: "exact.bin", content: randomBytes(64 * KiB - ARG_FILE_SIZE) };
    await submitOk(server, "echo", { args: ARGS, files: [exact] });
  });

  it("is a flag of cubqueue start; the CLI reports the refusal in one line, and a bad size is a usage error", async () => {
    const baseDir = await daemonBaseDir();
    const server = await startDaemon(baseDir, ["--max-upload-size", "1M"]);
    await registerFixture(server, "echo_args.py", "echo");
    const files = await makeTempDir();
    onTestFinished(() => files.remove());
    const args = join(files.path, "args.json");
    const big = join(files.path, "big.bin");
    await writeFile(args, JSON.stringify(ARGS));
    await writeFile(big, randomBytes(2 * 1024 * KiB));
    const refused = await runCubqueue(["submit", "--script", "echo", "--arg-file", args, "--large-files", big, "--url", server.url]);
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim().split("\n")).toHaveLength(1);
    expect(refused.stderr).toContain("1 MiB");
    await expectNothingLeft({ ...server, baseDir });

    const bad = await runCubqueue(["start", "--base-dir", join(files.path, "other"), "--max-upload-size", "lots"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('cubqueue: Invalid --max-upload-size "lots": give a size such as 512M, 10G or a number of bytes (K, M, G and T are powers of 1024).\n');
  });
});
