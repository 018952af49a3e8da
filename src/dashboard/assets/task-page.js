// @ts-check
// One task: its record, what can be done to it in its state, its attempts, files and
// dependencies, and its log as it is written.
import { api, call, download, openStream } from "./api.js";
import { duration, exitText, formatTime, h, progressBar, statusText } from "./view.js";

/** @typedef {import("./api.js").Task} Task */
/** @typedef {import("./events.js").TaskEvent} TaskEvent */

/** The log's last lines shown first; then it follows. */
const FIRST_LINES = 200;
const FORMATS = ["tar.gz", "tar", "zip"];

/**
 * @param {HTMLElement} main
 * @param {string} taskId
 * @param {AbortSignal} signal aborts when the page is left
 */
export async function showTask(main, taskId, signal) {
  const record = h("div");
  const log = h("pre", { class: "log", id: "log" });
  const message = h("p", { class: "error", id: "action-error" });
  main.replaceChildren(h("p", {}, h("a", { href: "#/" }, "← Tasks")), record, message, h("h2", {}, "Log"), logLinks(taskId), log);

  /** @type {Promise<unknown>} */
  let lastRefresh = Promise.resolve();
  /** The record as it is now; one read at a time, in order, so an earlier answer never replaces a later one. */
  function refresh() {
    const next = lastRefresh.catch(() => {}).then(async () => {
      const task = await call(api.GET("/api/task/{task_id}", { params: { path: { task_id: taskId } } }));
      record.replaceChildren(...describe(task, act));
    });
    lastRefresh = next;
    return next;
  }

  /** Runs an action, then shows the task as it is after it. @param {() => Promise<unknown>} action */
  async function act(action) {
    message.textContent = "";
    try {
      await action();
    } catch (error) {
      message.textContent = /** @type {Error} */ (error).message;
    }
    if (!signal.aborted) await refresh().catch(() => {});
  }

  await refresh();
  void followLog(taskId, log, signal);
  return {
    /** @param {TaskEvent} event */
    async onEvent(event) {
      if (event.task_id !== taskId) return;
      if (event.type === "transition" && event.to === "deleted") {
        location.hash = "#/";
        return;
      }
      await refresh().catch(() => {});
    },
    onGap() {
      void refresh().catch(() => {});
    },
  };
}

/**
 * The log: its last lines, then each write as it comes, until the task's last attempt ends.
 * @param {string} taskId
 * @param {HTMLElement} log
 * @param {AbortSignal} signal
 */
async function followLog(taskId, log, signal) {
  try {
    const body = await openStream("/api/task/{task_id}/log/follow", { path: { task_id: taskId }, query: { lines: FIRST_LINES }, signal });
    const reader = body.getReader();
    const decoder = new TextDecoder();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      const atBottom = log.scrollTop + log.clientHeight >= log.scrollHeight - 4;
      log.append(decoder.decode(value, { stream: true }));
      if (atBottom) log.scrollTop = log.scrollHeight;
    }
    log.dataset.ended = "true";
  } catch (error) {
    if (!signal.aborted) log.append(`\n[the log could not be followed: ${/** @type {Error} */ (error).message}]\n`);
  }
}

/** @param {string} taskId */
function logLinks(taskId) {
  return h(
    "div",
    { class: "actions" },
    h("button", { type: "button", onclick: () => void download("/api/task/{task_id}/log/raw", { task_id: taskId }, {}, `${taskId}.log.txt`) }, "Download the whole log"),
  );
}

/**
 * The record and the buttons its state allows.
 * @param {Task} task
 * @param {(action: () => Promise<unknown>) => Promise<void>} act
 */
