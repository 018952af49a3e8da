/**
 * The upload reference: the least a Node server can do to take an HTTP PUT into
 * a file. Run as its own process (argv: the folder to write into); prints its
 * port once listening.
 */
import { createWriteStream } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";

const [dir] = process.argv.slice(2);
if (!dir) throw new Error("usage: min-receiver <dir>");
let received = 0;

const server = createServer((request, response) => {
  const path = join(dir, `upload-${received++}`);
  pipeline(request, createWriteStream(path, { highWaterMark: 4 * 1024 * 1024 })).then(
    () => response.end("ok\n"),
    () => {
      response.statusCode = 500;
      response.end();
    },
  );
});
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  process.stdout.write(`${typeof address === "object" && address ? address.port : 0}\n`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
