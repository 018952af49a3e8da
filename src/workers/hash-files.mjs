// A worker thread that hashes files as they are written, so that the server's event loop never
// spends the 0.6 s per GiB that SHA-256 costs. It reads back what was just written, from the page
// cache, in its own thread. Plain JavaScript, run as it is (the build copies it): a worker must
// start from a module the runtime can load without compiling, from the sources as from dist/.
// See src/store/file-hashes.ts for the other side of the messages.
import { createHash } from "node:crypto";
import { closeSync, openSync, readSync } from "node:fs";
import { parentPort } from "node:worker_threads";

const CHUNK = 4 * 1024 * 1024;
const buffer = Buffer.allocUnsafe(CHUNK);
/** @type {Map<number, { path: string, fd: number | undefined, hash: import("node:crypto").Hash, covered: number }>} */
const files = new Map();

/**
 * @param {{ id: number, path: string }} file
 * @param {number} upTo
 */
function hashUpTo(file, upTo) {
  const state = files.get(file.id) ?? { path: file.path, fd: undefined, hash: createHash("sha256"), covered: 0 };
  files.set(file.id, state);
  state.fd ??= openSync(state.path, "r");
  while (state.covered < upTo) {
    const read = readSync(state.fd, buffer, 0, Math.min(CHUNK, upTo - state.covered), state.covered);
    if (read === 0) throw new Error(`${state.path} ends at byte ${state.covered}, before the ${upTo} bytes written to it`);
    state.hash.update(buffer.subarray(0, read));
    state.covered += read;
  }
  return state;
}

/** @param {number} id */
function drop(id) {
  const state = files.get(id);
  files.delete(id);
  if (state?.fd !== undefined) closeSync(state.fd);
}

parentPort?.on(
  "message",
  /** @param {{ id: number, path: string, upTo: number, finish?: boolean } | { id: number, drop: true }} message */
  (message) => {
    if ("drop" in message) {
      drop(message.id);
      return;
    }
    try {
      const state = hashUpTo(message, message.upTo);
      if (!message.finish) return;
      drop(message.id);
      parentPort?.postMessage({ id: message.id, sha256: state.hash.digest("hex") });
    } catch (error) {
      drop(message.id);
      // Said once: at the finish, or at once if it failed before (the other side waits for either).
      parentPort?.postMessage({ id: message.id, error: error instanceof Error ? error.message : String(error) });
    }
  },
);
