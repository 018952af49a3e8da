import type { MessagePort } from "node:worker_threads";
import { sha256OfFile } from "./file-digest.ts";

/**
 * The SHA-256 of a file being written, computed as it grows on the folder worker's
 * thread (src/workers/hashing.mjs), so that receiving a large file costs the event loop
 * no hashing at all and the digest is ready soon after the last byte is written.
 */
export interface GrowingFileHash {
  /** The file's first `bytes` bytes are written: hash them, in the background. */
  advance(bytes: number): void;
  /** The hex SHA-256 of the file, once it is whole: `length` bytes, all written. */
  digest(length: number): Promise<string>;
  /** Hashes no more: the file is gone, or bytes were taken back from it. */
  drop(): void;
}

export interface FileHashes {
  /** Starts hashing the file at `path` from its first byte. */
  start(path: string): GrowingFileHash;
  /** Hashes no more; hashes started before are no longer answered. */
  close(): Promise<void>;
  /** How many digests were read on this thread because the worker failed (0 while it works). */
  readonly readHere: number;
}

/** Opens a port to the hashing service (FsSteps.hashPort): `lost` is called should it fail. */
export type ConnectHashing = (lost: (error: unknown) => void) => MessagePort | undefined;

type Answer = { id: number; sha256: string } | { id: number; error: string };

/** The worker is told of new bytes once this many have come: a message per network chunk cost the event loop more than the hashing it saved. */
const ADVANCE_STEP = 1024 * 1024;

/**
 * Hashes over a port opened at the first file. Should the service fail (or not be
 * there at all), a digest is computed by reading the file on this thread instead:
 * slower, never wrong.
 */
export function createFileHashes({ connect }: { connect: ConnectHashing }): FileHashes {
  let port: MessagePort | undefined;
  let closed = false;
  let readHere = 0;
  let nextId = 1;
  /** The answer awaited for each file still hashed: its digest, or the service's error (which may come before it is asked for). */
  const open = new Map<number, Deferred<string>>();

  function connected(): MessagePort | undefined {
    if (port || closed) return port;
    const opened = connect((error) => {
      // What it was hashing is lost: every open file's digest is then read on this thread.
      if (port === opened) port = undefined;
      for (const waiting of open.values()) waiting.reject(error);
    });
    opened?.on("message", ({ id, ...answer }: Answer) => {
      const waiting = open.get(id);
      if ("sha256" in answer) waiting?.resolve(answer.sha256);
      else waiting?.reject(new Error(answer.error));
    });
    // After the listener, which holds the port open: hashing never keeps a server that is otherwise done from exiting.
    opened?.unref();
    port = opened;
    return port;
  }

  return {
    start(path) {
      const id = nextId++;
      // The port this file's hash lives behind: a new one would not know the bytes hashed so far.
      const hasher = connected();
      const answer = deferred<string>();
      open.set(id, answer);
      const alive = () => open.has(id) && hasher !== undefined && hasher === port;
      let told = 0;
      return {
        advance(bytes) {
          if (bytes - told < ADVANCE_STEP || !alive()) return;
          told = bytes;
          hasher!.postMessage({ id, path, upTo: bytes });
        },
        async digest(length) {
          try {
            if (alive()) {
              hasher!.postMessage({ id, path, upTo: length, finish: true });
              return await answer.promise;
            }
          } catch {
            // The worker failed: read the file here instead.
          } finally {
            open.delete(id);
          }
          readHere += 1;
          return sha256OfFile(path);
        },
        drop() {
          if (alive()) hasher!.postMessage({ id, drop: true });
          open.delete(id);
        },
      };
    },
    get readHere() {
      return readHere;
    },
    async close() {
      closed = true;
      port?.close();
      port = undefined;
      for (const waiting of open.values()) waiting.reject(new Error("CubQueue is stopping"));
    },
  };
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((yes, no) => ((resolve = yes), (reject = no)));
  // Read by digest(), if it is ever asked for.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}
