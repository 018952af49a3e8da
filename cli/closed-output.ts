/**
 * Output that nobody reads any more must not end the process. A foreground
 * server whose terminal or pipe went away (`cubqueue start | head`, a closed
 * ssh session with the shell's pipes) would otherwise die with EPIPE at its
 * next log line, in the middle of serving; a command piped into `head` would
 * end with a stack trace instead of quietly.
 *
 * Node reports a failed write to a closed pipe as an 'error' event on the
 * stream (fatal without a listener, even for console.error); Deno may throw
 * from the write itself. Both are caught here: what cannot be written is
 * dropped, since the output has no other place to go.
 */
export function ignoreClosedOutput(streams: NodeJS.WriteStream[] = [process.stdout, process.stderr]): void {
  for (const stream of streams) stream.on("error", () => {});
}

/** Writes text, dropping it when the stream can no longer take it. */
export function writeOrDrop(stream: NodeJS.WriteStream, text: string): void {
  try {
    stream.write(text);
  } catch {
    // The reader is gone; see ignoreClosedOutput.
  }
}

/** Writes bytes and resolves when the stream wants more (at once, or at its 'drain'); dropped when it is closed. */
export function writeWithBackpressure(stream: NodeJS.WriteStream, chunk: Uint8Array): Promise<void> {
  return new Promise((resolve) => {
    if (stream.destroyed || stream.writableEnded) return resolve();
    try {
      if (stream.write(chunk)) return resolve();
    } catch {
      return resolve();
    }
    const done = () => {
      stream.off("drain", done);
      stream.off("close", done);
      resolve();
    };
    stream.on("drain", done);
    stream.on("close", done);
  });
}

/**
 * Resolves once what was written to the stream has left the process (a pipe takes
 * its writes in turn, so an empty write's callback comes after them all), or at
 * once when the stream is closed: exiting sooner would cut a long output short.
 */
export function flushed(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (stream.destroyed || stream.writableEnded) return resolve();
    stream.once("error", () => resolve());
    try {
      stream.write("", () => resolve());
    } catch {
      resolve();
    }
  });
}
