import { Buffer } from "node:buffer";
import { createHash, randomBytes } from "node:crypto";
import { createReadStream, createWriteStream, existsSync } from "node:fs";
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AppError, badRequest } from "../../src/errors.ts";
import { receiveMultipart } from "../../src/api/multipart.ts";
import type { FilePartInfo, ReceiveOptions } from "../../src/api/multipart.ts";
import { smallFs, withSmallFs } from "../support/small-fs.ts";

const MiB = 1024 * 1024;

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "cubqueue-multipart-"));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Serializes a FormData the way fetch would send it, as a streaming body. */
function serialize(form: FormData): { body: Readable; contentType: string } {
  const response = new Response(form);
  return {
    contentType: response.headers.get("content-type")!,
    body: Readable.fromWeb(response.body as NodeReadableStream<Uint8Array>),
  };
}

/** A multipart body of one file part whose content is read from `path` as it is sent. */
function streamedFilePart(field: string, filename: string, path: string): { body: Readable; contentType: string } {
  const boundary = `----cubqueue-test-${randomBytes(8).toString("hex")}`;
  async function* parts() {
    yield Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`);
    yield* createReadStream(path);
    yield Buffer.from(`\r\n--${boundary}--\r\n`);
  }
  return { body: Readable.from(parts()), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** Serializes a FormData to its exact bytes, to cut or feed by hand. */
async function serializeToBytes(form: FormData): Promise<{ bytes: Buffer; contentType: string }> {
  const response = new Response(form);
  return { contentType: response.headers.get("content-type")!, bytes: Buffer.from(await response.arrayBuffer()) };
}

/** A body stream that delivers `bytes` in 64 KiB chunks. */
function bodyOf(bytes: Buffer): Readable {
  return Readable.from(
    (function* () {
      for (let offset = 0; offset < bytes.length; offset += 64 * 1024) yield bytes.subarray(offset, offset + 64 * 1024);
    })(),
    { objectMode: false },
  );
}

/** Stores each file part as dir/<n>.upload and remembers what destinationFor was told. */
function intoDir(extra: Partial<ReceiveOptions> = {}): ReceiveOptions & { parts: FilePartInfo[] } {
  const parts: FilePartInfo[] = [];
  return {
    parts,
    destinationFor(part) {
      parts.push(part);
      return join(dir, `${parts.length}.upload`);
    },
    ...extra,
  };
}

const sha256 = (data: Uint8Array | string) => createHash("sha256").update(data).digest("hex");

/** Expects `promise` to reject with an AppError of that status and code, and returns it. */
async function rejection(promise: Promise<unknown>, status: number, code: string): Promise<AppError> {
  const error = await promise.then(
    () => expect.unreachable("expected the upload to be rejected"),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  expect(error).toMatchObject({ status, code });
  return error as AppError;
}

const filesLeft = () => readdir(dir);

describe("receiveMultipart", () => {
  it("stores every file part and collects the text fields", async () => {
    const contents = [randomBytes(300 * 1024), Buffer.from("hello\n"), Buffer.alloc(0)];
    const form = new FormData();
    form.append("title", "three files");
    form.append("first", new Blob([contents[0]!], { type: "application/x-tar" }), "input.tar");
    form.append("note", "between files");
    form.append("second", new Blob([contents[1]!], { type: "text/plain" }), "hello.txt");
    form.append("third", new Blob([contents[2]!]), "empty.bin");
    const { body, contentType } = serialize(form);
    const options = intoDir();

    const received = await receiveMultipart(body, contentType, options);

    expect(received.fields).toEqual({ title: "three files", note: "between files" });
    expect(received.files).toEqual([
      { field: "first", originalName: "input.tar", path: join(dir, "1.upload"), size: contents[0]!.length, sha256: sha256(contents[0]!) },
      { field: "second", originalName: "hello.txt", path: join(dir, "2.upload"), size: 6, sha256: sha256("hello\n") },
      { field: "third", originalName: "empty.bin", path: join(dir, "3.upload"), size: 0, sha256: sha256("") },
    ]);
    // Resolved means flushed and closed: the bytes are all there already.
    for (const [index, file] of received.files.entries()) {
      expect(await readFile(file.path)).toEqual(contents[index]);
    }
    // destinationFor sees the part's metadata and the text fields sent before it.
    expect(options.parts.map((p) => ({ ...p }))).toEqual([
      { field: "first", originalName: "input.tar", mimeType: "application/x-tar", fields: { title: "three files" } },
      { field: "second", originalName: "hello.txt", mimeType: "text/plain", fields: { title: "three files", note: "between files" } },
      { field: "third", originalName: "empty.bin", mimeType: "application/octet-stream", fields: { title: "three files", note: "between files" } },
    ]);
  });

  it("keeps the last value of a repeated text field, and allows a file and a text field with the same name", async () => {
    const form = new FormData();
    form.append("mode", "first");
    form.append("mode", "last");
    form.append("data", "a text value");
    form.append("data", new Blob(["a file"]), "data.txt");
    const { body, contentType } = serialize(form);

    const received = await receiveMultipart(body, contentType, intoDir());

    expect(received.fields).toEqual({ mode: "last", data: "a text value" });
    expect(received.files).toMatchObject([{ field: "data", originalName: "data.txt", size: 6 }]);
  });

  it("keeps non-ASCII file names and field values intact", async () => {
    const form = new FormData();
    form.append("légende", "café ☕");
    form.append("file", new Blob(["x"]), "résumé 履歴書.txt");
    const { body, contentType } = serialize(form);

    const received = await receiveMultipart(body, contentType, intoDir());

    expect(received.fields).toEqual({ légende: "café ☕" });
    expect(received.files[0]?.originalName).toBe("résumé 履歴書.txt");
  });

  it("streams a ~200 MB file to disk with matching size and sha256, without holding it in memory", async () => {
    const size = 200 * MiB;
    const sourcePath = join(dir, "source.bin");
    const hash = createHash("sha256");
    const block = randomBytes(MiB);
    await pipeline(
      Readable.from(
        (function* () {
          for (let i = 0; i < size / MiB; i++) {
            block[0] = i; // vary the blocks a little so that a misplaced block changes the hash
            hash.update(block);
            yield Buffer.from(block);
          }
        })(),
      ),
      createWriteStream(sourcePath),
    );
    const expectedSha = hash.digest("hex");

    // Streamed from disk by hand: a FormData of a file Blob is held whole by some runtimes' senders (Deno's), which would be measured too.
    const { body, contentType } = streamedFilePart("input", "big.bin", sourcePath);

    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 20);
    const started = performance.now();
    const received = await receiveMultipart(body, contentType, {
      destinationFor: () => join(dir, "stored.bin"),
    }).finally(() => clearInterval(sampler));
    const seconds = (performance.now() - started) / 1000;
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss);

    const growth = rssPeak - rssBefore;
    console.log(
      `200 MiB upload: ${seconds.toFixed(2)} s (${(size / MiB / seconds).toFixed(0)} MiB/s), ` +
        `peak RSS growth ${(growth / MiB).toFixed(1)} MiB`,
    );
    expect(received.files).toEqual([
      { field: "input", originalName: "big.bin", path: join(dir, "stored.bin"), size, sha256: expectedSha },
    ]);
    expect((await stat(join(dir, "stored.bin"))).size).toBe(size);
    expect(growth).toBeLessThan(size / 4);
  });

  it("rejects with the error destinationFor throws, removes the files already written and drains the body", async () => {
    const form = new FormData();
    form.append("ok", new Blob([randomBytes(512 * 1024)]), "ok.bin");
    form.append("bad", new Blob([randomBytes(512 * 1024)]), "bad.exe");
    form.append("after", new Blob([randomBytes(512 * 1024)]), "after.bin");
    const { body, contentType } = serialize(form);
    const refusal = badRequest("file_type_refused", "No .exe files, please.");

    const error = await receiveMultipart(body, contentType, {
      destinationFor: (part) => {
        if (part.originalName.endsWith(".exe")) throw refusal;
        return join(dir, part.originalName);
      },
    }).catch((e: unknown) => e);

    expect(error).toBe(refusal);
    expect(await filesLeft()).toEqual([]);
    // Settled without waiting for the rest of the body, which still drains (never left paused).
    await expect.poll(() => body.readableEnded).toBe(true);
  });

  it("rejects a file larger than maxFileSize with 413 naming the limit, and removes the partial file", async () => {
    const form = new FormData();
    form.append("small", new Blob([randomBytes(1000)]), "small.bin");
    form.append("big", new Blob([randomBytes(3 * MiB)]), "big.bin");
    form.append("later", "field after the file");
    const { body, contentType } = serialize(form);
    let bigFileStarted = false;

    const error = await rejection(
      receiveMultipart(body, contentType, {
        maxFileSize: MiB,
        destinationFor: (part) => {
          bigFileStarted ||= part.field === "big";
          return join(dir, part.originalName);
        },
      }),
      413,
      "payload_too_large",
    );

    expect(error.message).toContain("big.bin");
    expect(error.message).toContain("1 MiB");
    expect(bigFileStarted).toBe(true);
    expect(await filesLeft()).toEqual([]);
    // Settled without waiting for the rest of the body, which still drains (never left paused).
    await expect.poll(() => body.readableEnded).toBe(true);
  });

  it("keeps a part in memory when destinationFor asks for it, with its size, writing nothing and hashing nothing", async () => {
    const content = randomBytes(100_000);
    const form = new FormData();
    form.append("args", new Blob([content]), "args.json");
    const { body, contentType } = serialize(form);

    const received = await receiveMultipart(body, contentType, {
      destinationFor: () => ({ inMemory: true, maxBytes: 100_000, tooLargeMessage: "too large" }),
    });

    const [file] = received.files;
    expect(file?.path).toBe("");
    expect(file?.content?.equals(content)).toBe(true);
    expect(file?.size).toBe(100_000);
    expect(file?.sha256).toBe("");
    expect(await filesLeft()).toEqual([]);
  });

  it("rejects an in-memory part over its limit with 413 and its message, and drains the body", async () => {
    const form = new FormData();
    form.append("args", new Blob([randomBytes(MiB + 1)]), "args.json");
    form.append("later", "field after the file");
    const { body, contentType } = serialize(form);

    const error = await rejection(
      receiveMultipart(body, contentType, {
        destinationFor: () => ({ inMemory: true, maxBytes: MiB, tooLargeMessage: "The argument file is too large." }),
      }),
      413,
      "payload_too_large",
    );

    expect(error.message).toBe("The argument file is too large.");
    // Settled without waiting for the rest of the body, which still drains (never left paused).
    await expect.poll(() => body.readableEnded).toBe(true);
  });

  it("accepts a file of exactly maxFileSize bytes", async () => {
    const content = randomBytes(64 * 1024);
    const form = new FormData();
    form.append("file", new Blob([content]), "exact.bin");
    const { body, contentType } = serialize(form);

    const received = await receiveMultipart(body, contentType, intoDir({ maxFileSize: content.length }));

    expect(received.files[0]).toMatchObject({ size: content.length, sha256: sha256(content) });
  });

  it("rejects more files than maxFiles with 400", async () => {
    const form = new FormData();
    for (const name of ["a", "b", "c"]) form.append(name, new Blob([name]), `${name}.txt`);
    const { body, contentType } = serialize(form);

    await rejection(receiveMultipart(body, contentType, intoDir({ maxFiles: 2 })), 400, "too_many_files");
    expect(await filesLeft()).toEqual([]);
  });

  it("rejects more text fields than maxFields with 400", async () => {
    const form = new FormData();
    for (const name of ["a", "b", "c"]) form.append(name, "value");
    const { body, contentType } = serialize(form);

    await rejection(receiveMultipart(body, contentType, intoDir({ maxFields: 2 })), 400, "too_many_fields");
  });

  it("rejects a text field larger than maxFieldSize with 400, but accepts one of exactly that size", async () => {
    const exact = new FormData();
    exact.append("field", "x".repeat(100));
    const first = serialize(exact);
    const received = await receiveMultipart(first.body, first.contentType, intoDir({ maxFieldSize: 100 }));
    expect(received.fields.field).toHaveLength(100);

    const tooLarge = new FormData();
    tooLarge.append("field", "x".repeat(101));
    const second = serialize(tooLarge);
    const error = await rejection(
      receiveMultipart(second.body, second.contentType, intoDir({ maxFieldSize: 100 })),
      400,
      "field_too_large",
    );
    expect(error.message).toContain("100 bytes");
  });

  it("rejects a body that ends in the middle of a file with 400 upload_interrupted, leaving no file", async () => {
    const form = new FormData();
    form.append("complete", new Blob([randomBytes(200 * 1024)]), "complete.bin");
    form.append("cut", new Blob([randomBytes(MiB)]), "cut.bin");
    const { bytes, contentType } = await serializeToBytes(form);
    const cutAt = bytes.length - MiB / 2; // half way through the second file's content
    const options = intoDir();

    await rejection(receiveMultipart(bodyOf(bytes.subarray(0, cutAt)), contentType, options), 400, "upload_interrupted");

    expect(options.parts.map((p) => p.field)).toEqual(["complete", "cut"]);
    expect(await filesLeft()).toEqual([]);
  });

  it("rejects with 400 upload_interrupted when the body stream is destroyed with an error mid-file, leaving no file", async () => {
    const form = new FormData();
    form.append("file", new Blob([randomBytes(2 * MiB)]), "file.bin");
    const { bytes, contentType } = await serializeToBytes(form);
    const body = new Readable({ read() {} });
    body.push(bytes.subarray(0, MiB));
    const destination = join(dir, "file.bin");

    const result = receiveMultipart(body, contentType, { destinationFor: () => destination });
    await until(() => existsSync(destination));
    body.destroy(new Error("aborted"));

    await rejection(result, 400, "upload_interrupted");
    expect(await filesLeft()).toEqual([]);
  });

  it("rejects with 400 upload_interrupted when the body stream is closed early without an error, leaving no file", async () => {
    const form = new FormData();
    form.append("file", new Blob([randomBytes(2 * MiB)]), "file.bin");
    const { bytes, contentType } = await serializeToBytes(form);
    const body = new Readable({ read() {} });
    body.push(bytes.subarray(0, MiB));
    const destination = join(dir, "file.bin");

    const result = receiveMultipart(body, contentType, { destinationFor: () => destination });
    await until(() => existsSync(destination));
    body.destroy();

    await rejection(result, 400, "upload_interrupted");
    expect(await filesLeft()).toEqual([]);
  });

  it("rejects with 400 upload_interrupted when an HTTP client disconnects mid-upload, leaving no file", async () => {
    const form = new FormData();
    form.append("file", new Blob([randomBytes(4 * MiB)]), "file.bin");
    const { bytes, contentType } = await serializeToBytes(form);
    const destination = join(dir, "file.bin");
    let result: Promise<unknown> | undefined;
    const server = createServer((request) => {
      result = receiveMultipart(request, request.headers["content-type"], { destinationFor: () => destination });
      result.catch(() => {}); // awaited below
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const socket = connect(port, "127.0.0.1");
      socket.on("error", () => {});
      socket.write(
        `POST /upload HTTP/1.1\r\nHost: localhost\r\nContent-Type: ${contentType}\r\nContent-Length: ${bytes.length}\r\n\r\n`,
      );
      socket.write(bytes.subarray(0, 2 * MiB));
      await until(() => existsSync(destination));
      socket.destroy();

      await until(() => result !== undefined);
      await rejection(result!, 400, "upload_interrupted");
      expect(await filesLeft()).toEqual([]);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("lets an HTTP client read the error response when a file is refused mid-body", async () => {
    const server = createServer((request, response) => {
      receiveMultipart(request, request.headers["content-type"], {
        destinationFor: () => {
          throw badRequest("no_uploads", "Uploads are closed.");
        },
      }).then(
        () => response.writeHead(200).end(),
        (error: AppError) => response.writeHead(error.status).end(JSON.stringify({ error: { code: error.code } })),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const form = new FormData();
      form.append("file", new Blob([Buffer.alloc(32 * MiB)]), "big.bin");

      const response = await fetch(`http://127.0.0.1:${port}/upload`, { method: "POST", body: form });

      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({ error: { code: "no_uploads" } });
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("never overwrites or removes a file that already exists at the destination", async () => {
    const existing = join(dir, "existing.txt");
    await writeFile(existing, "precious");
    const form = new FormData();
    form.append("file", new Blob(["intruder"]), "existing.txt");
    const { body, contentType } = serialize(form);

    const error = await receiveMultipart(body, contentType, { destinationFor: () => existing }).catch((e: unknown) => e);

    expect(error).toMatchObject({ code: "EEXIST" });
    expect(await readFile(existing, "utf8")).toBe("precious");
  });

  it.skipIf(!smallFs)("rejects with 507 naming the file when the disk fills up, and removes what it wrote", async () => {
    await withSmallFs(async (target) => {
      const form = new FormData();
      form.append("first", new Blob([randomBytes(64 * 1024)]), "fits.bin");
      form.append("second", new Blob([randomBytes(64 * MiB)]), "too-big-for-the-disk.bin");
      const { body, contentType } = serialize(form);

      const error = await rejection(
        receiveMultipart(body, contentType, { destinationFor: (part) => join(target, part.originalName) }),
        507,
        "insufficient_storage",
      );

      expect(error.message).toContain("too-big-for-the-disk.bin");
      expect(await readdir(target)).toEqual([]);
      // Settled without waiting for the rest of the body, which still drains (never left paused).
      await expect.poll(() => body.readableEnded).toBe(true);
    });
  });

  it("rejects a missing or non-multipart Content-Type with 400 invalid_content_type", async () => {
    for (const contentType of [undefined, "application/json", "application/x-www-form-urlencoded", "multipart/form-data"]) {
      const error = await rejection(receiveMultipart(bodyOf(Buffer.from("{}")), contentType, intoDir()), 400, "invalid_content_type");
      expect(error.message).toContain("multipart/form-data");
    }
  });

  it("rejects a body that is not multipart at all with 400 malformed_multipart", async () => {
    const body = bodyOf(Buffer.from('{"not": "multipart"}'));

    await rejection(receiveMultipart(body, "multipart/form-data; boundary=xyz", intoDir()), 400, "malformed_multipart");
  });

  it("rejects a part with a malformed header with 400 malformed_multipart", async () => {
    const body = bodyOf(Buffer.from(`--xyz\r\nContent-Disposition: form-data; name="a"\r\nBroken header line\r\n\r\nvalue\r\n--xyz--\r\n`));

    await rejection(receiveMultipart(body, "multipart/form-data; boundary=xyz", intoDir()), 400, "malformed_multipart");
  });
});

/** Polls until `condition` holds (for events that have no hook to await). */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}
