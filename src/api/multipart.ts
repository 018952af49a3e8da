import { Buffer } from "node:buffer";
import { createWriteStream } from "node:fs";
import type { WriteStream } from "node:fs";
import { unlink } from "node:fs/promises";
import { isAbsolute } from "node:path";
import { pipeline } from "node:stream";
import type { Readable } from "node:stream";
import busboy from "busboy";
import { DigestCounter } from "../store/digest-counter.ts";
import type { FileHashes } from "../store/file-hashes.ts";
import { PRIVATE_FILE_MODE } from "../store/layout.ts";
import type { Busboy, FieldInfo, FileInfo } from "busboy";
import { formatByteSize } from "../byte-size.ts";
import { AppError, badRequest, insufficientStorage, isDiskFull, payloadTooLarge, uploadInterrupted } from "../errors.ts";

/** One file of the form, fully written to disk. */
export interface ReceivedFile {
  /** Name of the form field the file was sent in. */
  field: string;
  /** File name as sent by the client, without any directory part ("" if none was sent). */
  originalName: string;
  /** Where it was written: the path returned by `destinationFor` ("" for a part kept in memory). */
  path: string;
  /** The bytes of a part kept in memory (see InMemoryDestination); undefined for a part written to disk. */
  content?: Buffer;
  /** Size in bytes. */
  size: number;
  /** SHA-256 of the content, lowercase hex ("" for a part kept in memory: its bytes are at hand). */
  sha256: string;
}

/** Everything a multipart/form-data body contained. */
export interface ReceivedForm {
  /** Text fields by name. A text field sent more than once keeps its last value. */
  fields: Record<string, string>;
  /** Files in the order they appeared in the body. */
  files: ReceivedFile[];
}

/** What is known about a file part when it starts, before any of its bytes are read. */
export interface FilePartInfo {
  field: string;
  /** File name as sent by the client, without any directory part ("" if none was sent). */
  originalName: string;
  mimeType: string;
  /** Text fields received so far, i.e. those placed before this file in the body. */
  fields: Readonly<Record<string, string>>;
}

/**
 * Returned by `destinationFor` to keep a small part in memory rather than on disk
 * (it saves a write, a read and a delete per request). More than `maxBytes` fails
 * the upload at once with 413 and `tooLargeMessage`.
 */
export interface InMemoryDestination {
  inMemory: true;
  maxBytes: number;
  tooLargeMessage: string;
  /**
   * What the parts kept in memory may take together, shared by every destination that names
   * it and counted down as their bytes arrive: past it, the upload fails with 413 and `message`.
   */
  budget?: { left: number; message: string };
}

/** How to store the files of a form, and how much to accept. */
export interface ReceiveOptions {
  /**
   * Called when a file part starts: return the absolute path to write it to, or throw
   * an AppError to reject the upload. The parent directory must exist; the file must
   * not (it is created exclusively, so an existing file is never overwritten).
   * Or return an InMemoryDestination to keep the part in memory.
   */
  destinationFor(part: FilePartInfo): string | InMemoryDestination;
  /** Maximum bytes of one file (default: unlimited). Exceeding it → 413 naming the limit in human units. */
  maxFileSize?: number;
  /** Maximum bytes of all files together (default: unlimited). Exceeding it → 413 naming the limit. */
  maxTotalFileSize?: number;
  /** Maximum number of files (default 1000); more → 400 too_many_files. */
  maxFiles?: number;
  /** The too_many_files message, when the caller counts its files in its own terms. */
  tooManyFilesMessage?: string;
  /** Maximum number of text fields (default 100); more → 400 too_many_fields. */
  maxFields?: number;
  /** Maximum bytes of one text field (default 1 MiB); more → 400 field_too_large. */
  maxFieldSize?: number;
  /**
   * Hashes the files written to disk on a worker thread as they are written; without it,
   * they are hashed on this thread as they arrive (0.6 s per GiB of the event loop).
   */
  hashes?: FileHashes;
}

const DEFAULT_MAX_FILES = 1000;
const DEFAULT_MAX_FIELDS = 100;
const DEFAULT_MAX_FIELD_SIZE = 1024 * 1024;

/** Big write buffers let fs.WriteStream batch many small parser chunks into one writev: it doubles ingest speed. */
const WRITE_BUFFER_SIZE = 4 * 1024 * 1024;

