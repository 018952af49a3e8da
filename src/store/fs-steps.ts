import { constants } from "node:fs";
import { copyFile, mkdir, rename, rmdir, writeFile } from "node:fs/promises";
import { MessageChannel, Worker, type MessagePort } from "node:worker_threads";
import { createTurnBatcher } from "../util/turn-batcher.ts";
import { fileState, type FileState } from "./file-state.ts";

/**
 * One file-system call. Every step that creates something refuses to replace what
 * is there (a folder, a written or copied file), as a fresh task folder expects.
 */
export type FsStep = (
  | { op: "mkdir"; path: string; mode: number }
  | { op: "write"; path: string; data: Uint8Array; mode: number }
  | { op: "copy"; from: string; to: string }
  | { op: "rename"; from: string; to: string }
  | { op: "rmdir"; path: string }
  /** Answers with the file's FileState (see file-state.ts). */
  | { op: "stat"; path: string }
) & {
  /** Its failure is passed over: the next steps are carried out all the same. */
  bestEffort?: boolean;
};

/** What a step answers: a stat its FileState, the others nothing. */
export type StepResult = FileState | undefined;

/** A step's failure, as the call failed (code, syscall, path), with how many steps before it were carried out. */
export type FsStepError = NodeJS.ErrnoException & { completed: number };

/**
 * Carries out lists of file-system steps off the event loop (src/workers/fs-steps.mjs):
 * one message per list rather than a promise and a thread-pool hop per call, which
 * cost building a task folder several times the calls themselves.
 */
export interface FsSteps {
  /**
   * Carries the steps out in order, and answers with what each answered. The first
   * that fails (unless bestEffort) ends the list: the promise rejects with its error,
   * whose `completed` says how many steps were carried out before it.
   */
  run(steps: readonly FsStep[]): Promise<StepResult[]>;
  /**
   * Starts the worker now rather than at the first list: a server does at its start, so that
   * its first submission does not wait for it, and its memory is the server's from the start.
   */
  start(): void;
  /**
   * A port to a hashing service on the worker's thread (src/workers/hashing.mjs), so that
   * hashing uploads needs no second thread with its own JavaScript engine. `lost` is called
   * should the worker fail, and the port is then closed; undefined if there is no worker.
   */
  hashPort(lost: (error: unknown) => void): MessagePort | undefined;
  /** Ends the worker; lists not yet answered are rejected. */
  close(): Promise<void>;
  /** How many lists were carried out on this thread because the worker failed (0 while it works). */
  readonly ranHere: number;
}

type Answer = { id: number; results: StepResult[] } | { id: number; failed: Partial<NodeJS.ErrnoException> & { index: number; message: string } };

const WORKER_URL = new URL("../workers/fs-steps.mjs", import.meta.url);

/**
 * One worker thread, started at the first list. Should it fail (or not start at all),
 * lists are carried out here with the runtime's asynchronous calls instead: the same
 * steps, the same errors, only slower. A list the worker may have begun when it failed
 * is rejected, as its steps may be half done; its caller undoes what it began.
 */
