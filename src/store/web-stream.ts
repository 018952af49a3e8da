import type { Buffer } from "node:buffer";

/**
 * A web stream of what a generator yields, pulled as the reader reads (so the
 * generator waits while the client is slow), and returned (its `finally` run)
 * when the reader stops. A failure ends the stream: with the last words
 * `lastWords` gives for it, if any, or as an error.
 */
export function toWebStream(chunks: AsyncGenerator<Buffer>, lastWords?: (error: unknown) => Buffer | undefined): ReadableStream<Uint8Array> {
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
      await chunks.return(undefined);
    },
  });
}
