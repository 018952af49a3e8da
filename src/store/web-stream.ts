import type { Buffer } from "node:buffer";

/**
 * A web stream of what a generator yields, pulled as the reader reads (so the
 * generator waits while the client is slow). When the reader stops, the
 * generator's signal aborts and the generator is returned (its `finally` run):
 * the signal is what reaches a generator that is waiting for something to
 * happen rather than for the reader, which `return()` alone would only reach
 * at its next yield. A failure ends the stream: with the last words
 * `lastWords` gives for it, if any, or as an error.
 */
export function toWebStream(produce: (signal: AbortSignal) => AsyncGenerator<Buffer>, lastWords?: (error: unknown) => Buffer | undefined): ReadableStream<Uint8Array> {
  const stopped = new AbortController();
  const chunks = produce(stopped.signal);
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = await chunks.next();
        if (next.done) controller.close();
        else controller.enqueue(next.value);
      } catch (error) {
        const words = lastWords?.(error);
        if (!words) return controller.error(error);
        controller.enqueue(words);
        controller.close();
      }
    },
    async cancel() {
      stopped.abort();
      await chunks.return(undefined);
    },
  });
}
