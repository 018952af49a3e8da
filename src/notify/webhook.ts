import { API_INFO } from "../api-info.ts";

/** How long one delivery may take before it counts as failed. */
const REQUEST_TIMEOUT_MS = 10_000;
/** The waits between tries: five tries over about half a minute. */
const RETRY_WAITS_MS = [1_000, 2_000, 5_000, 15_000];

export interface Delivery {
  url: string;
  /** "finish" or "transition": what the receiver is told of (X-CubQueue-Event). */
  event: string;
  body: unknown;
}

/**
 * POSTs the JSON to the URL, trying again after a failure (no answer, or not
 * 2xx) a few times with growing waits. Resolves with the outcome; never
 * rejects, and never holds up whoever called it for more than the first try.
 */
export async function deliver(delivery: Delivery, sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))): Promise<{ ok: true } | { ok: false; reason: string; tries: number }> {
  let reason = "";
  for (let tries = 1; ; tries++) {
    try {
      const response = await fetch(delivery.url, {
        method: "POST",
        headers: { "Content-Type": "application/json", "User-Agent": `cubqueue/${API_INFO.version}`, "X-CubQueue-Event": delivery.event },
        body: JSON.stringify(delivery.body),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        redirect: "manual",
      });
      await response.body?.cancel();
      if (response.ok) return { ok: true };
      reason = `HTTP ${response.status}`;
    } catch (error) {
      reason = (error as Error).name === "TimeoutError" ? `no answer within ${REQUEST_TIMEOUT_MS / 1000} s` : String((error as { cause?: unknown }).cause ?? (error as Error).message);
    }
    const wait = RETRY_WAITS_MS[tries - 1];
    if (wait === undefined) return { ok: false, reason, tries };
    await sleep(wait);
  }
}
