/**
 * How an archive response says what the folder held but the archive leaves out (see
 * planArchive): a count, and when it is not 0 the count per reason, e.g. "special_file=2, symlink=1".
 * The SDK parses both back (src/client/cubqueue-client.ts).
 */
export const OMITTED_HEADER = "X-CubQueue-Omitted";
export const OMITTED_REASONS_HEADER = "X-CubQueue-Omitted-Reasons";

export function formatOmittedReasons(omitted: Partial<Record<string, number>>): string {
  return Object.entries(omitted)
    .filter(([, count]) => (count ?? 0) > 0)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([reason, count]) => `${reason}=${count}`)
    .join(", ");
}

/**
 * How many bytes of file content the archive holds: what unpacking it writes, whatever the
 * format's framing or compression. Clients show download progress against it.
 */
export const UNPACKED_SIZE_HEADER = "X-CubQueue-Unpacked-Size";