function describe(task, act) {
  const path = { params: { path: { task_id: task.task_id } } };
  const finished = ["succeeded", "failed", "cancelled"].includes(task.status);
  const format = /** @type {HTMLSelectElement} */ (h("select", { name: "format" }, ...FORMATS.map((value) => h("option", { value }, value))));
  /** @param {"metadata" | "result"} folder */
  const archive = (folder) => () =>
    act(() => download(`/api/task/{task_id}/${folder}`, { task_id: task.task_id }, { format: format.value }, `${task.task_id}-${folder}.${format.value}`));
  const button = (/** @type {string} */ label, /** @type {() => Promise<unknown>} */ action) => h("button", { type: "button", onclick: () => void act(action) }, label);
  const priority = /** @type {HTMLInputElement} */ (h("input", { type: "number", value: String(task.priority), step: "1", "aria-label": "priority" }));

  const actions = h(
    "div",
    { class: "actions" },
    !finished && button("Cancel", () => call(api.DELETE("/api/task/{task_id}", path))),
    task.status === "queued" && button("Hold", () => call(api.POST("/api/task/{task_id}/hold", path))),
    task.status === "held" && button("Release", () => call(api.POST("/api/task/{task_id}/release", path))),
    task.status === "running" && button("Suspend", () => call(api.POST("/api/task/{task_id}/suspend", path))),
    task.status === "suspended" && button("Resume", () => call(api.POST("/api/task/{task_id}/resume", path))),
    (task.status === "queued" || task.status === "held") && priority,
    (task.status === "queued" || task.status === "held") &&
      button("Set priority", () => call(api.PATCH("/api/task/{task_id}", { ...path, body: { priority: priority.value } }))),
    finished && button("Run again", () => call(api.POST("/api/task/{task_id}/restart", path))),
    finished &&
      button("Delete", async () => {
        if (!confirm(`Delete task ${task.short_id} and its folder?`)) return;
        await call(api.POST("/api/task/{task_id}/delete", path));
        location.hash = "#/";
      }),
    format,
    h("button", { type: "button", onclick: archive("result") }, "Download result"),
    h("button", { type: "button", onclick: archive("metadata") }, "Download metadata"),
  );

  /** @type {Array<[string, Node | string]>} */
  const fields = [
    ["task", task.task_id],
    ["name", task.name ?? "-"],
    ["script", `${task.script_name}${task.script_version === null ? "" : `, version ${task.script_version}`}`],
    ["status", statusText(task.status)],
    ["progress", progressBar(task)],
    ["created", formatTime(task.created_at)],
    ["started", formatTime(task.started_at)],
    ["finished", formatTime(task.finished_at)],
    ["duration", duration(task)],
    ["exit", exitText(task)],
    ["error", task.error ?? "-"],
    ["attempts", `${task.attempts} (retries allowed: ${task.max_retries})`],
    ["priority", String(task.priority)],
    ["tags", Object.entries(task.tags).map(([key, value]) => `${key}=${value}`).join(", ") || "-"],
  ];
  const record = h("dl", { class: "record", id: "record" }, ...fields.flatMap(([name, value]) => [h("dt", {}, name), h("dd", { "data-field": name }, value)]));

  const parts = [h("h2", {}, task.name ?? `Task ${task.short_id}`), record, actions];
  if (task.files.length > 0) {
    parts.push(
      h("h2", {}, "Files"),
      table(["placeholder", "name", "size", "sha256"], task.files.map((file) => [file.placeholder, file.name, `${file.size} bytes`, file.sha256])),
    );
  }
  if (task.dependencies.length > 0) {
    parts.push(
      h("h2", {}, "Waits for"),
      table(["task", "kind", "status"], task.dependencies.map((dependency) => [dependency.task_id, dependency.kind, dependency.status ?? "deleted"])),
    );
  }
  if (task.attempt_history.length > 0) {
    parts.push(
      h("h2", {}, "Attempts"),
      table(
        ["#", "started", "finished", "exit", "error"],
        task.attempt_history.map((attempt) => [String(attempt.number), formatTime(attempt.started_at), formatTime(attempt.finished_at), attempt.signal ?? (attempt.exit_code === null ? "-" : String(attempt.exit_code)), attempt.error ?? ""]),
      ),
    );
  }
  return parts;
}

/**
 * @param {string[]} titles
 * @param {string[][]} rows
 */
function table(titles, rows) {
  return h("table", {}, h("thead", {}, h("tr", {}, ...titles.map((title) => h("th", {}, title)))), h("tbody", {}, ...rows.map((cells) => h("tr", {}, ...cells.map((cell) => h("td", {}, cell))))));
}
