/** One message of a text/event-stream: its event name, its id (if it had one) and its data. */
export interface ServerSentEvent {
  event: string;
  id: string | undefined;
  data: string;
}

/**
 * Reads a text/event-stream body one message at a time. The format is lines
 * of `field: value`; a blank line ends a message and a line starting with `:`
 * is a comment (the server's keep-alive). Only what CubQueue sends is kept:
 * event, id and data. Stopping the iteration cancels the body, and so does the
 * signal: the read it interrupts ends the iteration. (Aborting a fetch does not,
 * on every runtime, end a body whose reading has begun.)
 */
export async function* readServerSentEvents(body: ReadableStream<Uint8Array>, signal?: AbortSignal): AsyncGenerator<ServerSentEvent> {
  const reader = body.getReader();
  const cancel = () => void reader.cancel().catch(() => undefined);
  if (signal?.aborted) cancel();
  signal?.addEventListener("abort", cancel, { once: true });
  const decoder = new TextDecoder();
  let buffered = "";
  let message: { event: string; id: string | undefined; data: string[] } = { event: "message", id: undefined, data: [] };
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffered += decoder.decode(value, { stream: true });
      let newline: number;
      while ((newline = buffered.indexOf("\n")) >= 0) {
        const line = buffered.slice(0, newline).replace(/\r$/, "");
        buffered = buffered.slice(newline + 1);
        if (line === "") {
          if (message.data.length > 0) yield { event: message.event, id: message.id, data: message.data.join("\n") };
          message = { event: "message", id: undefined, data: [] };
        } else if (!line.startsWith(":")) {
          const colon = line.indexOf(":");
          const field = colon < 0 ? line : line.slice(0, colon);
          const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
          if (field === "event") message.event = value;
          else if (field === "id") message.id = value;
          else if (field === "data") message.data.push(value);
        }
      }
    }
  } finally {
    signal?.removeEventListener("abort", cancel);
    await reader.cancel().catch(() => undefined);
  }
}
