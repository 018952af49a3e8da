/**
 * Download archives of a task folder (`metadata/` or `output/`): what goes in is decided by
 * planArchive (see archive-plan.ts), how it is written by streamArchive (archive-stream.ts).
 */
export type ArchiveFormat = "tar" | "tar.gz" | "zip";

/** Every format streamArchive can write, in the order offered to users. */
export const ARCHIVE_FORMATS: readonly ArchiveFormat[] = ["tar", "tar.gz", "zip"];

/** The Content-Type to serve an archive of this format with. */
export function archiveContentType(format: ArchiveFormat): string {
  switch (format) {
    case "tar":
      return "application/x-tar";
    case "tar.gz":
      return "application/gzip";
    case "zip":
      return "application/zip";
  }
}

/** The file-name extension, dot included, for an archive of this format. */
export function archiveExtension(format: ArchiveFormat): string {
  return `.${format}`;
}

export type { ArchiveEntry } from "./archive-plan.ts";
export { planArchive } from "./archive-plan.ts";
export { streamArchive } from "./archive-stream.ts";
