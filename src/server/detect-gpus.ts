import { execFile } from "node:child_process";

/** How long `nvidia-smi -L` may take before the server starts without GPUs. */
const DETECT_TIMEOUT_MS = 10_000;

/**
 * The GPUs of this machine, by index ("0", "1", …), as `nvidia-smi -L` lists
 * them ("GPU 0: NVIDIA A100 (UUID: GPU-…)"); none where it is not installed or
 * fails. These are the ids CUDA_VISIBLE_DEVICES takes.
 */
export function detectGpus(env: Readonly<Record<string, string | undefined>>): Promise<string[]> {
  return new Promise((resolve) => {
    execFile("nvidia-smi", ["-L"], { timeout: DETECT_TIMEOUT_MS, env }, (error, stdout) => {
      if (error) return resolve([]);
      resolve(parseGpuList(String(stdout)));
    });
  });
}

export function parseGpuList(text: string): string[] {
  const ids: string[] = [];
  for (const line of text.split("\n")) {
    const match = /^GPU (\d+):/.exec(line.trim());
    if (match && !ids.includes(match[1]!)) ids.push(match[1]!);
  }
  return ids;
}
