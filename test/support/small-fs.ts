import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";

/**
 * A small file system to fill, for disk-full tests, e.g. as root:
 *   mount -t tmpfs -o size=2m tmpfs /mnt/small && CUBQUEUE_TEST_SMALL_FS=/mnt/small npm test
 * (.ci/run does this). Tests that need it are skipped without it.
 */
export const smallFs = process.env.CUBQUEUE_TEST_SMALL_FS;

/**
 * Runs `use` with a fresh folder on the small file system, which it has to
 * itself meanwhile: test files run in parallel, and two tests filling the
 * same disk would each see the other's bytes.
 */
export async function withSmallFs<T>(use: (dir: string) => Promise<T>): Promise<T> {
  if (!smallFs) throw new Error("CUBQUEUE_TEST_SMALL_FS is not set");
  const lock = join(smallFs, "cubqueue-test.lock");
  for (;;) {
    try {
      await writeFile(lock, String(process.pid), { flag: "wx" });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  const dir = await mkdtemp(join(smallFs, "cubqueue-"));
  try {
    return await use(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
    await rm(lock, { force: true });
  }
}
