// @ts-check
// The server's event stream (GET /api/events), read with fetch so the token's header goes
// with it (an EventSource cannot send one). It reconnects from the last event it saw.
import { openStream } from "./api.js";

/** @typedef {import("../../client/generated/openapi.ts").components["schemas"]["TaskEvent"]} TaskEvent */

/**
 * Calls onEvent for every event until the signal aborts; onGap when some were missed.
 * @param {{ onEvent: (event: TaskEvent) => void; onGap: () => void; signal: AbortSignal; taskId?: string }} options
 */
export async function watchEvents({ onEvent, onGap, signal, taskId }) {
  /** @type {string | undefined} */
  let lastId;
  while (!signal.aborted) {
    try {
      const body = await openStream("/api/events", {
        query: taskId ? { task_id: taskId } : {},
        headers: lastId ? { "Last-Event-ID": lastId } : {},
        signal,
      });
      for await (const message of messages(body)) {
        if (message.id) lastId = message.id;
        if (message.event === "gap") onGap();
        else onEvent(JSON.parse(message.data));
      }
    } catch {
      // Cut, or the server restarting: try again shortly (what was missed comes first).
    }
    if (!signal.aborted) await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

/**
 * The messages of a text/event-stream body: event name, id and data.
 * @param {ReadableStream<Uint8Array>} body
 */
async function* messages(body) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffered = "";
  let message = { event: "message", id: "", data: "" };
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffered += decoder.decode(value, { stream: true });
      let newline;
      while ((newline = buffered.indexOf("\n")) >= 0) {
        const line = buffered.slice(0, newline).replace(/\r$/, "");
        buffered = buffered.slice(newline + 1);
        if (line === "") {
          if (message.data) yield message;
          message = { event: "message", id: "", data: "" };
        } else if (!line.startsWith(":")) {
          const colon = line.indexOf(":");
          const field = colon < 0 ? line : line.slice(0, colon);
          const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
          if (field === "event") message.event = value;
          else if (field === "id") message.id = value;
          else if (field === "data") message.data += message.data ? `\n${value}` : value;
        }
      }
    }
  } finally {
    reader.cancel().catch(() => {});
  }
}
