/** What happened to a task: it was made, its state changed, or its progress did. */
export type TaskEventBody =
  | { type: "submitted"; taskId: string; attempt: 0; status: string; at: Date }
  | { type: "transition"; taskId: string; attempt: number; from: string; to: string; at: Date }
  | { type: "progress"; taskId: string; attempt: number; progress: number; message: string | null; at: Date };

/** An event with its place in the stream. */
export type TaskEvent = TaskEventBody & { id: string };

/** What a subscriber gets first: the events it missed, or word that it missed more than the backlog holds. */
export type Replay = { kind: "events"; events: TaskEvent[] } | { kind: "gap"; reason: string };

export interface EventHubOptions {
  /** How many of the latest events are kept for clients that reconnect. */
  backlog?: number;
  /** Tells this run's ids from an earlier run's (a reconnect across a restart has missed an unknown number). */
  runId?: string;
}

export type EventHub = ReturnType<typeof createEventHub>;

export const DEFAULT_BACKLOG = 10_000;

/**
 * The server's stream of task events, in the order they were committed. Each
 * gets an id `<run>-<n>`; the latest `backlog` are kept in memory, so a client
 * that reconnects with the last id it saw is sent what it missed. One that
 * missed more than that, or that reconnects to a restarted server, is told so
 * (a gap) and should read the state of what it watches again. Publishing does
 * nothing but append and call the subscribers: with none, an event costs one
 * array slot.
 */
export function createEventHub({ backlog = DEFAULT_BACKLOG, runId = Date.now().toString(36) }: EventHubOptions = {}) {
  const events: TaskEvent[] = [];
  let next = 1;
  const subscribers = new Set<(event: TaskEvent) => void>();

  return {
    publish(body: TaskEventBody): TaskEvent {
      const event = { ...body, id: `${runId}-${next++}` } as TaskEvent;
      events.push(event);
      if (events.length > backlog) events.splice(0, events.length - backlog);
      for (const subscriber of subscribers) subscriber(event);
      return event;
    },

    /**
     * Calls `onEvent` with every event from now on; `afterId` (a Last-Event-ID) first
     * replays what came after it. Returns the replay and how to stop.
     */
    subscribe(afterId: string | undefined, onEvent: (event: TaskEvent) => void): { replay: Replay; unsubscribe: () => void } {
      const replay = afterId === undefined ? ({ kind: "events", events: [] } as Replay) : replayAfter(afterId);
      subscribers.add(onEvent);
      return { replay, unsubscribe: () => subscribers.delete(onEvent) };
    },

    get subscriberCount() {
      return subscribers.size;
    },
  };

  function replayAfter(afterId: string): Replay {
    const [run, number] = afterId.split("-");
    const seen = Number(number);
    if (run !== runId || !Number.isSafeInteger(seen) || seen < 0 || seen >= next) {
      return { kind: "gap", reason: "the server was restarted since that event, or it is not one of its ids" };
    }
    const oldest = events.length === 0 ? next : Number(events[0]!.id.split("-")[1]);
    if (seen + 1 < oldest) return { kind: "gap", reason: `more than the last ${backlog} events happened since` };
    return { kind: "events", events: events.slice(seen + 1 - oldest) };
  }
}

/** An event as one line of the server's log: "task <id> (attempt 2): running → failed". */
export function describeEvent(event: TaskEvent): string {
  const what =
    event.type === "submitted"
      ? `submitted (${event.status})`
      : event.type === "transition"
        ? `${event.from} → ${event.to}`
        : `progress ${event.progress}%${event.message ? ` (${event.message})` : ""}`;
  return `task ${event.taskId} (attempt ${event.attempt}): ${what}`;
}