export function createFsSteps({ workerUrl = WORKER_URL }: { workerUrl?: URL } = {}): FsSteps {
  let worker: Worker | undefined;
  let broken = false;
  let ranHere = 0;
  let nextId = 1;
  const open = new Map<number, { steps: readonly FsStep[]; resolve(results: StepResult[]): void; reject(error: unknown): void }>();
  /** The ports handed out, each with what to call should the worker be lost. */
  const ports = new Map<MessagePort, (error: unknown) => void>();

  function losePorts(error: unknown): void {
    for (const [port, lost] of ports) {
      port.close();
      lost(error);
    }
    ports.clear();
  }

  function running(): Worker | undefined {
    if (worker || broken) return worker;
    try {
      const started = new Worker(workerUrl);
      // Only answers are awaited: a server otherwise done is never kept from exiting.
      started.unref();
      started.on("message", (answer: Answer | { ready: true }) => {
        if ("ready" in answer) {
          ready = true;
          return;
        }
        const waiting = open.get(answer.id);
        open.delete(answer.id);
        if ("results" in answer) waiting?.resolve(answer.results);
        else waiting?.reject(stepError(answer.failed));
      });
      // A worker that never said it was ready (its module could not be loaded) carried nothing out:
      // what it was given is carried out here. One that failed later may have been halfway through a list.
      let ready = false;
      started.on("error", (error) => {
        if (worker === started) worker = undefined;
        broken = true;
        for (const waiting of open.values()) {
          if (ready) waiting.reject(error);
          else {
            ranHere += 1;
            runHere(waiting.steps).then(waiting.resolve, waiting.reject);
          }
        }
        open.clear();
        losePorts(error);
      });
      worker = started;
    } catch {
      broken = true;
    }
    return worker;
  }

  return {
    run(steps) {
      const carrier = running();
      if (!carrier) {
        ranHere += 1;
        return runHere(steps);
      }
      const id = nextId++;
      return new Promise((resolve, reject) => {
        open.set(id, { steps, resolve, reject });
        carrier.postMessage({ id, steps });
      });
    },
    start() {
      running();
    },
    hashPort(lost) {
      const carrier = running();
      if (!carrier) return undefined;
      const { port1, port2 } = new MessageChannel();
      carrier.postMessage({ hashPort: port2 }, [port2]);
      ports.set(port1, lost);
      return port1;
    },
    get ranHere() {
      return ranHere;
    },
    async close() {
      const closing = worker;
      worker = undefined;
      broken = true;
      for (const waiting of open.values()) waiting.reject(new Error("CubQueue is stopping"));
      open.clear();
      losePorts(new Error("CubQueue is stopping"));
      await closing?.terminate();
    },
  };
}

const coalescers = new WeakMap<Pick<FsSteps, "run">, (steps: readonly FsStep[]) => Promise<StepResult[]>>();

/**
 * Carries out lists of best-effort steps, those given during one turn as one list (see
 * turn-batcher.ts): under load, one message to the worker for the pending markers of several
 * submissions. Only best-effort steps are taken, as one's failure then cannot end another's list.
 */
export function runCoalesced(carrier: Pick<FsSteps, "run">, steps: readonly FsStep[]): Promise<StepResult[]> {
  if (!steps.every((step) => step.bestEffort)) return Promise.reject(new Error("Only best-effort steps are carried out together"));
  let run = coalescers.get(carrier);
  if (run === undefined) {
    run = createTurnBatcher(async (lists: (readonly FsStep[])[]) => {
      const results = await carrier.run(lists.flat());
      let at = 0;
      return lists.map((list): PromiseSettledResult<StepResult[]> => ({ status: "fulfilled", value: results.slice(at, (at += list.length)) }));
    });
    coalescers.set(carrier, run);
  }
  return run(steps);
}

/** Lists carried out on this thread alone, for a caller that has no worker to give. */
export const stepsHere: Pick<FsSteps, "run"> = { run: (steps) => runHere(steps) };

/** The steps carried out on this thread, one asynchronous call each: what the worker does, for when it cannot. */
export async function runHere(steps: readonly FsStep[]): Promise<StepResult[]> {
  const results: StepResult[] = [];
  for (const [index, step] of steps.entries()) {
    try {
      results.push(await carryOut(step));
    } catch (error) {
      if (step.bestEffort) {
        results.push(undefined);
        continue;
      }
      throw Object.assign(error as NodeJS.ErrnoException, { completed: index });
    }
  }
  return results;
}

async function carryOut(step: FsStep): Promise<StepResult> {
  switch (step.op) {
    case "mkdir":
      await mkdir(step.path, { mode: step.mode });
      return undefined;
    case "write":
      await writeFile(step.path, step.data, { mode: step.mode, flag: "wx" });
      return undefined;
    case "copy":
      await copyFile(step.from, step.to, constants.COPYFILE_EXCL);
      return undefined;
    case "rename":
      await rename(step.from, step.to);
      return undefined;
    case "rmdir":
      await rmdir(step.path);
      return undefined;
    case "stat":
      return fileState(step.path);
  }
}

/** The worker's account of a failed call, as the call's own error would have been. */
function stepError({ index, message, ...call }: Partial<NodeJS.ErrnoException> & { index: number; message: string }): FsStepError {
  const error = Object.assign(new Error(message), { completed: index }) as FsStepError;
  for (const [key, value] of Object.entries(call)) if (value !== undefined) Object.assign(error, { [key]: value });
  return error;
}
