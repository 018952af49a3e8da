// @ts-check
// The task list: filters, counts by state, a page of tasks at a time (the API's cursor, so
// it is as quick with 100,000 tasks as with ten), each row kept up to date from the event stream.
import { api, call } from "./api.js";
import { duration, exitText, formatTime, h, progressBar, statusText } from "./view.js";

/** @typedef {import("./api.js").Task} Task */
/** @typedef {import("./events.js").TaskEvent} TaskEvent */

const STATUSES = ["queued", "held", "running", "suspended", "succeeded", "failed", "cancelled"];
const PAGE_SIZE = 50;

/**
 * Renders the list into `main` for the filters in the address (#/?status=…&script=…&name=…&tag=k=v).
 * Returns what the page does with each event.
 * @param {HTMLElement} main
 * @param {URLSearchParams} params
 */
export async function showTasks(main, params) {
  const filter = {
    status: params.get("status") || undefined,
    script: params.get("script") || undefined,
    name: params.get("name") || undefined,
    tag: params.getAll("tag").filter(Boolean),
  };
  const { scripts } = await call(api.GET("/api/script"));
  const rows = new Map();
  const body = h("tbody");
  const more = h("button", { type: "button", hidden: true }, "Older tasks");
  /** @type {string | null} */
  let cursor = null;

  const form = h(
    "form",
    { class: "filters", onsubmit: (/** @type {Event} */ event) => applyFilters(event) },
    h("label", {}, "Status", select("status", ["", ...STATUSES], filter.status)),
    h("label", {}, "Script", select("script", ["", ...scripts.map((script) => script.name)], filter.script)),
    h("label", {}, "Name contains", h("input", { name: "name", value: filter.name ?? "" })),
    h("label", {}, "Tag (key=value)", h("input", { name: "tag", value: filter.tag[0] ?? "", placeholder: "project=beta" })),
    h("button", { type: "submit" }, "Filter"),
  );
  const table = h(
    "table",
    { id: "tasks" },
    h("thead", {}, h("tr", {}, ...["Task", "Script", "Status", "Progress", "Created", "Started", "Duration", "Exit"].map((title) => h("th", {}, title)))),
    body,
  );
  const empty = h("p", { class: "muted", hidden: true }, "No tasks match.");
  const counts = h("div", { class: "counts", id: "counts" });
  main.replaceChildren(h("h2", {}, "Tasks"), counts, form, table, empty, more);

  /** How many tasks there are in each state, each a link to them. */
  async function showCounts() {
    const queue = await call(api.GET("/api/queue"));
    counts.replaceChildren(
      ...STATUSES.map((status) => h("a", { href: `#/?status=${status}`, "data-status": status }, status, h("b", {}, String(queue.counts[/** @type {keyof typeof queue.counts} */ (status)] ?? 0)))),
    );
  }
  let countsDue = /** @type {ReturnType<typeof setTimeout> | undefined} */ (undefined);
  const showCountsSoon = () => {
    countsDue ??= setTimeout(() => {
      countsDue = undefined;
      void showCounts().catch(() => {});
    }, 300);
  };
  await showCounts();

  /** @param {Task} task */
  function row(task) {
    return h(
      "tr",
      { "data-task": task.task_id },
      h("td", { class: "name" }, h("a", { href: `#/task/${task.task_id}` }, task.name ?? task.short_id)),
      h("td", {}, task.script_name),
      h("td", {}, statusText(task.status)),
      h("td", {}, progressBar(task)),
      h("td", {}, formatTime(task.created_at)),
      h("td", {}, formatTime(task.started_at)),
      h("td", {}, duration(task)),
      h("td", {}, exitText(task)),
    );
  }

  async function loadPage() {
    const page = await call(
      api.GET("/api/task", {
        params: { query: { limit: PAGE_SIZE, cursor: cursor ?? undefined, status: /** @type {any} */ (filter.status), script: filter.script, name: filter.name, tag: filter.tag.length ? filter.tag : undefined } },
      }),
    );
    for (const task of page.tasks) {
      const element = row(task);
      rows.set(task.task_id, element);
      body.append(element);
    }
    cursor = page.next_cursor;
    more.hidden = cursor === null;
    empty.hidden = rows.size > 0;
  }

  async function reload() {
    cursor = null;
    rows.clear();
    body.replaceChildren();
    await loadPage();
  }

  more.addEventListener("click", () => void loadPage());
  await loadPage();

  /** @param {Event} event */
  function applyFilters(event) {
    event.preventDefault();
    const data = new FormData(/** @type {HTMLFormElement} */ (event.target));
    const next = new URLSearchParams();
    for (const [name, value] of data) if (value) next.append(name, String(value));
    location.hash = `#/?${next}`;
  }

  /**
   * Shows a task's row as the task is now. One refresh of a row at a time, in the order the
   * events came, so that an earlier answer never replaces a later one.
   * @param {string} taskId
   */
  async function refreshRow(taskId) {
    const task = await call(api.GET("/api/task/{task_id}", { params: { path: { task_id: taskId } } })).catch(() => undefined);
    const shown = rows.get(taskId);
    if (!shown) return;
    if (!task) {
      rows.delete(taskId);
      return shown.remove();
    }
    const fresh = row(task);
    rows.set(taskId, fresh);
    shown.replaceWith(fresh);
  }
  /** @type {Map<string, Promise<void>>} */
  const refreshing = new Map();

  let reloading = false;
  return {
    /** @param {TaskEvent} event */
    async onEvent(event) {
      if (event.type !== "progress") showCountsSoon();
      if (rows.has(event.task_id)) {
        const next = (refreshing.get(event.task_id) ?? Promise.resolve()).then(() => refreshRow(event.task_id));
        refreshing.set(event.task_id, next);
        await next;
        if (refreshing.get(event.task_id) === next) refreshing.delete(event.task_id);
      } else if (event.type === "submitted" && !reloading) {
        // A new task: the first page again (after the burst of a large array, once).
        reloading = true;
        setTimeout(() => void reload().finally(() => (reloading = false)), 300);
      }
    },
    onGap() {
      showCountsSoon();
      void reload();
    },
  };
}

/**
 * @param {string} name
 * @param {string[]} values
 * @param {string | undefined} chosen
 */
function select(name, values, chosen) {
  return h("select", { name }, ...values.map((value) => h("option", { value, selected: value === (chosen ?? "") }, value || "any")));
}