/**
 * Streams a multipart/form-data body to disk: each file part goes straight to the
 * path chosen by `options.destinationFor`, hashed and measured on the way, with
 * backpressure from the disk to the body; nothing is buffered whole in memory.
 *
 * `body` is the raw request body as a Node Readable (on Node the IncomingMessage
 * itself, on Deno `Readable.fromWeb(request.body)`); `contentType` is the request's
 * Content-Type header.
 *
 * Resolves once the whole body has been read and every file is flushed and closed.
 * Rejects with an AppError the caller can show as is:
 * - 400 invalid_content_type: not multipart/form-data (the body is left unread);
 * - 400 malformed_multipart: the body is not valid multipart;
 * - 400 upload_interrupted: the client disconnected or the body ended/failed halfway;
 * - 413 payload_too_large, 400 too_many_files / too_many_fields / field_too_large: a limit was exceeded;
 * - 507 insufficient_storage: the disk filled up;
 * - whatever `destinationFor` threw.
 * Other errors (a bug, a missing directory, an existing destination file) are passed
 * through unchanged. Before rejecting, every file this call created is removed. A
 * failure found while the body is still arriving settles at once, without waiting for
 * the rest of the body (a 10 GB upload over the limit is refused at the limit, not after
 * 10 GB): the body is left flowing into nothing, and the HTTP layer, once the answer is
 * sent, drains it for a bounded time and closes the connection (see runtime/serve-node.ts).
 * A body that fails with an AppError (e.g. the idle timeout of runtime/serve-deno.ts)
 * fails the upload with that error.
 */
export async function receiveMultipart(
  body: Readable,
  contentType: string | undefined,
  options: ReceiveOptions,
): Promise<ReceivedForm> {
  const parser = createParser(contentType, options);
  return new Reception(body, parser, options).result;
}

function createParser(contentType: string | undefined, options: ReceiveOptions): Busboy {
  // Checked here rather than left to busboy, which would also accept urlencoded bodies.
  if (contentType === undefined || !/^\s*multipart\/form-data\s*(;|$)/i.test(contentType)) {
    throw badRequest(
      "invalid_content_type",
      `Expected a multipart/form-data request body, got ${contentType === undefined ? "no Content-Type" : `Content-Type "${contentType}"`}; send the upload as multipart/form-data.`,
    );
  }
  const maxFileSize = options.maxFileSize ?? Infinity;
  try {
    return busboy({
      headers: { "content-type": contentType },
      // Browsers and fetch send file names as raw UTF-8; busboy would read them as latin1.
      defParamCharset: "utf8",
      limits: {
        // busboy flags a part as truncated once it *reaches* its limit, so a file of
        // exactly maxFileSize bytes would be refused: give it one byte of slack.
        fileSize: maxFileSize + 1,
        files: options.maxFiles ?? DEFAULT_MAX_FILES,
        fields: options.maxFields ?? DEFAULT_MAX_FIELDS,
        fieldSize: (options.maxFieldSize ?? DEFAULT_MAX_FIELD_SIZE) + 1,
      },
    });
  } catch {
    // The only way busboy refuses a multipart/form-data type is a missing boundary.
    throw badRequest(
      "invalid_content_type",
      `The Content-Type "${contentType}" has no valid boundary parameter; send the upload as multipart/form-data.`,
    );
  }
}

/**
 * One call of receiveMultipart. Every failure, wherever it comes from (body, parser,
 * limits, destinationFor, disk), goes through `fail`, which keeps the first one and
 * turns the rest of the upload into a drain. The result is only settled once the
 * body, the parser and every output file have all come to rest, which is what makes
 * it settle exactly once and leave nothing behind.
 */
class Reception {
  readonly result: Promise<ReceivedForm>;

  private failure: { error: unknown } | undefined;
  private readonly fields = new Map<string, string>();
  private readonly files: ReceivedFile[] = [];
  /** One per output file; each resolves (never rejects) once that file is closed. */
  private readonly writes: Promise<void>[] = [];
  /** Output files still being written, to stop them early on failure. */
  private readonly writers = new Set<WriteStream>();
  /** Files this call created, and so must remove on failure. */
  private readonly created: string[] = [];
  private partsSeen = 0;
  private fileBytes = 0;
  private onFailure: () => void = ignore;

  constructor(
    private readonly body: Readable,
    private readonly parser: Busboy,
    private readonly options: ReceiveOptions,
  ) {
    const bodyDone = this.watchBody();
    const parserDone = new Promise<void>((resolve) => parser.once("close", resolve));

    // busboy passes an undefined name for parts without one, whatever its types say.
    parser.on("file", (field, stream, info) => this.onFile(field ?? "", stream, info));
    parser.on("field", (name, value, info) => this.onField(name ?? "", value, info));
    parser.on("filesLimit", () =>
      this.fail(
        badRequest(
          "too_many_files",
          options.tooManyFilesMessage ?? `Too many files: at most ${this.limit("maxFiles")} can be uploaded at once.`,
        ),
      ),
    );
    parser.on("fieldsLimit", () =>
      this.fail(badRequest("too_many_fields", `Too many form fields: at most ${this.limit("maxFields")} are accepted.`)),
    );
    parser.on("error", (error) => this.fail(this.parserFailure(error)));

    if (!this.failure) body.pipe(parser);
    // Once failed, the answer need not wait for the rest of the body.
    const bodySettled = Promise.race([bodyDone, new Promise<void>((resolve) => (this.onFailure = resolve))]);
    this.result = Promise.all([bodySettled, parserDone]).then(() => this.settle());
  }

