import { connect } from "node:net";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { registerFixture, waitUntil } from "../support/api.ts";
import { listDir, startTestServer } from "../support/test-server.ts";

describe("a client that disconnects halfway through an upload", () => {
  it("leaves no partial file, no task folder and no task record", async () => {
    const server = await startTestServer();
    await registerFixture(server, "echo_args.py", "echo_args");
    const boundary = "----cut-short";
    const head = [
      `--${boundary}\r\nContent-Disposition: form-data; name="script_name"\r\n\r\necho_args\r\n`,
      `--${boundary}\r\nContent-Disposition: form-data; name="arg_file"; filename="args.json"\r\n\r\n{"a": "<file1>"}\r\n`,
      `--${boundary}\r\nContent-Disposition: form-data; name="file1"; filename="big.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`,
    ].join("");
    const { port } = new URL(server.url);
    const socket = connect(Number(port), "127.0.0.1");
    await new Promise((resolve) => socket.once("connect", resolve));
    socket.write(
      `POST /api/task HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: ${100 * 1024 * 1024}\r\n\r\n${head}`,
    );
    socket.write(Buffer.alloc(8 * 1024 * 1024, 1));
    const incoming = join(server.baseDir, "cubqueue.incoming");
    // The upload is under way: a staging folder holds the partial file.
    await waitUntil(async () => (await listDir(incoming)).length === 1);
    socket.destroy();

    await waitUntil(async () => (await listDir(incoming)).length === 0);
    expect(await listDir(join(server.baseDir, "tasks"))).toEqual([]);
    expect((await (await server.request("/api/task")).json()).tasks).toEqual([]);
    expect(server.loggedErrors).toEqual([]);
  });
});
