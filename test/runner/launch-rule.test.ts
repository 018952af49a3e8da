import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { launchRuleFor } from "../../src/runner/launch-rule.ts";

const text = (content: string) => Buffer.from(content);

describe("launchRuleFor: how a script runs", () => {
  it.each([
    ["a shebang wins over the extension", "job.py", "#!/bin/sh -e\necho\n", { kind: "shebang", program: "/bin/sh", argument: "-e" }],
    ["a shebang without argument", "tool.run", "#!/usr/bin/env\r\n", { kind: "shebang", program: "/usr/bin/env", argument: undefined }],
    ["a known extension, any case", "Job.PY", "print(1)\n", { kind: "interpreter", interpreter: "python3", extension: ".PY" }],
    ['"#!" alone names nothing: the extension decides', "job.sh", "#!\necho\n", { kind: "interpreter", interpreter: "bash", extension: ".sh" }],
    ["text with neither", "job", "echo hi\n", { kind: "none" }],
    ["text with an unknown extension", "job.txt2", "print(1)\n", { kind: "none" }],
    ["a BOM before #! is not a shebang (the kernel would not read one)", "job", "\uFEFF#!/bin/sh\n", { kind: "none" }],
  ])("%s", (_why, filename, content, expected) => {
    expect(launchRuleFor(filename, text(content))).toEqual(expected);
  });

  it("a compiled program without an extension is native", async () => {
    expect(launchRuleFor("true", await readFile("/bin/true"))).toEqual({ kind: "native" });
    expect(launchRuleFor("macho", Buffer.from("cffaedfe07000001", "hex"))).toEqual({ kind: "native" });
    expect(launchRuleFor("short", Buffer.from("7f45", "hex"))).toEqual({ kind: "none" });
  });
});