  /** Resolves when the body has ended, failed or closed; a body that did not end cleanly fails the upload. */
  private watchBody(): Promise<void> {
    return new Promise<void>((resolve) => {
      if (this.body.readableEnded || this.body.destroyed) {
        // Already consumed or torn down (e.g. the client left before we were called):
        // no event will ever come.
        this.fail(uploadInterrupted());
        resolve();
        return;
      }
      let done = false;
      const finish = (interrupted: boolean) => {
        if (done) return;
        done = true;
        if (interrupted) this.fail(uploadInterrupted());
        resolve();
      };
      this.body.on("end", () => finish(false));
      // Kept for good, so that a late error can never become an uncaught exception.
      this.body.on("error", (error) => {
        if (error instanceof AppError) this.fail(error);
        finish(true);
      });
      this.body.on("close", () => finish(!this.body.readableEnded));
    });
  }

  private onFile(field: string, stream: Readable, info: FileInfo): void {
    // Errors of a part are reported through the parser or the write pipeline; this
    // keeps a part destroyed before it was piped from becoming an uncaught exception.
    stream.on("error", ignore);
    this.partsSeen += 1;
    if (this.failure) {
      // The parser may still emit parts from the chunk it was handling when we failed.
      stream.resume();
      return;
    }

    const file: ReceivedFile = { field, originalName: info.filename ?? "", path: "", size: 0, sha256: "" };
    let destination: string | InMemoryDestination;
    try {
      destination = this.options.destinationFor({
        field,
        originalName: file.originalName,
        mimeType: info.mimeType,
        fields: Object.freeze(Object.fromEntries(this.fields)),
      });
      if (typeof destination === "string" && !isAbsolute(destination)) {
        throw new TypeError(`destinationFor must return an absolute path, got "${destination}"`);
      }
    } catch (error) {
      this.fail(error);
      stream.resume();
      return;
    }

    stream.once("limit", () =>
      this.fail(
        payloadTooLarge(
          `The file "${file.originalName}" (field "${field}") is larger than the maximum of ${formatByteSize(this.options.maxFileSize ?? Infinity)}.`,
        ),
      ),
    );
    this.files.push(file);
    if (typeof destination === "string") {
      file.path = destination;
      this.writes.push(this.writeFile(stream, file));
    } else {
      this.writes.push(this.keepInMemory(stream, file, destination));
    }
  }

