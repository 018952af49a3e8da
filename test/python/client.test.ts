import { createServer } from "node:http";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { FIXTURES } from "../support/api.ts";
import { makeTempDir } from "../support/temp-dir.ts";
import { startTestServer } from "../support/test-server.ts";
import { CLIENT_DIR, HERE, runPython, SKIP } from "./python.ts";

async function tempDir(): Promise<string> {
  const dir = await makeTempDir();
  onTestFinished(dir.remove);
  return dir.path;
}

describe.skipIf(SKIP)("the Python client against a live server", () => {
  it("runs the spec's client section as written", async () => {
    const server = await startTestServer();
    const work = await tempDir();
    // Still running when the spec cancels it; it has written some output by then, or not yet.
    await writeFile(join(work, "long.sh"), '#!/bin/sh\necho started\necho partial > "$CUBQUEUE_OUTPUT_DIR/partial.txt"\nsleep 60\n');
    await writeFile(join(work, "args.json"), JSON.stringify({ polymers: ["<file1>", "<file2>"] }));
    await writeFile(join(work, "file1.pdb"), "ATOM 1\n");
    await writeFile(join(work, "file2.pdb"), "ATOM 2\n");
    const summary = await runPython([
      join(CLIENT_DIR, "examples/spec_client.py"),
      server.url,
      join(work, "long.sh"),
      join(work, "args.json"),
      join(work, "file1.pdb"),
      join(work, "file2.pdb"),
      join(work, "out"),
    ]);
    expect(summary).toEqual({
      scripts: ["script_name"],
      listed: true,
      status: expect.stringMatching(/^(queued|running)$/),
      log_is_text: true,
      result: "cancelled",
      files: ["file1.pdb", "file2.pdb"],
    });
  });

  it("offers every method with the spec's argument order, streams both ways, and raises typed errors with the server's code", async () => {
    const server = await startTestServer();
    const page = createServer((_request, response) => {
      response.writeHead(502, { "Content-Type": "text/html" });
      response.end("<html><body>Bad Gateway</body></html>\n");
    });
    await new Promise<void>((resolve) => page.listen(0, "127.0.0.1", resolve));
    onTestFinished(() => new Promise<void>((resolve) => page.close(() => resolve())));
    const notCubQueue = `http://127.0.0.1:${(page.address() as { port: number }).port}`;
    const work = await tempDir();

    const seen = await runPython([join(HERE, "every_method.py"), server.url, work, join(FIXTURES, "echo_args.py"), notCubQueue]);
    const apiError = (status: number, code: string) => ({ type: "CubQueueApiError", status, code, message: expect.any(String) });
    expect(seen).toEqual({
      register: 1,
      replace: 2,
      get_script: [2, 1],
      upload_progress_end: [100041, 100041],
      task: { status: "succeeded", exit_code: 0, max_retries: 1, timeout_s: 60, script_version: 2 },
      files: [["<file1>", "input.dat", 100000]],
      list: [true],
      page: ["next_cursor", "tasks"],
      log: "to stderr\n",
      log_tail: { attempt: 1, truncated: false },
      download: { files: 2, directories: 0, bytes: 100000 + 30, omitted: { count: 0, reasons: {} } },
      download_progress_end: [100030, 100030],
      downloaded: ["copy1.dat", "summary.json"],
      metadata: 1,
      refused: {
        type: "CubQueueFileExistsError",
        code: null,
        status: null,
        message: `${join(work, "result", "copy1.dat")} already exists, and 1 more of the download's files too; nothing was written. Download into another folder, or pass overwrite=True.`,
      },
      overwrite: 2,
      cancel_finished: apiError(409, "task_finished"),
      restart: "queued",
      restarted: 2,
      delete: true,
      flush: { deleted: 0, task_ids: [] },
      timeout: {
        type: "CubQueueTimeoutError",
        code: null,
        status: expect.stringMatching(/^(queued|running)$/),
        message: expect.stringMatching(/ is still (queued|running) after 0\.3 s\.$/),
      },
      cancel: "cancelled",
      unknown_task: apiError(404, "task_not_found"),
      unknown_script: apiError(404, "script_not_found"),
      bad_name: apiError(400, "invalid_script_name"),
      unregister: "slow",
      not_cubqueue: {
        type: "CubQueueApiError",
        status: 502,
        code: "unexpected_response",
        message: `The server at ${notCubQueue} answered 502 Bad Gateway with text/html, not CubQueue's JSON: is that the address of a CubQueue server?`,
      },
      offline: { type: "CubQueueConnectionError", code: null, status: null, message: "Cannot reach a CubQueue server at http://127.0.0.1:9 (connection refused: is the server running?)" },
    });
  });

  it("steers and watches: options, hold and edit, the queue, log follow and raw log, events with replay, arrays, suspend, health and metrics", async () => {
    const server = await startTestServer();
    const seen = await runPython([join(HERE, "watch_and_steer.py"), server.url, await tempDir()]);
    const lines = Array.from({ length: 400 }, (_, i) => `line ${i + 1}${i < 200 ? " hello" : ""}\n`).join("");
    expect(seen).toEqual({
      paused: true,
      held: "held",
      edited: { priority: 7, name: "count again", status: "held" },
      released: "queued",
      queue: { paused: true, queued: 1 },
      concurrency: 2,
      unknown_option: "submit_task() got an unexpected keyword argument 'priority_level'",
      bad_option: [400, "invalid_field"],
      resumed: false,
      followed: { count: 400, first: "line 1 hello", last: "line 400", in_order: true },
      finished: {
        status: "succeeded",
        name: "count again",
        tags: { suite: "python", n: "3" },
        progress: { percent: 50, message: "half way" },
        env: { GREETING: "hello" },
      },
      saved_bytes: Buffer.byteLength(lines),
      saved_matches: true,
      saved_again: expect.stringMatching(/task\.log already exists; nothing was written\. Download into another folder, or pass overwrite=True\.$/),
      overwritten: Buffer.byteLength(lines),
      listed: [true],
      by_prefix: [true],
      events: [
        ["submitted", "held", null, null],
        ["transition", "held", "queued", null],
        ["transition", "queued", "running", null],
        ["progress", null, null, 50],
        ["transition", "running", "succeeded", null],
      ],
      replayed_after_first: true,
      array: { tasks: 2, max_running: 1 },
      array_done: ["succeeded", "succeeded"],
      suspended: "suspended",
      resumed_task: "running",
      held_running: [409, "task_not_queued"],
      cancelled: "cancelled",
      health: { status: "ok", database: "ok" },
      metrics_has_tasks: true,
    });
  });

  it("unpacks only inside the output folder: no path escapes, no links followed or made", async () => {
    const work = await tempDir();
    expect(await runPython([join(HERE, "unpack_safety.py"), work])).toEqual({
      "../evil.txt": "Refusing to extract archive entry '../evil.txt': its path leads outside the output folder.",
      "/tmp/evil.txt": "Refusing to extract archive entry '/tmp/evil.txt': its path is absolute or empty.",
      "zip ../evil.txt": "Refusing to extract archive entry '../evil.txt': its path leads outside the output folder.",
      links_skipped: ["kept.txt"],
      through_link: expect.stringMatching(/\/linked\/escape is in the way: .*; nothing was written\. Download into another folder\.$/),
      nothing_outside: [],
      output_untouched: [],
    });
  });
});
