import { lstat, rename } from "node:fs/promises";
import path from "node:path";
import { CubQueueFileExistsError } from "./errors.ts";
import { byteNamesIn, fsPath, readable } from "./output-folder.ts";

/**
 * Moves what a download unpacked (into a staging folder beside the output) into the output
 * folder, merging into the folders it already has. Everything is checked before anything
 * moves: without `overwrite`, a file the download would replace refuses the whole download,
 * naming it; a folder or a link where the download has something else is never replaced.
 * Each move is a rename, so every file arrives whole. Paths are byte strings (see output-folder.ts).
 */
export async function moveIntoPlace(stagedDir: string, outputDir: string, overwrite: boolean): Promise<void> {
  const moves: Array<{ from: string; to: string }> = [];
  const blocked: Array<{ path: string; overwritable: boolean }> = [];

  async function plan(from: string, to: string): Promise<void> {
    for (const name of await byteNamesIn(from)) {
      const source = path.join(from, name);
      const destination = path.join(to, name);
      const existing = await lstat(fsPath(destination)).catch((error: NodeJS.ErrnoException) => {
        if (error.code === "ENOENT") return undefined;
        throw error;
      });
      if (existing === undefined) {
        moves.push({ from: source, to: destination });
        continue;
      }
      const incomingIsFolder = (await lstat(fsPath(source))).isDirectory();
      if (incomingIsFolder && existing.isDirectory()) await plan(source, destination);
      // A file replaces a file or a link (the link itself, never what it points to); nothing replaces a folder.
      else if (!incomingIsFolder && !existing.isDirectory()) {
        if (!overwrite) blocked.push({ path: destination, overwritable: true });
        moves.push({ from: source, to: destination });
      } else blocked.push({ path: destination, overwritable: false });
    }
  }

  await plan(stagedDir, outputDir);
  const first = blocked.find((each) => !each.overwritable) ?? blocked[0];
  if (first) throw new CubQueueFileExistsError(readable(first.path), blocked.length, first.overwritable);
  for (const { from, to } of moves) await rename(fsPath(from), fsPath(to));
}
