import { resolve } from "node:path";
import { readEnvironment } from "../src/config.ts";
import { readRecordedToken } from "../src/server/instance.ts";
import { createLayout } from "../src/store/layout.ts";
import { CubQueueClient } from "../src/client/index.ts";
import { text } from "./cli-error.ts";
import type { CliIO } from "./io.ts";
import { locateServer, type ServerLocation } from "./locate-server.ts";

/** The options every command accepts. */
export interface GlobalOptions {
  url?: unknown;
  baseDir?: unknown;
  json?: boolean;
  token?: unknown;
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
      const baseDir = text(options.baseDir) ?? env.baseDir;
      location = await locateServer({ url: text(options.url), baseDir: text(options.baseDir) }, env);
      const token = text(options.token) ?? env.token ?? (baseDir ? await readRecordedToken(createLayout(resolve(baseDir))) : undefined);
      return { client: new CubQueueClient(location.url, { token }), location };
    },
  };
}
