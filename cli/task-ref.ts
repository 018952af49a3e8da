import type { CubQueueClient } from "../src/client/index.ts";
import { CliError, text } from "./cli-error.ts";

const FULL_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ID_START = /^[0-9a-f-]{1,36}$/;
/** How many of the tasks an ambiguous prefix matches are named in the error. */
const NAMED_MATCHES = 5;

/**
 * The task a command is about, as given: the first positional argument (`cubqueue status 3f2a`)
 * or --task-id, the whole id or its start. Both, and different, is a mistake worth saying.
 */
export function givenTask(options: { taskId?: unknown; positional: unknown[] }): string {
  const flag = text(options.taskId);
  const argument = text(options.positional[0]);
  if (flag !== undefined && argument !== undefined && flag !== argument) {
    throw new CliError(`Two tasks given: "${argument}" and --task-id ${flag}; give one.`, 2);
  }
  const given = (argument ?? flag)?.trim();
  if (!given) throw new CliError("Missing the task: give its id (or the start of it, as `list` shows it), e.g. `status 3f2a9c1d`; see --help.", 2, "missing_option");
  return given;
}

/**
 * The whole id of the task the user named: an id as it is, or the one task whose id starts
 * with what was given. None, or several (named, so the user can pick), is an error.
 */
export async function resolveTaskId(client: CubQueueClient, given: string, command: string): Promise<string> {
  const id = given.toLowerCase();
  if (FULL_ID.test(id)) return id;
  if (!ID_START.test(id)) {
    throw new CliError(`"${given}" is not a task id: give the id, or its first characters as \`${command} list\` shows them.`, 2, "invalid_task_id");
  }
  const { tasks, next_cursor } = await client.listTasksPage({ idPrefix: id, limit: NAMED_MATCHES + 1 });
  if (tasks.length === 1) return tasks[0]!.task_id;
  if (tasks.length === 0) throw new CliError(`No task's id starts with "${given}"; see \`${command} list\`.`, 1, "task_not_found");
  const named = tasks.slice(0, NAMED_MATCHES).map((task) => `${task.short_id} (${[task.name ?? task.script_name, task.status].join(", ")})`);
  const more = tasks.length > NAMED_MATCHES || next_cursor ? " and more" : "";
  throw new CliError(`"${given}" starts the ids of several tasks: ${named.join(", ")}${more}; give more of the id.`, 2, "ambiguous_task_id");
}
