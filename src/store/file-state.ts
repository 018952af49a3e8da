import { stat } from "node:fs/promises";

/**
 * Which file a path names and when it last changed, as one string: device,
 * inode, size and change time (ctime, in nanoseconds). Writing, renaming over,
 * truncating or touching a file changes its ctime, and no program can set a
 * ctime back, so an equal identity means the content has not changed since.
 */
export async function fileIdentity(path: string): Promise<string> {
  const { dev, ino, size, ctimeNs } = await stat(path, { bigint: true });
  return `${dev}:${ino}:${size}:${ctimeNs}`;
}
