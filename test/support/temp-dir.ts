import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A fresh temporary directory, removed after the test unless KEEP_TEST_DATA is set. */
export async function makeTempDir(prefix = "cubqueue-test-"): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return {
    path,
    remove: async () => {
      if (process.env.KEEP_TEST_DATA) console.log(`kept test data in ${path}`);
      else await rm(path, { recursive: true, force: true });
    },
  };
}
