// A worker thread that carries out short lists of file-system steps (make a folder, write a small
// file, copy, rename, ...) with synchronous calls, one list per message. Building a task's folder
// takes a dozen such calls; made one by one from the event loop, each costs a promise, a hop to
// the thread pool and a wake-up, several times the call itself. Here the whole list costs one
// message each way, and a slow disk (a network file system) stalls this thread, never the server.
// The same thread hashes uploaded files, over a port the server hands it (see hashing.mjs).
// Plain JavaScript, run as it is (the build copies it). See src/store/fs-steps.ts for the other side.
import { constants, copyFileSync, mkdirSync, renameSync, rmdirSync, statSync, writeFileSync } from "node:fs";
import { parentPort } from "node:worker_threads";
import { serveHashing } from "./hashing.mjs";

/**
 * @typedef {import("../store/fs-steps.ts").FsStep} FsStep
 * @typedef {import("../store/fs-steps.ts").StepResult} StepResult
 */

/**
 * @param {FsStep} step
 * @returns {StepResult}
 */
function carryOut(step) {
  switch (step.op) {
    case "mkdir":
      mkdirSync(step.path, { mode: step.mode });
      return undefined;
    case "write":
      writeFileSync(step.path, step.data, { mode: step.mode, flag: "wx" });
      return undefined;
    case "copy":
      copyFileSync(step.from, step.to, constants.COPYFILE_EXCL);
      return undefined;
    case "rename":
      renameSync(step.from, step.to);
      return undefined;
    case "rmdir":
      rmdirSync(step.path);
      return undefined;
    case "stat": {
      // As src/store/file-state.ts words it: the two are compared.
      const { dev, ino, size, ctimeNs, mode } = statSync(step.path, { bigint: true });
      return { identity: `${dev}:${ino}:${size}:${ctimeNs}`, mode: Number(mode & 0o7777n) };
    }
  }
}

parentPort?.on(
  "message",
  /** @param {{ id: number, steps: FsStep[] } | { hashPort: import("node:worker_threads").MessagePort }} request */
  (request) => {
    if ("hashPort" in request) {
      serveHashing(request.hashPort);
      return;
    }
    const { id, steps } = request;
    /** @type {StepResult[]} */
    const results = [];
    for (const [index, step] of steps.entries()) {
      try {
        results.push(carryOut(step));
      } catch (error) {
        if (step.bestEffort) {
          results.push(undefined);
          continue;
        }
        const { code, errno, syscall, path, dest, message } = /** @type {NodeJS.ErrnoException & { dest?: string }} */ (error);
        parentPort?.postMessage({ id, failed: { index, code, errno, syscall, path, dest, message } });
        return;
      }
    }
    parentPort?.postMessage({ id, results });
  },
);
// Before any list is carried out (messages are delivered once this module has run): a worker that
// fails before saying so has carried nothing out.
parentPort?.postMessage({ ready: true });
