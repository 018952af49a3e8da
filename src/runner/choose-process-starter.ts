import type { LauncherSetting } from "../config.ts";
import { startDirectly, type ProcessStarter } from "./process-starter.ts";
import { startTaskLauncher } from "./task-launcher.ts";

export interface ChooseStarterDeps {
  /**
   * The Python that runs the launcher: the one that runs .py scripts (python3 on the server's
   * PATH, past a version manager's shim, or --python); undefined when there is none.
   */
  python: string | undefined;
  /** Why the launcher is not used, when it was wanted and could not run. */
  warn: (message: string) => void;
  /** What starts tasks, said once it is known. */
  info: (message: string) => void;
}

/**
 * What starts this server's tasks: with "auto", the task launcher, run by the server's python3;
 * the server itself when the setting is "off", when there is no python3, or when the launcher
 * cannot start (said as a warning: tasks then start more slowly, nothing else changes).
 * Never rejects.
 */
export async function chooseProcessStarter(setting: LauncherSetting, { python, warn, info }: ChooseStarterDeps): Promise<ProcessStarter> {
  if (setting === "off") {
    info("tasks are started by the server itself (--launcher off)");
    return startDirectly;
  }
  if (python === undefined) {
    info("tasks are started by the server itself: no python3 on PATH for the task launcher");
    return startDirectly;
  }
  try {
    const launcher = await startTaskLauncher(python);
    info(`tasks are started by the task launcher (${python})`);
    return launcher;
  } catch (error) {
    warn(`The task launcher could not start (${(error as Error).message}); tasks are started by the server itself, which is slower. Use --launcher off to say so and silence this.`);
    return startDirectly;
  }
}
