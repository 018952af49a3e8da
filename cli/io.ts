import { writeOrDrop, writeWithBackpressure } from "./closed-output.ts";

/** Where the CLI writes; a parameter so the program can be run and tested in-process. */
export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /**
   * Writes bytes (a log as the task wrote it) and resolves once stdout can take more: a
   * long log piped to a slow reader is held a chunk at a time, not whole.
   */
  stdoutBytes: (chunk: Uint8Array) => Promise<void>;
  /** True when stderr is a terminal (progress bars are drawn only then). */
  interactive: boolean;
  env: NodeJS.ProcessEnv;
}

export const processIO: CliIO = {
  stdout: (text) => writeOrDrop(process.stdout, text),
  stderr: (text) => writeOrDrop(process.stderr, text),
  stdoutBytes: (chunk) => writeWithBackpressure(process.stdout, chunk),
  interactive: Boolean(process.stderr.isTTY),
  env: process.env,
};
