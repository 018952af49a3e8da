import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** The files and folders the README's shell examples write, relative to where they run (the checkout). */
function writtenBy(readme: string): string[] {
  const blocks = [...readme.matchAll(/```bash\n([\s\S]*?)```/g)].map((match) => match[1]!);
  const written = new Set<string>();
  // Folders end with "/", as .gitignore's folder patterns need to see them.
  const patterns: Array<[RegExp, string]> = [
    [/(?:^|\s)>\s*(\S+)/g, ""],
    [/--output-dir\s+(\S+)/g, "/"],
    [/--base-dir\s+(\S+)/g, "/"],
    [/--(?:script|arg-file)\s+(\S+\.(?:py|json))/g, ""],
  ];
  for (const block of blocks) {
    for (const [pattern, suffix] of patterns) for (const match of block.matchAll(pattern)) written.add(match[1]!.replace(/^\.\//, "") + suffix);
  }
  // Not paths: placeholders and the shell's own targets.
  return [...written].filter((path) => !/^(DIR|\/|&|"?\$|<)/.test(path) && !path.includes("PY")).sort();
}

describe("the README's tour", () => {
  it("leaves nothing in a checkout that .gitignore does not cover", async () => {
    const paths = writtenBy(await readFile(`${ROOT}README.md`, "utf8"));
    expect(paths).toEqual(expect.arrayContaining(["align.py", "args.json", "cubqueue-data/", "results/", "intermediate/"]));
    const uncovered: string[] = [];
    for (const path of paths) {
      const ignored = await run("git", ["check-ignore", "--no-index", "-q", path], { cwd: ROOT }).then(
        () => true,
        () => false,
      );
      if (!ignored) uncovered.push(path);
    }
    expect(uncovered).toEqual([]);
  });
});
