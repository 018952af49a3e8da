import { resolve } from "node:path";
import { readEnvironment } from "../src/config.ts";
import { readRecordedToken, readRecordedUrl } from "../src/server/instance.ts";
import { createLayout } from "../src/store/layout.ts";
import { CubQueueClient } from "../src/client/index.ts";
import { text } from "./cli-error.ts";
import type { CliIO } from "./io.ts";
import { invokedAs } from "./invocation.ts";
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
  /** How the user runs cubqueue ("npx cubqueue", "deno task cubqueue", …), for the commands CubQueue suggests. */
  command: string;
  /** The client for the server this invocation talks to, found on first use. */
  connect(): Promise<{ client: CubQueueClient; location: ServerLocation }>;
  /** The server found by connect(), if it was called: named in connection errors. */
  readonly location: ServerLocation | undefined;
}

export function createCommandContext(options: GlobalOptions, io: CliIO): CommandContext {
  const env = readEnvironment(io.env);
  let location: ServerLocation | undefined;
  const command = invokedAs(io.env);
  return {
    io,
    json: Boolean(options.json),
    command,
    get location() {
      return location;
    },
    async connect() {
      location = await locateServer({ url: text(options.url), baseDir: text(options.baseDir) }, env, command);
      const token = text(options.token) ?? env.token ?? (await recordedToken(location, text(options.baseDir) ?? env.baseDir));
      return { client: new CubQueueClient(location.url, { token }), location };
    },
  };
}

/** The token a base dir records for its server, sent only to that server, never to another URL. */
async function recordedToken(location: ServerLocation, baseDir: string | undefined): Promise<string | undefined> {
  if (!baseDir) return undefined;
  const layout = createLayout(resolve(baseDir));
  if (location.url !== (await readRecordedUrl(layout))) return undefined;
  return readRecordedToken(layout);
}
