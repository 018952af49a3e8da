import { join } from "node:path";
import { pollUntilRunning, registerScript } from "./api.ts";
import { writeScript } from "./files.ts";
import { prepareSubmitForm, type SubmitClient } from "./submit-client.ts";

/** A job that holds a slot for as long as a row can take (it is stopped with its server). */
export const BLOCKER_SCRIPT = "#!/bin/sh\nexec sleep 120\n";

/**
 * Writes block.sh into dir, registers it as "block" and runs it in both slots of the
 * server, so that what is submitted next only queues up and nothing runs meanwhile:
 * the rows then time enqueueing alone. Returns the script's path (for the peer).
 */
export async function occupySlots(url: string, dir: string, client: SubmitClient): Promise<string> {
  const path = join(dir, "block.sh");
  await writeScript(path, BLOCKER_SCRIPT);
  await registerScript(url, "block", path);
  const form = prepareSubmitForm("block");
  for (let i = 0; i < 2; i++) await pollUntilRunning(url, await client.submit(form));
  return path;
}
