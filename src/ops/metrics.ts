import type { TaskStatus } from "../db/schema.ts";
import type { TaskEvent } from "../events/event-hub.ts";

/** The upper bounds of the attempt-duration histogram, in seconds: a second to a day. */
const DURATION_BUCKETS = [1, 5, 15, 60, 300, 900, 3600, 4 * 3600, 24 * 3600];
const ENDED = new Set(["succeeded", "failed", "cancelled", "queued"]);

/** What /metrics reports beyond what the database and the runner say at the moment. */
export type MetricsCollector = ReturnType<typeof createMetricsCollector>;

/**
 * Counts what happens while the server runs: bytes uploaded, and how long
 * attempts took (from the events: an attempt's start to its end, for attempts
 * started by this server since it started).
 */
export function createMetricsCollector() {
  let uploadedBytes = 0;
  const started = new Map<string, number>();
  const buckets = DURATION_BUCKETS.map(() => 0);
  let count = 0;
  let sum = 0;
  return {
    uploaded(bytes: number): void {
      uploadedBytes += bytes;
    },
    /** Fed every event of the hub. */
    observe(event: TaskEvent): void {
      if (event.type !== "transition") return;
      const key = `${event.taskId}/${event.attempt}`;
      if (event.to === "running" && event.from === "queued") started.set(key, event.at.getTime());
      else if (event.from === "running" || event.from === "suspended") {
        if (!ENDED.has(event.to)) return;
        const start = started.get(key);
        started.delete(key);
        if (start === undefined) return;
        const seconds = (event.at.getTime() - start) / 1000;
        count += 1;
        sum += seconds;
        DURATION_BUCKETS.forEach((bound, index) => {
          if (seconds <= bound) buckets[index]! += 1;
        });
      }
    },
    snapshot() {
      return { uploadedBytes, durations: { bounds: DURATION_BUCKETS, buckets: [...buckets], count, sum } };
    },
  };
}

export interface QueueFigures {
  counts: Record<TaskStatus, number>;
  paused: boolean;
  concurrency: number;
  cpus: { total: number; used: number };
  gpus: { total: number; used: number };
  attempts: number;
}

/** The Prometheus text format (version 0.0.4) of the server's figures. */
export function renderMetrics(queue: QueueFigures, collected: ReturnType<MetricsCollector["snapshot"]>): string {
  const lines: string[] = [];
  const metric = (name: string, type: "gauge" | "counter" | "histogram", help: string, samples: Array<[string, number]>) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) lines.push(`${name}${labels} ${value}`);
  };
  metric("cubqueue_tasks", "gauge", "Tasks of this server, by state.", Object.entries(queue.counts).map(([status, n]) => [`{status="${status}"}`, n]));
  metric("cubqueue_queue_depth", "gauge", "Tasks waiting to start (queued and held).", [["", queue.counts.queued + queue.counts.held]]);
  metric("cubqueue_running", "gauge", "Tasks whose attempt is under way (running and suspended).", [["", queue.counts.running + queue.counts.suspended]]);
  metric("cubqueue_queue_paused", "gauge", "1 while the queue is paused.", [["", queue.paused ? 1 : 0]]);
  metric("cubqueue_concurrency", "gauge", "How many tasks may run at once.", [["", queue.concurrency]]);
  metric("cubqueue_cpu_slots", "gauge", "CPU slots, in all and in use.", [
    ['{state="total"}', queue.cpus.total],
    ['{state="used"}', queue.cpus.used],
  ]);
  metric("cubqueue_gpus", "gauge", "GPUs, in all and in use.", [
    ['{state="total"}', queue.gpus.total],
    ['{state="used"}', queue.gpus.used],
  ]);
  metric("cubqueue_attempts_total", "counter", "Attempts started, over this server's tasks.", [["", queue.attempts]]);
  const { bounds, buckets, count, sum } = collected.durations;
  metric("cubqueue_attempt_duration_seconds", "histogram", "How long attempts took, start to end (those started since the server started).", [
    ...bounds.map((bound, index): [string, number] => [`_bucket{le="${bound}"}`, buckets[index]!]),
    ['_bucket{le="+Inf"}', count],
    ["_sum", sum],
    ["_count", count],
  ]);
  metric("cubqueue_uploaded_bytes_total", "counter", "Bytes of files uploaded with submissions since the server started.", [["", collected.uploadedBytes]]);
  return `${lines.join("\n")}\n`;
}
