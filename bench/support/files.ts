import { randomBytes } from "node:crypto";
import { open, writeFile, chmod } from "node:fs/promises";

const BLOCK = 4 * 1024 * 1024;

/**
 * Writes `bytes` of incompressible data: one random 4 MiB block repeated. The
 * repeats are far beyond gzip's 32 KiB window, so compression cannot shortcut it.
 */
export async function writeDataFile(path: string, bytes: number): Promise<void> {
  const block = randomBytes(BLOCK);
  const handle = await open(path, "w");
  try {
    for (let written = 0; written < bytes; ) {
      const length = Math.min(BLOCK, bytes - written);
      await handle.write(block, 0, length);
      written += length;
    }
  } finally {
    await handle.close();
  }
}

/** Writes a log of about `bytes` bytes: numbered text lines of ~100 characters. */
export async function writeLogFile(path: string, bytes: number): Promise<void> {
  const lines: string[] = [];
  for (let i = 0; i < 40_000; i++) lines.push(`${new Date(1_700_000_000_000 + i * 1000).toISOString()} step ${i} processed batch of records ok ${"x".repeat(i % 37)}\n`);
  const block = Buffer.from(lines.join(""));
  const handle = await open(path, "w");
  try {
    for (let written = 0; written < bytes; ) {
      const length = Math.min(block.length, bytes - written);
      await handle.write(block, 0, length);
      written += length;
    }
    // End on a complete line.
    await handle.write("last line\n");
  } finally {
    await handle.close();
  }
}

/** Writes an executable script. */
export async function writeScript(path: string, text: string): Promise<void> {
  await writeFile(path, text);
  await chmod(path, 0o755);
}

export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;
