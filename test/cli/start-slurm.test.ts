import { describe, expect, it, onTestFinished } from "vitest";
import { runCubqueue } from "../support/cli.ts";
import { makeTempDir } from "../support/temp-dir.ts";

/** `cubqueue start` with these flags must fail at once, with one line that names the flag. */
async function startFails(args: string[], env: Record<string, string> = {}) {
  const dir = await makeTempDir();
  onTestFinished(dir.remove);
  const result = await runCubqueue(["start", "--base-dir", dir.path, "--port", "0", ...args], env);
  const lines = result.stderr.trim().split("\n");
  expect(lines, result.stderr).toHaveLength(1);
  expect(result.code, result.stderr).not.toBe(0);
  return lines[0]!;
}

describe("start's Slurm options, given wrong, stop it at once with one line naming the flag", () => {
  it("an executor that does not exist, and Slurm settings without the Slurm executor", async () => {
    expect(await startFails(["--executor", "kubernetes"])).toBe('cubqueue: Invalid --executor "kubernetes": use local or slurm.');
    expect(await startFails(["--slurm-partition", "batch"])).toBe(
      "cubqueue: --slurm-partition is for a server that runs tasks on Slurm; add --executor slurm, or leave it out.",
    );
    expect(await startFails(["--slurm-opt=--qos=long"])).toMatch(/^cubqueue: --slurm-opt is for a server that runs tasks on Slurm/);
  });

  it("sbatch options written after a space, malformed, or set by CubQueue itself", async () => {
    // After a space, the sbatch option reads as one of cubqueue's: cac names it (the help says to write it after "=").
    expect(await startFails(["--executor", "slurm", "--slurm-opt", "--qos=long"])).toBe("cubqueue: Unknown option `--qos`; see --help.");
    expect(await startFails(["--executor", "slurm", "--slurm-opt"])).toMatch(/--slurm-opt/);
    expect(await startFails(["--executor", "slurm", "--slurm-opt=-q long"])).toMatch(/^cubqueue: Invalid --slurm-opt "-q long": give sbatch options in their long form/);
    expect(await startFails(["--executor", "slurm", "--slurm-opt=--output=/tmp/x"])).toMatch(/^cubqueue: Invalid --slurm-opt "--output=\/tmp\/x": CubQueue sets --output itself/);
  });

  it("a partition with a space, a command CubQueue does not run, a poll out of range", async () => {
    expect(await startFails(["--executor", "slurm", "--slurm-partition", "two words"])).toBe('cubqueue: Invalid --slurm-partition "two words": give one name, without spaces.');
    expect(await startFails(["--executor", "slurm", "--slurm-command", "srun=/usr/bin/srun"])).toMatch(
      /^cubqueue: Invalid --slurm-command "srun=\/usr\/bin\/srun": use NAME=PATH with NAME one of sbatch, squeue, scontrol, scancel, sacct/,
    );
    expect(await startFails(["--executor", "slurm", "--slurm-poll", "0"])).toMatch(/^cubqueue: Invalid --slurm-poll "0": give a number of seconds from 0.1 to 600/);
  });

  it("Slurm's commands nowhere to be found, or a given path that is not one", async () => {
    expect(await startFails(["--executor", "slurm"], { PATH: "/nonexistent" })).toBe(
      "cubqueue: Cannot find sbatch on PATH: is Slurm installed on this machine? Give its path with --slurm-command sbatch=/path/to/sbatch",
    );
    expect(await startFails(["--executor", "slurm", "--slurm-command", "squeue=/nonexistent/squeue"])).toMatch(
      /^cubqueue: Cannot run \/nonexistent\/squeue, given as --slurm-command squeue=\/nonexistent\/squeue: it is not an executable file/,
    );
  });
});
