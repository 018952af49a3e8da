import { describe, expect, it } from "vitest";
import { CubQueueClient } from "../../src/client/index.ts";
import { IN_PROCESS_ONLY, startTestServer } from "../support/test-server.ts";

describe("CubQueueClient given its own fetch", () => {
  it("works over app.fetch with no network at all", async (context) => {
    context.skip(!!IN_PROCESS_ONLY, IN_PROCESS_ONLY);
    const { inProcess } = await startTestServer();
    const client = new CubQueueClient("http://localhost", { fetch: async (input, init) => inProcess!.app.fetch(new Request(input, init)) });
    expect(await client.listScripts()).toEqual([]);
  });
});
