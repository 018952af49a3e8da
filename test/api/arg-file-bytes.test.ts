import { Buffer } from "node:buffer";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { expectError, expectNothingLeft, registerScript, waitFinished, type Requester } from "../support/api.ts";
import { startTestServer } from "../support/test-server.ts";

/** Keeps a copy of exactly what the script was given, byte for byte. */
const COPY_ARGS = '#!/bin/sh\ncat "$1" > "$CUBQUEUE_OUTPUT_DIR/seen.json"\n';

/** Submits an argument file given as raw bytes (the usual helper would serialise it). */
function submitRaw(server: Requester, scriptName: string, argFile: string | Uint8Array<ArrayBuffer>, files: string[] = []) {
  const form = new FormData();
  form.set("script_name", scriptName);
  form.set("arg_file", new Blob([argFile]), "args.json");
  files.forEach((content, index) => form.set(`file${index + 1}`, new Blob([content]), `in${index + 1}.txt`));
  return server.request("/api/task", { method: "POST", body: form });
}

/** Runs the argument file through a task and returns the bytes the script saw, and the task. */
async function seenBy(server: Requester & { baseDir: string }, argFile: string, files: string[] = []) {
  const response = await submitRaw(server, "copy_args", argFile, files);
  expect(response.status, await response.clone().text()).toBe(201);
  const task = await waitFinished(server, (await response.json()).task_id);
  expect(task.status).toBe("succeeded");
  const dir = join(server.baseDir, "tasks", task.task_id);
  return { seen: await readFile(join(dir, "output", "seen.json")), dir, task };
}

const ODD = ' {"__proto__": {"polluted": true}, "big": 12345678901234567890, "huge": 1e400,\r\n\t"dup": 1, "dup": 2, "esc": "caf\\u00e9 \\"q\\"", "名前": "値"}  \n\n';

describe("the argument file a script sees", () => {
  it("is byte for byte what was sent when it has no placeholders (__proto__, 2^64, 1e400, duplicate keys, odd whitespace)", async () => {
    const server = await startTestServer();
    await registerScript(server, "copy_args", "copy_args.sh", COPY_ARGS);
    const { seen } = await seenBy(server, ODD);
    expect(seen.equals(Buffer.from(ODD, "utf8")), seen.toString("utf8")).toBe(true);
  });

  it("differs only in the placeholder strings, which hold the stored files' paths", async () => {
    const server = await startTestServer();
    await registerScript(server, "copy_args", "copy_args.sh", COPY_ARGS);
    const sent = `{"in": "<file1>", "<file1>": "a key is left alone", "escaped": "\\u003cfile2>", "both": ["<file2> <file1>"],${ODD.slice(2)}`;
    const { seen, dir, task } = await seenBy(server, sent, ["one\n", "two\n"]);
    const [one, two] = task.files.map((file: { stored_name: string }) => join(dir, "files", file.stored_name));
    const expected = sent
      .replace('"in": "<file1>"', `"in": ${JSON.stringify(one)}`)
      .replace('"\\u003cfile2>"', JSON.stringify(two))
      .replace('"<file2> <file1>"', JSON.stringify(`${two} ${one}`));
    expect(seen.toString("utf8")).toBe(expected);
    expect(await readFile(JSON.parse(expected).in, "utf8")).toBe("one\n");
  });

  it.each([5_000, 100_000])("nested %i deep is accepted and reaches the script unchanged", async (depth) => {
    const server = await startTestServer();
    await registerScript(server, "copy_args", "copy_args.sh", COPY_ARGS);
    const deep = `${'{"a":['.repeat(depth)}"<file1>"${"]}".repeat(depth)}`;
    const { seen, dir, task } = await seenBy(server, deep, ["x"]);
    const stored = join(dir, "files", task.files[0].stored_name);
    expect(seen.toString("utf8")).toBe(deep.replace('"<file1>"', JSON.stringify(stored)));
  });

  it("that is not UTF-8 is refused with 400, leaving nothing", async () => {
    const server = await startTestServer();
    await registerScript(server, "copy_args", "copy_args.sh", COPY_ARGS);
    const latin1 = new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xe9, 0x22, 0x7d]); // {"a":"é"} in Latin-1
    const body = await expectError(await submitRaw(server, "copy_args", latin1), 400, "invalid_arg_file");
    expect(body.error.message).toContain("UTF-8");
    await expectNothingLeft(server);
  });
});
