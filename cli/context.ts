import { readEnvironment } from "../src/config.ts";
import { CubQueueClient } from "../src/client/index.ts";
import { text } from "./cli-error.ts";
import type { CliIO } from "./io.ts";
import { locateServer, type ServerLocation } from "./locate-server.ts";

/** The options every command accepts. */
export interface GlobalOptions {
  url?: unknown;
  baseDir?: unknown;
  json?: boolean;
}

export interface CommandContext {
  io: CliIO;
  json: boolean;
  /** The client for the server this invocation talks to, found on first use. */
  connect(): Promise<{ client: CubQueueClient; location: ServerLocation }>;
  /** The server found by connect(), if it was called: named in connection errors. */
  readonly location: ServerLocation | undefined;
}

export function createCommandContext(options: GlobalOptions, io: CliIO): CommandContext {
  const env = readEnvironment(io.env);
  let location: ServerLocation | undefined;
  return {
    io,
    json: Boolean(options.json),
    get location() {
      return location;
    },
    async connect() {
      location = await locateServer({ url: text(options.url), baseDir: text(options.baseDir) }, env);
      return { client: new CubQueueClient(location.url), location };
    },
  };
}
