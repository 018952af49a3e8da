import type { CubQueueClient } from "../src/client/index.ts";
import type { CommandContext } from "./context.ts";
import { givenTask, resolveTaskId } from "./task-ref.ts";

/** The options of a command about one task: the task as a positional argument or --task-id. */
export interface TaskCommandOptions {
  taskId?: unknown;
  positional: unknown[];
}

/** Connects, and finds the task the command is about (see task-ref.ts). */
export async function connectToTask(context: CommandContext, options: TaskCommandOptions): Promise<{ client: CubQueueClient; taskId: string }> {
  const given = givenTask(options);
  const { client } = await context.connect();
  return { client, taskId: await resolveTaskId(client, given, context.command) };
}
