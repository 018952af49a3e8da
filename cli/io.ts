import { writeOrDrop } from "./closed-output.ts";

/** Where the CLI writes; a parameter so the program can be run and tested in-process. */
export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** True when stderr is a terminal (progress bars are drawn only then). */
  interactive: boolean;
  env: NodeJS.ProcessEnv;
}

export const processIO: CliIO = {
  stdout: (text) => writeOrDrop(process.stdout, text),
  stderr: (text) => writeOrDrop(process.stderr, text),
  interactive: Boolean(process.stderr.isTTY),
  env: process.env,
};
