// The hashing of files as they are written, so that the server's event loop never spends the
// 0.6 s per GiB that SHA-256 costs: what was just written is read back from the page cache and
// hashed here. It runs on the folder worker's thread (fs-steps.mjs) over a port of its own, as a
// second worker thread would cost the server another ~11 MB of memory for its JavaScript engine.
// That thread's lists of folder steps are short and a task waits for them, so hashing gives way:
// it hashes at most one read's worth at a time and lets the thread's other messages in between.
// See src/store/file-hashes.ts for the other side of the messages.
import { createHash } from "node:crypto";
import { closeSync, openSync, readSync } from "node:fs";

/** Bytes read (and hashed) per turn of the thread: about 1.5 ms of hashing here. */
const READ = 2 * 1024 * 1024;

/**
 * @typedef {{ id: number, path: string, upTo: number, finish?: boolean } | { id: number, drop: true }} HashMessage
 * @typedef {{ path: string, fd: number | undefined, hash: import("node:crypto").Hash, covered: number, upTo: number, finish: boolean }} FileState
 */

/**
 * Answers the hashing messages that arrive on `port`: each file's hash is advanced to what its
 * last message says was written, and its digest sent once a message says the file is whole.
 * @param {import("node:worker_threads").MessagePort} port
 */
export function serveHashing(port) {
  const buffer = Buffer.allocUnsafe(READ);
  /** @type {Map<number, FileState>} */
  const files = new Map();
  /** The files with bytes left to hash, in the order they were told of them. */
  const due = new Set();
  let scheduled = false;

  /** @param {number} id */
  function drop(id) {
    const state = files.get(id);
    files.delete(id);
    due.delete(id);
    if (state?.fd !== undefined) closeSync(state.fd);
  }

  /** @param {number} id @param {unknown} error */
  function fail(id, error) {
    drop(id);
    // Said once, whether the digest was asked for yet or not: the other side waits for either.
    port.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }

  /** Hashes one read of the first file due, then comes back after the thread's other messages. */
  function step() {
    scheduled = false;
    const [id] = due;
    if (id === undefined) return;
    const state = /** @type {FileState} */ (files.get(id));
    try {
      if (state.covered < state.upTo) {
        state.fd ??= openSync(state.path, "r");
        const read = readSync(state.fd, buffer, 0, Math.min(READ, state.upTo - state.covered), state.covered);
        if (read === 0) throw new Error(`${state.path} ends at byte ${state.covered}, before the ${state.upTo} bytes written to it`);
        state.hash.update(buffer.subarray(0, read));
        state.covered += read;
      }
      if (state.covered >= state.upTo) {
        due.delete(id);
        if (state.finish) {
          drop(id);
          port.postMessage({ id, sha256: state.hash.digest("hex") });
        }
      }
    } catch (error) {
      fail(id, error);
    }
    schedule();
  }

  function schedule() {
    if (scheduled || due.size === 0) return;
    scheduled = true;
    setImmediate(step);
  }

  // The server stopped hashing (or is stopping): the files still open are closed.
  port.on("close", () => {
    for (const id of [...files.keys()]) drop(id);
  });
  port.on(
    "message",
    /** @param {HashMessage} message */
    (message) => {
      if ("drop" in message) {
        drop(message.id);
        return;
      }
      const state = files.get(message.id) ?? { path: message.path, fd: undefined, hash: createHash("sha256"), covered: 0, upTo: 0, finish: false };
      files.set(message.id, state);
      state.upTo = Math.max(state.upTo, message.upTo);
      state.finish ||= message.finish === true;
      due.add(message.id);
      schedule();
    },
  );
}
