import { extname } from "node:path";

/**
 * The extension of an uploaded file's name, kept when CubQueue stores it under a
 * name of its own; anything that does not look like a plain extension is
 * dropped, so a client-chosen name never shapes a path.
 */
export function safeExtension(originalName: string): string {
  const extension = extname(originalName);
  return /^\.[A-Za-z0-9]{1,16}$/.test(extension) ? extension : "";
}