  /**
   * Collects one part in memory, counting it on the way, up to its limit. Never rejects.
   * Plain listeners rather than a pipeline: a part this small cost more in stream plumbing
   * (a transform, an abort signal, its DOMException) than in bytes. It is not hashed: the
   * bytes themselves are at hand.
   */
  private keepInMemory(stream: Readable, file: ReceivedFile, destination: InMemoryDestination): Promise<void> {
    return new Promise<void>((resolve) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let settled = false;
      const settle = (error?: unknown) => {
        if (settled) return;
        settled = true;
        stream.off("data", collect);
        if (error !== undefined) {
          this.fail(error);
          // What is left of the part flows into nothing.
          stream.resume();
        } else {
          file.size = size;
          file.content = Buffer.concat(chunks, size);
        }
        resolve();
      };
      const collect = (chunk: Buffer) => {
        size += chunk.length;
        this.countFileBytes(chunk.length);
        if (size > destination.maxBytes) return settle(payloadTooLarge(destination.tooLargeMessage));
        const budget = destination.budget;
        if (budget && (budget.left -= chunk.length) < 0) return settle(payloadTooLarge(budget.message));
        chunks.push(chunk);
      };
      stream.on("data", collect);
      stream.once("end", () => settle());
      stream.once("error", (error) => settle(this.parserFailure(error)));
      // Closed before its end, without an error: the form was cut short. (It closes after every
      // end too: the error is built only when it is one, not for every part received.)
      stream.once("close", () => settled || settle(this.parserFailure(new Error("Unexpected end of form"))));
    });
  }

  /** Writes one part to its destination, hashing and counting it on the way. Resolves once the file is closed. */
  private writeFile(stream: Readable, file: ReceivedFile): Promise<void> {
    return new Promise<void>((resolve) => {
      const hash = this.options.hashes?.start(file.path);
      const digest = new DigestCounter(
        (bytes) => {
          this.countFileBytes(bytes);
          // What is on disk so far can be hashed while the rest arrives.
          hash?.advance(out.bytesWritten);
        },
        { hash: hash === undefined },
      );
      const out = createWriteStream(file.path, { flags: "wx", mode: PRIVATE_FILE_MODE, highWaterMark: WRITE_BUFFER_SIZE });
      // "open" means we created the file ("wx" refuses existing ones), so it is ours to remove.
      out.once("open", () => this.created.push(file.path));
      this.writers.add(out);

      // pipeline pauses the parser's part stream whenever the disk write falls behind.
      pipeline(stream, digest, out, (error) => {
        this.writers.delete(out);
        let hashed: Promise<unknown> = Promise.resolve();
        if (error) {
          hash?.drop();
          this.fail(this.writeFailure(error, file));
        } else {
          file.size = digest.size;
          if (hash) hashed = hash.digest(digest.size).then((sha256) => (file.sha256 = sha256));
          else file.sha256 = digest.hex();
        }
        // Settle only once the descriptor is closed, so that on success the data is
        // on disk and on failure the removal cannot race the open.
        const closed = out.closed ? Promise.resolve() : new Promise<void>((settled) => out.once("close", () => settled()));
        void Promise.all([closed, hashed]).then(
          () => resolve(),
          (hashError: unknown) => {
            this.fail(hashError);
            resolve();
          },
        );
      });
    });
  }

  private countFileBytes(bytes: number): void {
    this.fileBytes += bytes;
    const max = this.options.maxTotalFileSize ?? Infinity;
    if (this.fileBytes > max) {
      this.fail(payloadTooLarge(`The upload is larger than this server's maximum of ${formatByteSize(max)} per submission.`));
    }
  }

  private onField(name: string, value: string, info: FieldInfo): void {
    this.partsSeen += 1;
    if (this.failure) return;
    if (info.valueTruncated) {
      this.fail(
        badRequest(
          "field_too_large",
          `The form field "${name}" is larger than the maximum of ${formatByteSize(this.limit("maxFieldSize"))}.`,
        ),
      );
      return;
    }
    // A repeated text field keeps its last value (as documented on ReceivedForm).
    this.fields.set(name, value);
  }

  /**
   * Records the first failure and stops all work on the upload: the parser is torn
   * down, files being written are abandoned, and the body is drained rather than
   * destroyed so that the client can still read our response.
   */
  private fail(error: unknown): void {
    if (this.failure) return;
    this.failure = { error };
    this.onFailure();
    // Most failures are raised from inside busboy's own callbacks (limits, parts),
    // and busboy crashes if destroyed under its feet; so tear down once it has
    // returned. Until then the `failure` checks make its remaining events no-ops.
    queueMicrotask(() => this.stop(error));
  }

  private stop(error: unknown): void {
    // Unpipe before destroying the parser, or the body would stay paused forever.
    this.body.unpipe(this.parser);
    this.parser.destroy(error instanceof Error ? error : new Error(String(error)));
    for (const writer of this.writers) writer.destroy();
    this.body.resume();
  }

  private async settle(): Promise<ReceivedForm> {
    await Promise.all(this.writes);
    if (!this.failure && !this.parser.writableFinished) {
      // Defensive: the parser closed without finishing and without saying why.
      this.fail(uploadInterrupted());
    }
    if (this.failure) {
      await Promise.all(this.created.map((path) => unlink(path).catch(ignore)));
      throw this.failure.error;
    }
    return { fields: Object.fromEntries(this.fields), files: this.files };
  }

  /** Maps busboy's errors (from the parser or one of its part streams) to what the client did wrong. */
  private parserFailure(error: unknown): unknown {
    if (!(error instanceof Error) || error instanceof AppError) return error;
    if (error.message === "Unexpected end of form" || error.message === "Unexpected end of file") {
      // The body ended cleanly but the form did not. With no part at all it was never
      // multipart to begin with (e.g. empty, or the wrong format under the right header).
      return this.partsSeen > 0
        ? uploadInterrupted()
        : badRequest("malformed_multipart", "The request body contains no multipart/form-data parts.");
    }
    if (error.message === "Malformed part header") {
      return badRequest("malformed_multipart", "The request body is not valid multipart/form-data: malformed part header.");
    }
    return error;
  }

  /** Maps an error of one file's pipeline: its part stream (see parserFailure) or the file write. */
  private writeFailure(error: Error, file: ReceivedFile): unknown {
    if (isDiskFull(error)) {
      return insufficientStorage(
        `Not enough disk space to store the uploaded file "${file.originalName}" (field "${file.field}").`,
      );
    }
    return this.parserFailure(error);
  }

  private limit(name: "maxFiles" | "maxFields" | "maxFieldSize"): number {
    const defaults = { maxFiles: DEFAULT_MAX_FILES, maxFields: DEFAULT_MAX_FIELDS, maxFieldSize: DEFAULT_MAX_FIELD_SIZE };
    return this.options[name] ?? defaults[name];
  }
}

function ignore(): void {}
