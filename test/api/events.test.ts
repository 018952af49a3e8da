import { describe, expect, it } from "vitest";
import { readServerSentEvents, type ServerSentEvent } from "../../src/client/server-sent-events.ts";
import { registerScript, submitOk, waitFinished, type Requester } from "../support/api.ts";
import { SERVER_MODE } from "../support/runtime.ts";
import { startTestServer } from "../support/test-server.ts";

interface EventData {
  id: string;
  type: string;
  task_id: string;
  attempt: number;
  status?: string;
  from?: string;
  to?: string;
  progress?: number;
  message?: string | null;
}

/** GET /api/events as a browser's EventSource would, read one message at a time. */
async function openEvents(server: Requester, query = "", headers: Record<string, string> = {}) {
  const abort = new AbortController();
  const response = await server.request(`/api/events${query}`, { headers: { Accept: "text/event-stream", ...headers }, signal: abort.signal });
  if (response.status !== 200) throw new Error(`GET /api/events${query} answered ${response.status}: ${await response.text()}`);
  expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
  const messages = readServerSentEvents(response.body!);
  return {
    async next(): Promise<ServerSentEvent> {
      const { value, done } = await messages.next();
      if (done) throw new Error("the event stream ended");
      return value;
    },
    /** Messages until `until` holds for one (included). */
    async collect(until: (data: EventData) => boolean): Promise<EventData[]> {
      const seen: EventData[] = [];
      for (;;) {
        const message = await this.next();
        const data = JSON.parse(message.data) as EventData;
        expect(message.event).toBe(data.type ?? "gap");
        if (data.id !== undefined) expect(message.id).toBe(data.id);
        seen.push(data);
        if (until(data)) return seen;
      }
    },
    close() {
      abort.abort();
    },
  };
}

const ended = (taskId: string) => (event: EventData) => event.task_id === taskId && event.type === "transition" && ["succeeded", "failed", "cancelled"].includes(event.to!);
const sequence = (n: string) => Number(n.split("-")[1]);

describe(`the event stream (${SERVER_MODE} server)`, () => {
  it("sends a task's life as it happens: its submission, each change of state and the progress its script wrote, in order, with ids", async () => {
    const server = await startTestServer();
    // Progress is read once a second while the task runs, and once more at its end.
    await registerScript(server, "halves", "halves.sh", 'echo "50 half way" > "$CUBQUEUE_PROGRESS_FILE"\nsleep 1.6\necho 100% > "$CUBQUEUE_PROGRESS_FILE"\n');
    const stream = await openEvents(server);
    const { task_id: taskId } = await submitOk(server, "halves", { args: {} });
    const events = await stream.collect(ended(taskId));
    stream.close();

    expect(events.map((event) => [event.type, event.status ?? event.to ?? event.progress, event.message ?? null])).toEqual([
      ["submitted", "queued", null],
      ["transition", "running", null],
      ["progress", 50, "half way"],
      ["progress", 100, null],
      ["transition", "succeeded", null],
    ]);
    expect(events.every((event) => event.task_id === taskId)).toBe(true);
    expect(events.map((event) => event.attempt)).toEqual([0, 1, 1, 1, 1]);
    const numbers = events.map((event) => sequence(event.id));
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
    expect(new Set(numbers).size).toBe(numbers.length);
    // What the stream said is what the task's record says.
    const task = await (await server.request(`/api/task/${taskId}`)).json();
    expect(task).toMatchObject({ status: "succeeded", progress: { percent: 100, message: null } });
    expect(server.loggedErrors).toEqual([]);
  });

  it("a client that reconnects with Last-Event-ID is sent exactly what it missed; an id it cannot account for gets a gap first", async () => {
    const server = await startTestServer({ concurrency: 4 });
    await registerScript(server, "quick", "quick.sh", "echo hi\n");
    const first = await openEvents(server);
    const { task_id: a } = await submitOk(server, "quick", { args: {} });
    const [submitted] = await first.collect((event) => event.type === "submitted");
    first.close();

    // While no one listens: the rest of a's life, and all of b's and c's.
    const missed = await Promise.all([submitOk(server, "quick", { args: {} }), submitOk(server, "quick", { args: {} })]);
    for (const taskId of [a, ...missed.map((task) => task.task_id)]) await waitFinished(server, taskId);

    const resumed = await openEvents(server, "", { "Last-Event-ID": submitted!.id });
    const over = new Set<string>();
    const replayed = await resumed.collect((event) => (ended(event.task_id)(event) && over.add(event.task_id), over.size === 3));
    // The stream goes on live after the replay: a new task's submission comes next.
    const { task_id: d } = await submitOk(server, "quick", { args: {} });
    const [live] = await resumed.collect(() => true);
    resumed.close();
    expect(live).toMatchObject({ type: "submitted", task_id: d });

    const numbers = replayed.map((event) => sequence(event.id));
    expect(numbers[0]).toBe(sequence(submitted!.id) + 1);
    expect(numbers).toEqual(numbers.map((_, index) => numbers[0]! + index));
    for (const taskId of [a, ...missed.map((task) => task.task_id)]) {
      const ofTask = replayed.filter((event) => event.task_id === taskId).map((event) => event.to ?? event.status);
      expect(ofTask).toEqual(taskId === a ? ["running", "succeeded"] : ["queued", "running", "succeeded"]);
    }

    // ?last_event_id= works where a header cannot be set; an id of another run is a gap.
    const afterRestart = await openEvents(server, `?last_event_id=${encodeURIComponent("0000-5")}`);
    const gap = await afterRestart.next();
    afterRestart.close();
    expect(gap.event).toBe("gap");
    expect(JSON.parse(gap.data).reason).toMatch(/restarted/);
  });

  it("filters by task, by script and by tags (all of them), and refuses a tag that is not key=value", async () => {
    const server = await startTestServer({ concurrency: 4 });
    await registerScript(server, "one", "one.sh", "true\n");
    await registerScript(server, "two", "two.sh", "true\n");
    const byTags = await openEvents(server, "?tag=sample=S12&tag=run=3");
    const byScript = await openEvents(server, "?script=two");
    const s12run3 = await submitOk(server, "one", { args: {}, fields: { tags: "sample=S12,run=3" } });
    await submitOk(server, "one", { args: {}, fields: { tags: "sample=S12,run=4" } });
    // Held until its own stream listens, so that it cannot end before.
    const ofTwo = await submitOk(server, "two", { args: {}, fields: { tags: "sample=S12,run=3", hold: "true" } });
    const byTask = await openEvents(server, `?task_id=${ofTwo.task_id}`);
    expect((await server.request(`/api/task/${ofTwo.task_id}/release`, { method: "POST" })).status).toBe(200);

    const tagged = await byTags.collect(ended(ofTwo.task_id));
    const scripted = await byScript.collect(ended(ofTwo.task_id));
    const ofTask = await byTask.collect(ended(ofTwo.task_id));
    for (const stream of [byTags, byScript, byTask]) stream.close();
    expect(new Set(tagged.map((event) => event.task_id))).toEqual(new Set([s12run3.task_id, ofTwo.task_id]));
    expect(new Set(scripted.map((event) => event.task_id))).toEqual(new Set([ofTwo.task_id]));
    expect(ofTask.map((event) => event.task_id)).toEqual(ofTask.map(() => ofTwo.task_id));
    expect(ofTask.map((event) => event.to)).toEqual(["queued", "running", "succeeded"]);

    const refused = await server.request("/api/events?tag=sample");
    expect(refused.status).toBe(400);
    expect((await refused.json()).error).toMatchObject({ code: "invalid_field", message: expect.stringMatching(/key=value/) });
  });
});
