import { describe, expect, it } from "vitest";
import { createEventHub, type TaskEvent } from "../../src/events/event-hub.ts";

const progress = (n: number) => ({ type: "progress" as const, taskId: "t", attempt: 1, progress: n, message: null, at: new Date(0) });

describe("the event hub", () => {
  it("replays exactly what came after a known id, and says gap for ids older than its backlog, of another run, or not yet given", () => {
    const hub = createEventHub({ backlog: 3, runId: "run" });
    const ids = [1, 2, 3, 4, 5].map((n) => hub.publish(progress(n)).id);
    expect(ids).toEqual(["run-1", "run-2", "run-3", "run-4", "run-5"]);

    const after = (id: string) => hub.subscribe(id, () => {}).replay;
    expect(after("run-2")).toEqual({ kind: "events", events: [expect.objectContaining({ id: "run-3" }), expect.objectContaining({ id: "run-4" }), expect.objectContaining({ id: "run-5" })] });
    expect(after("run-5")).toEqual({ kind: "events", events: [] });
    expect(after("run-1")).toMatchObject({ kind: "gap", reason: expect.stringMatching(/more than the last 3 events/) });
    for (const id of ["other-3", "run-6", "run-x", "garbage"]) expect(after(id)).toMatchObject({ kind: "gap", reason: expect.stringMatching(/restarted/) });
  });

  it("gives each subscriber every event from its subscription on, until it unsubscribes", () => {
    const hub = createEventHub({ runId: "r" });
    hub.publish(progress(1));
    const got: TaskEvent[] = [];
    const { replay, unsubscribe } = hub.subscribe(undefined, (event) => got.push(event));
    expect(replay).toEqual({ kind: "events", events: [] });
    hub.publish(progress(2));
    hub.publish(progress(3));
    unsubscribe();
    hub.publish(progress(4));
    expect(got.map((event) => event.id)).toEqual(["r-2", "r-3"]);
    expect(hub.subscriberCount).toBe(0);
  });
});
