import type { CAC } from "cac";
import { TASK_STATUSES, type ListTasksOptions, type Task, type TaskList } from "../../src/client/index.ts";
import { CliError, text } from "../cli-error.ts";
import type { CommandContext } from "../context.ts";
import { duration, exit, progressText } from "../describe-task.ts";
import { choice, keyValues, pointInTime, wholeNumber } from "../option-values.ts";
import { columns, formatTime, json } from "../output.ts";
import type { CommandRunner } from "../program.ts";

interface ListFlags {
  status?: unknown;
  script?: unknown;
  name?: unknown;
  tag?: unknown;
  createdAfter?: unknown;
  createdBefore?: unknown;
  limit?: unknown;
  cursor?: unknown;
  all?: boolean;
}

/** With --all, pages of this many are fetched until the last. */
const PAGE_FOR_ALL = 1000;
/** Names longer than this are cut in the table (status shows them whole). */
const NAME_WIDTH = 24;

export function registerListCommand(cli: CAC, run: CommandRunner) {
  cli
    .command("list", "List tasks, newest first")
    .option("--status <status>", `Only tasks in this state (${TASK_STATUSES.join(", ")})`)
    .option("--script <name>", "Only tasks of this script")
    .option("--name <text>", "Only tasks whose name contains this")
    .option("--tag <KEY=VALUE>", "Only tasks with this tag (repeatable: all must match)")
    .option("--created-after <time>", "Only tasks created after this: 2026-12-01, 2026-12-01T14:00, or how long ago (2h, 7d)")
    .option("--created-before <time>", "Only tasks created before this (same forms)")
    .option("--limit <n>", "How many (1-1000)", { default: 50 })
    .option("--cursor <cursor>", "The next page, from where the previous one ended (list says which)")
    .option("--all", "Every task that matches, however many")
    .example("cubqueue list --status running --tag project=beta")
    .example("cubqueue list --created-after 1d --all --json")
    .action(run(listTasks));
}

async function listTasks(context: CommandContext, flags: ListFlags) {
  const filter: ListTasksOptions = {
    status: flags.status === undefined ? undefined : choice("--status", flags.status, TASK_STATUSES),
    script: text(flags.script),
    name: text(flags.name),
    tags: flags.tag === undefined ? undefined : keyValues("--tag", flags.tag, "project=beta"),
    createdAfter: flags.createdAfter === undefined ? undefined : pointInTime("--created-after", flags.createdAfter),
    createdBefore: flags.createdBefore === undefined ? undefined : pointInTime("--created-before", flags.createdBefore),
  };
  if (flags.all && flags.cursor !== undefined) throw new CliError("Give --all or --cursor, not both: --all lists every page.", 2);
  const limit = wholeNumber("--limit", flags.limit, 1, 1000);
  const { client } = await context.connect();
  if (flags.all) return listEveryPage(context, (cursor) => client.listTasksPage({ ...filter, limit: PAGE_FOR_ALL, cursor }));
  const page = await client.listTasksPage({ ...filter, limit, cursor: text(flags.cursor) });
  if (context.json) return context.io.stdout(json(page));
  if (page.tasks.length === 0) {
    const filtered = Object.values(filter).some((value) => value !== undefined) || flags.cursor !== undefined;
    return context.io.stdout(filtered ? "No tasks match.\n" : `No tasks yet; submit one with \`${context.command} submit\`.\n`);
  }
  context.io.stdout(columns(HEADER, page.tasks.map(row)).text);
  if (page.next_cursor) context.io.stdout(`(the newest ${page.tasks.length}; the next ones: --cursor ${page.next_cursor}, or every one: --all)\n`);
}

/**
 * Every task that matches, printed a page at a time as it comes (however many there are, the
 * CLI holds one page): under --json, one document as a single page would be.
 */
async function listEveryPage(context: CommandContext, listPage: (cursor: string | undefined) => Promise<TaskList>): Promise<void> {
  let cursor: string | undefined;
  let widths: number[] | undefined;
  let first = true;
  if (context.json) context.io.stdout('{\n  "tasks": [');
  do {
    const page = await listPage(cursor);
    cursor = page.next_cursor ?? undefined;
    if (context.json) {
      for (const task of page.tasks) {
        context.io.stdout(`${first ? "" : ","}\n    ${JSON.stringify(task, null, 2).replaceAll("\n", "\n    ")}`);
        first = false;
      }
    } else if (page.tasks.length > 0) {
      const printed = columns(widths ? undefined : HEADER, page.tasks.map(row), widths);
      widths = printed.widths;
      context.io.stdout(printed.text);
    }
  } while (cursor);
  if (context.json) context.io.stdout(`${first ? "" : "\n  "}],\n  "next_cursor": null\n}\n`);
  else if (!widths) context.io.stdout("No tasks match.\n");
}

const HEADER = ["ID", "NAME", "SCRIPT", "STATUS", "PROGRESS", "STARTED", "DURATION", "EXIT"];

function row(task: Task): string[] {
  return [task.short_id, shortName(task), task.script_name, task.status, progressText(task), formatTime(task.started_at), duration(task), exit(task)];
}

function shortName(task: Task): string {
  if (task.name === null) return "-";
  return task.name.length > NAME_WIDTH ? `${task.name.slice(0, NAME_WIDTH - 1)}…` : task.name;
}
