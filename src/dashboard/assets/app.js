// @ts-check
// The dashboard's frame: the queue in the header, the page the address names (#/ the tasks,
// #/task/<id> one task), and the event stream that keeps both up to date without a reload.
import { NeedsToken, api, call, rememberToken, whenTokenNeeded } from "./api.js";
import { watchEvents } from "./events.js";
import { showScripts } from "./scripts-page.js";
import { showSubmit } from "./submit-page.js";
import { showTask } from "./task-page.js";
import { showTasks } from "./tasks-page.js";
import { h } from "./view.js";

const main = /** @type {HTMLElement} */ (document.getElementById("main"));
const queue = /** @type {HTMLElement} */ (document.getElementById("queue"));
const dialog = /** @type {HTMLDialogElement} */ (document.getElementById("token-dialog"));

/** @type {{ onEvent(event: import("./events.js").TaskEvent): unknown; onGap(): unknown } | undefined} */
let page;
/** Aborts when the page the address names changes. */
let leave = new AbortController();
/** @type {AbortController | undefined} */
let events;
/**
 * Whether events came while the page was being built: it read what it shows before they were
 * applied, and had no one to hand them to, so it reads again once shown (a task that ended while
 * its page loaded would otherwise stay "running").
 */
let missedWhileLoading = false;

async function route() {
  leave.abort();
  leave = new AbortController();
  page = undefined;
  missedWhileLoading = false;
  const hash = location.hash.replace(/^#/, "") || "/";
  const [path = "/", query = ""] = hash.split("?");
  const { signal } = leave;
  try {
    // Built apart and shown only if the address has not changed meanwhile: a slower page
    // started earlier must not replace the one asked for since.
    const view = h("div");
    const task = /^\/task\/([0-9a-f-]{36})$/.exec(path);
    const shown = task
      ? await showTask(view, task[1] ?? "", signal)
      : path === "/scripts"
        ? await showScripts(view)
        : path === "/submit"
          ? await showSubmit(view)
          : await showTasks(view, new URLSearchParams(query));
    if (signal.aborted) return;
    main.replaceChildren(view);
    page = shown;
    if (missedWhileLoading) void Promise.resolve(page.onGap()).catch(() => {});
    await showQueue();
    startEvents();
  } catch (error) {
    if (!(error instanceof NeedsToken) && !signal.aborted) main.replaceChildren(h("p", { class: "error" }, /** @type {Error} */ (error).message));
  }
}

/**
 * The concurrency field of the header, kept across its refreshes (every few events): a
 * refresh shows the server's value only while nobody is editing the field, so what was
 * typed is what "Set" sends.
 */
const concurrency = /** @type {HTMLInputElement} */ (h("input", { type: "number", min: "1", id: "concurrency", "aria-label": "concurrency" }));
let concurrencyEdited = false;
concurrency.addEventListener("input", () => (concurrencyEdited = true));
function setConcurrency() {
  void call(api.PATCH("/api/queue", { body: { concurrency: Number(concurrency.value) } })).then(
    () => {
      concurrencyEdited = false;
      return showQueue();
    },
    (error) => alert(error.message),
  );
}

/**
 * The queue in the header: paused or not, how many run and wait, and pause/resume. Its
 * figures are rebuilt at each refresh; its controls are built once and stay in place, so a
 * refresh never takes the focus from the field being typed in (a detached field loses it,
 * and the keys typed next would go nowhere).
 */
const figures = h("span", { class: "figures" });
let queuePaused = false;
const toggle = h("button", {
  type: "button",
  id: "queue-toggle",
  onclick: () => void call(queuePaused ? api.POST("/api/queue/resume") : api.POST("/api/queue/pause")).then(showQueue),
});
const controls = [h("label", { class: "inline" }, "concurrency ", concurrency, h("button", { type: "button", onclick: setConcurrency }, "Set")), toggle];

async function showQueue() {
  const state = await call(api.GET("/api/queue"));
  const counts = state.counts;
  if (!concurrencyEdited && document.activeElement !== concurrency) concurrency.value = String(state.concurrency);
  queuePaused = state.paused;
  toggle.textContent = state.paused ? "Resume the queue" : "Pause the queue";
  const gpus = state.gpus.total.length ? h("span", {}, `GPUs ${state.gpus.total.length - state.gpus.free.length}/${state.gpus.total.length}`) : null;
  figures.replaceChildren(
    h("span", { id: "queue-state" }, state.paused ? "paused" : "running"),
    h("span", {}, `running ${(counts.running ?? 0) + (counts.suspended ?? 0)}`),
    h("span", {}, `queued ${(counts.queued ?? 0) + (counts.held ?? 0)}`),
    h("span", {}, `done ${(counts.succeeded ?? 0) + (counts.failed ?? 0) + (counts.cancelled ?? 0)}`),
    h("span", {}, `CPU slots ${state.cpus.used}/${state.cpus.total}`),
    ...(gpus ? [gpus] : []),
  );
  if (!queue.contains(toggle)) queue.replaceChildren(figures, ...controls);
}

let queueRefresh = /** @type {ReturnType<typeof setTimeout> | undefined} */ (undefined);
/** The header follows the events, at most a few times a second. */
function refreshQueueSoon() {
  queueRefresh ??= setTimeout(() => {
    queueRefresh = undefined;
    void showQueue().catch(() => {});
  }, 250);
}

function startEvents() {
  if (events) return;
  events = new AbortController();
  void watchEvents({
    signal: events.signal,
    onEvent: (event) => {
      refreshQueueSoon();
      if (!page) missedWhileLoading = true;
      void Promise.resolve(page?.onEvent(event)).catch(() => {});
    },
    onGap: () => {
      refreshQueueSoon();
      if (!page) missedWhileLoading = true;
      void Promise.resolve(page?.onGap()).catch(() => {});
    },
  });
}

whenTokenNeeded(() => {
  events?.abort();
  events = undefined;
  if (!dialog.open) dialog.showModal();
});
document.getElementById("token-form")?.addEventListener("submit", () => {
  const input = /** @type {HTMLInputElement} */ (document.getElementById("token-input"));
  rememberToken(input.value.trim());
  input.value = "";
  void route();
});

window.addEventListener("hashchange", () => void route());
void route();
