import { readFile } from "node:fs/promises";
import { createServer, request as forward, type IncomingMessage, type ServerResponse } from "node:http";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { CubQueueClient, type TaskEvent } from "../../src/client/index.ts";
import { registerScript, submitOk, waitFinished } from "../support/api.ts";
import { SERVER_MODE } from "../support/runtime.ts";
import { makeTempDir } from "../support/temp-dir.ts";
import { startTestServer } from "../support/test-server.ts";

/**
 * A real HTTP proxy in front of a server, that counts what passes and can stand for the
 * network between a client and CubQueue: cut the event streams, drop new ones, or answer
 * 404 for them (a proxy that does not pass streams, or an older server).
 */
async function startProxy(target: string) {
  const seen: string[] = [];
  const streams = new Set<ServerResponse>();
  const state = { events: "pass" as "pass" | "drop" | "not_found" };
  const server = createServer((incoming: IncomingMessage, outgoing: ServerResponse) => {
    seen.push(`${incoming.method} ${incoming.url}`);
    const isEvents = incoming.url!.startsWith("/api/events");
    if (isEvents && state.events === "drop") return incoming.socket.destroy();
    if (isEvents && state.events === "not_found") {
      return outgoing.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: { code: "not_found", message: "No such route." } }));
    }
    const upstream = forward(`${target}${incoming.url}`, { method: incoming.method, headers: incoming.headers }, (answer) => {
      outgoing.writeHead(answer.statusCode!, answer.headers);
      answer.pipe(outgoing);
    });
    upstream.on("error", () => outgoing.destroy());
    outgoing.on("close", () => upstream.destroy());
    incoming.pipe(upstream);
    if (isEvents) {
      streams.add(outgoing);
      outgoing.on("close", () => streams.delete(outgoing));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  onTestFinished(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    seen,
    state,
    /** Cuts every event stream passing now, as a network failure would. */
    cutEventStreams() {
      for (const stream of streams) stream.socket?.destroy();
    },
    statusReads: (taskId: string) => seen.filter((line) => line === `GET /api/task/${taskId}`).length,
  };
}

describe(`the SDK watching a live server (${SERVER_MODE} server)`, () => {
  it("waitForTask learns of the end from the event stream (a status read per change of state, however long the task), and polls where the stream is refused", async () => {
    const server = await startTestServer();
    const proxy = await startProxy(server.url);
    const client = new CubQueueClient(proxy.url);
    await registerScript(server, "three_seconds", "three_seconds.sh", "sleep 3\n");

    const byEvents = await submitOk(server, "three_seconds", { args: {} });
    const finished = await client.waitForTask(byEvents.task_id, { timeoutMs: 20_000 });
    const learnt = Date.now();
    expect(finished.status).toBe("succeeded");
    expect(learnt - new Date(finished.finished_at!).getTime()).toBeLessThan(1_000);
    // Once connected, and after each change of state (queued → running → succeeded at most).
    expect(proxy.statusReads(byEvents.task_id)).toBeLessThanOrEqual(3);

    proxy.state.events = "not_found";
    const byPolling = await submitOk(server, "three_seconds", { args: {} });
    expect((await client.waitForTask(byPolling.task_id, { timeoutMs: 20_000, maxIntervalMs: 500 })).status).toBe("succeeded");
    expect(proxy.statusReads(byPolling.task_id)).toBeGreaterThan(3);
  });

  it("events() reconnects after its stream is cut, from the last event it gave: nothing missed, nothing twice", async () => {
    const server = await startTestServer({ concurrency: 4 });
    const proxy = await startProxy(server.url);
    const client = new CubQueueClient(proxy.url);
    await registerScript(server, "quick", "quick.sh", "echo hi\n");
    const stop = new AbortController();
    let opened = 0;
    const stream = client.events({ signal: stop.signal, onOpen: () => opened++ })[Symbol.asyncIterator]();
    const next = async () => (await stream.next()).value as TaskEvent & { id: string; task_id: string; to?: string; status?: string };

    const pending = next();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const a = await submitOk(server, "quick", { args: {} });
    const first = await pending;
    expect(first).toMatchObject({ type: "submitted", task_id: a.task_id });

    // The network fails, and stays down while two more tasks come and go.
    proxy.state.events = "drop";
    proxy.cutEventStreams();
    const reading = (async () => {
      const events = [first];
      while (events.filter((event) => event.type === "transition" && event.to === "succeeded").length < 3) events.push(await next());
      return events;
    })();
    const missed = [await submitOk(server, "quick", { args: {} }), await submitOk(server, "quick", { args: {} })];
    for (const task of [a, ...missed]) await waitFinished(server, task.task_id);
    proxy.state.events = "pass";
    const events = await reading;
    stop.abort();

    expect(opened).toBeGreaterThanOrEqual(2);
    const numbers = events.map((event) => Number(event.id.split("-")[1]));
    expect(numbers).toEqual(numbers.map((_, index) => numbers[0]! + index));
    for (const task of [a, ...missed]) {
      expect(events.filter((event) => event.task_id === task.task_id).map((event) => event.to ?? event.status)).toEqual(["queued", "running", "succeeded"]);
    }
    // The reconnection asked for what came after the last event it had.
    expect(proxy.seen.filter((line) => line.startsWith("GET /api/events?last_event_id=")).length).toBeGreaterThanOrEqual(1);
  });

  it("followTaskLog yields the log as it is written, to the end; downloadTaskLog writes the whole log to a file", async () => {
    const server = await startTestServer();
    const client = new CubQueueClient(server.url);
    await registerScript(server, "lines", "lines.sh", "for i in $(seq 1 30); do echo line $i; sleep 0.02; done\n");
    const { task_id: taskId } = await submitOk(server, "lines", { args: {} });
    let text = "";
    const decoder = new TextDecoder();
    for await (const chunk of client.followTaskLog(taskId, { lines: 1000 })) text += decoder.decode(chunk, { stream: true });
    const expected = Array.from({ length: 30 }, (_, index) => `line ${index + 1}\n`).join("");
    expect(text).toBe(expected);
    expect((await client.getTaskStatus(taskId)).status).toBe("succeeded");

    const dir = await makeTempDir();
    onTestFinished(() => dir.remove());
    const path = join(dir.path, "log.txt");
    expect(await client.downloadTaskLog(taskId, path)).toBe(expected.length);
    expect(await readFile(path, "utf8")).toBe(expected);
    await expect(client.downloadTaskLog(taskId, path)).rejects.toMatchObject({ name: "CubQueueFileExistsError" });
  });
});
