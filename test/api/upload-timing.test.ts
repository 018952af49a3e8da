import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { open, writeFile } from "node:fs/promises";
import { connect, type Socket } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it, onTestFinished } from "vitest";
import { expectNothingLeft, registerFixture } from "../support/api.ts";
import { makeTempDir } from "../support/temp-dir.ts";
import { SERVER_MODE } from "../support/runtime.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";

const run = promisify(execFile);
const PYTHON = process.env.PYTHON ?? "python3";
const MiB = 1024 * 1024;
const BOUNDARY = "cubqueue-test-boundary";
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The start of a submission whose file1 is as long as the caller goes on sending, and its end. */
function submissionParts(fileSize: number) {
  const head = Buffer.from(
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="script_name"\r\n\r\necho\r\n` +
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="arg_file"; filename="args.json"\r\n\r\n{"input": "<file1>"}\r\n` +
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file1"; filename="big.bin"\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${BOUNDARY}--\r\n`);
  return { head, tail, length: head.length + fileSize + tail.length };
}

/** A raw HTTP/1.1 client: the test decides when each byte is sent, and sees when the answer comes. */
class RawUpload {
  readonly socket: Socket;
  response = "";
  sent = 0;
  readonly answered: Promise<void>;
  readonly closed: Promise<void>;

  constructor(server: TestServer, headers: Record<string, string>) {
    const url = new URL(server.url);
    this.socket = connect(Number(url.port), url.hostname);
    this.socket.on("error", () => {});
    this.answered = new Promise((resolve) => this.socket.on("data", (chunk) => ((this.response += chunk), resolve())));
    this.closed = new Promise((resolve) => this.socket.on("close", () => resolve()));
    const lines = Object.entries({ Host: url.host, "Content-Type": `multipart/form-data; boundary=${BOUNDARY}`, ...headers });
    this.socket.write(`POST /api/task HTTP/1.1\r\n${lines.map(([name, value]) => `${name}: ${value}\r\n`).join("")}\r\n`);
  }

  get status(): number {
    return Number(/^HTTP\/1\.1 (\d{3})/.exec(this.response)?.[1]);
  }

  get errorCode(): string | undefined {
    const body = this.response.slice(this.response.indexOf("\r\n\r\n") + 4);
    return /"code":"([a-z_]+)"/.exec(body)?.[1];
  }

  /** Writes, waiting for the socket to take it; false once the server answered or closed. */
  async send(data: Buffer): Promise<boolean> {
    if (this.response || this.socket.destroyed) return false;
    this.sent += data.length;
    if (!this.socket.write(data)) await Promise.race([new Promise((resolve) => this.socket.once("drain", resolve)), this.answered, this.closed]);
    return !this.response && !this.socket.destroyed;
  }
}

const chunked = (data: Buffer) => Buffer.concat([Buffer.from(`${data.length.toString(16)}\r\n`), data, Buffer.from("\r\n")]);

describe("uploads over time", () => {
  it("a slow upload that lasts many idle timeouts succeeds, as long as bytes keep coming", async () => {
    const server = await startTestServer({ idleTimeoutMs: 1_000 });
    await registerFixture(server, "echo_args.py", "echo");
    const fileSize = 10 * 64 * 1024;
    const { head, tail, length } = submissionParts(fileSize);
    const upload = new RawUpload(server, { "Content-Length": String(length) });
    const started = Date.now();
    await upload.send(head);
    for (let i = 0; i < 10; i++) {
      await sleep(400);
      expect(await upload.send(randomBytes(64 * 1024)), upload.response).toBe(true);
    }
    await upload.send(tail);
    await upload.answered;
    expect(Date.now() - started).toBeGreaterThan(3_500);
    expect(upload.status, upload.response).toBe(201);
    upload.socket.destroy();
  });

  it("a stalled upload is answered 408 in the JSON shape after the idle timeout, and nothing of it is kept", async () => {
    const server = await startTestServer({ idleTimeoutMs: 1_000 });
    await registerFixture(server, "echo_args.py", "echo");
    const { head, length } = submissionParts(4 * MiB);
    const upload = new RawUpload(server, { "Content-Length": String(length) });
    await upload.send(head);
    await upload.send(randomBytes(MiB));
    const stalledAt = Date.now();
    await upload.answered;
    const waited = Date.now() - stalledAt;
    // Node's server closes the stalled connection with its answer; Deno.serve gives a handler no
    // way to close a connection, so there the client is the one to hang up (README, `--idle-timeout`).
    if (SERVER_MODE === "deno") upload.socket.destroy();
    await upload.closed;
    expect(waited).toBeGreaterThanOrEqual(900);
    expect(waited).toBeLessThan(10_000);
    expect(upload.status, upload.response).toBe(408);
    expect(upload.errorCode).toBe("upload_stalled");
    await expect.poll(() => expectNothingLeft(server).then(() => true, () => false)).toBe(true);
  });

  it("a submission declaring more than --max-upload-size is refused with 413 without waiting for its body", async () => {
    const server = await startTestServer({ maxUploadSize: "1M" });
    await registerFixture(server, "echo_args.py", "echo");
    const { head, length } = submissionParts(1024 * MiB);
    const upload = new RawUpload(server, { "Content-Length": String(length) });
    await upload.send(head);
    await upload.send(randomBytes(64 * 1024));
    // The client sends nothing more: the answer must not wait for the gigabyte it declared.
    await upload.answered;
    expect(upload.status, upload.response).toBe(413);
    expect(upload.errorCode).toBe("payload_too_large");
    upload.socket.destroy();
    await expectNothingLeft(server);
  });

  it("a chunked submission is refused with 413 as soon as it passes the limit, not after it was all read", async () => {
    const server = await startTestServer({ maxUploadSize: "1M" });
    await registerFixture(server, "echo_args.py", "echo");
    const { head } = submissionParts(0);
    const upload = new RawUpload(server, { "Transfer-Encoding": "chunked" });
    await upload.send(chunked(head));
    for (let i = 0; i < 8; i++) await upload.send(chunked(randomBytes(256 * 1024)));
    // 2 MiB sent, past the 1 MiB limit, and the body goes on (no last chunk): the answer comes now.
    await upload.answered;
    expect(upload.status, upload.response).toBe(413);
    expect(upload.errorCode).toBe("payload_too_large");
    upload.socket.destroy();
    await expectNothingLeft(server);
  });

  it("curl and Python requests both receive the 413 of an oversized upload", async () => {
    const server = await startTestServer({ maxUploadSize: "1M" });
    await registerFixture(server, "echo_args.py", "echo");
    const work = await makeTempDir();
    onTestFinished(work.remove);
    const big = join(work.path, "big.bin");
    const handle = await open(big, "w");
    await handle.truncate(300 * MiB);
    await handle.close();
    await writeFile(join(work.path, "args.json"), '{"input": "<file1>"}');

    const curl = await run("curl", ["-sS", "-o", "-", "-w", "\n%{http_code}", "-F", "script_name=echo", "-F", `arg_file=@${join(work.path, "args.json")}`, "-F", `file1=@${big}`, `${server.url}/api/task`]);
    expect(curl.stdout.trim().split("\n").at(-1), curl.stdout + curl.stderr).toBe("413");
    expect(curl.stdout).toContain("payload_too_large");

    for (const withLength of [true, false]) {
      const program = `
import sys, requests
work, base, with_length = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
def chunks():
    yield b'--b\\r\\nContent-Disposition: form-data; name="script_name"\\r\\n\\r\\necho\\r\\n--b\\r\\nContent-Disposition: form-data; name="file1"; filename="big.bin"\\r\\n\\r\\n'
    with open(work + "/big.bin", "rb") as f:
        while block := f.read(1 << 20):
            yield block
    yield b"\\r\\n--b--\\r\\n"
if with_length:
    r = requests.post(base + "/api/task", data={"script_name": "echo"}, files={"arg_file": open(work + "/args.json", "rb"), "file1": open(work + "/big.bin", "rb")})
else:
    r = requests.post(base + "/api/task", data=chunks(), headers={"Content-Type": "multipart/form-data; boundary=b"})
print(r.status_code, r.json()["error"]["code"])
`;
      const python = await run(PYTHON, ["-c", program, work.path, server.url, withLength ? "1" : "0"], { timeout: 60_000 });
      expect(python.stdout.trim(), python.stderr).toBe("413 payload_too_large");
    }
    await expectNothingLeft(server);
  });
});
