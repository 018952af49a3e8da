import { Buffer } from "node:buffer";
import { describe, expect, it } from "vitest";
import { placeholdersIn, resolvePlaceholders } from "../../src/tasks/placeholders.ts";

const paths = new Map([
  ["1", "/base/tasks/t/files/one.fq"],
  ["2", "/base/tasks/t/files/twö ✓.sdf"],
]);
const resolve = (json: string) => resolvePlaceholders(Buffer.from(json, "utf8"), paths).toString("utf8");
const used = (json: string) => [...placeholdersIn(Buffer.from(json, "utf8"))].sort();

describe("resolvePlaceholders", () => {
  it("gives back the very same buffer when no string value holds a placeholder", () => {
    const odd = Buffer.from(' {"__proto__": {"x": 1}, "big": 12345678901234567890,\t"huge": 1e400, "dup": 1, "dup": 2, "<file1>": "key only"}\r\n');
    expect(resolvePlaceholders(odd, paths)).toBe(odd);
  });

  it("replaces placeholders in string values only, re-emitting just those strings", () => {
    expect(resolve('{"in": "<file1>", "both": "<file2> and <file1>", "n": 12345678901234567890}')).toBe(
      `{"in": ${JSON.stringify(paths.get("1"))}, "both": ${JSON.stringify(`${paths.get("2")} and ${paths.get("1")}`)}, "n": 12345678901234567890}`,
    );
  });

  it("leaves keys that hold placeholders alone, whatever whitespace precedes their colon", () => {
    expect(resolve('{"<file1>": "<file1>", "<file2>"  \n\t : ["<file2>"]}')).toBe(
      `{"<file1>": ${JSON.stringify(paths.get("1"))}, "<file2>"  \n\t : [${JSON.stringify(paths.get("2"))}]}`,
    );
  });

  it("decodes escapes: \\u003cfile1> is a placeholder, \\\" and \\\\ do not end a string early", () => {
    expect(resolve('["\\u003cfile1>", "say \\"<file1>\\"", "ends in a backslash\\\\", "<file2>"]')).toBe(
      `[${JSON.stringify(paths.get("1"))}, ${JSON.stringify(`say "${paths.get("1")}"`)}, "ends in a backslash\\\\", ${JSON.stringify(paths.get("2"))}]`,
    );
    // A quote escaped inside a key, and a string made only of escaped backslashes.
    expect(resolve('{"a\\"<file1>": "\\\\\\\\", "b": "<file1>"}')).toBe(`{"a\\"<file1>": "\\\\\\\\", "b": ${JSON.stringify(paths.get("1"))}}`);
  });

  it("keeps non-ASCII text and replaces inside it", () => {
    const out = resolve('{"名前": "résumé <file1> ✓", "emoji": "😀", "file": "<file2>"}');
    expect(out).toBe(`{"名前": ${JSON.stringify(`résumé ${paths.get("1")} ✓`)}, "emoji": "😀", "file": ${JSON.stringify(paths.get("2"))}}`);
    expect(JSON.parse(out).file).toBe("/base/tasks/t/files/twö ✓.sdf");
  });

  it("walks nested arrays and objects, 100,000 deep, without recursion", () => {
    const depth = 100_000;
    const deep = `${'[{"a":'.repeat(depth)}"<file1>"${"}]".repeat(depth)}`;
    const out = resolve(deep);
    expect(out).toBe(`${'[{"a":'.repeat(depth)}${JSON.stringify(paths.get("1"))}${"}]".repeat(depth)}`);
  });

  it("leaves a placeholder with no file, and look-alikes, as they are", () => {
    expect(resolve('["<file3>", "<file0>", "<fileX>", "<file01>"]')).toBe('["<file3>", "<file0>", "<fileX>", "<file01>"]');
  });
});

describe("placeholdersIn", () => {
  it("lists the placeholders of string values, escaped ones included, and not those of keys", () => {
    expect(used('{"<file9>": ["<file1>", {"x": "\\u003cfile2> <file1>"}], "n": 3}')).toEqual(["1", "2"]);
  });

  it("reports a number too large for any file as written", () => {
    expect(used('["<file9007199254740993>", "<file0>", "<fileX>"]')).toEqual(["9007199254740993"]);
  });

  it("finds none in a document without strings", () => {
    expect(used("[1, 2.5e400, true, null, {}]")).toEqual([]);
  });
});
