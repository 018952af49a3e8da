import { stat } from "node:fs/promises";

export interface FileState {
  /**
   * Which file a path names and when it last changed, as one string: device,
   * inode, size and change time (ctime, in nanoseconds). Writing, renaming over,
   * truncating or touching a file changes its ctime, and no program can set a
   * ctime back, so an equal identity means the content has not changed since.
   */
  identity: string;
  /** Its permission bits. */
  mode: number;
}

export async function fileState(path: string): Promise<FileState> {
  const { dev, ino, size, ctimeNs, mode } = await stat(path, { bigint: true });
  return { identity: `${dev}:${ino}:${size}:${ctimeNs}`, mode: Number(mode & 0o7777n) };
}
