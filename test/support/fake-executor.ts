import type { AdoptedTask, Executor, LaunchedProcess, ProcessExit, RunningProcess, TaskLaunch } from "../../src/runner/executor.ts";

/** One process the fake executor "started": the test decides what it does and when it ends. */
export interface FakeProcess {
  taskId: string;
  pid: number;
  /** What happened to its gate: still closed, opened (the script "runs"), or closed for good. */
  gate: "waiting" | "released" | "abandoned";
  signals: NodeJS.Signals[];
  detached: boolean;
  adopted: boolean;
  /** Ends the process as the executor would report it. */
  end(exit: ProcessExit): void;
}

export interface FakeExecutorOptions {
  /** Makes `launch` fail for a task (e.g. a spawn that cannot find the program). */
  launchFails?: (launch: TaskLaunch) => Error | undefined;
  /** A TERM ends the process with this exit at once (a script that lets itself be stopped); default: it does not end. */
  onTerm?: ProcessExit;
}

/**
 * An executor that runs nothing: it hands the runner processes the test ends
 * at will, so that the runner's branches (launch failure, a cancel while
 * starting, a stop while an outcome is being written, …) are tested in
 * milliseconds. The end-to-end suites run the same runner with the local
 * executor and real scripts.
 */
export function createFakeExecutor(options: FakeExecutorOptions = {}) {
  const processes: FakeProcess[] = [];
  let nextPid = 10_000;
  const waiters: Array<() => void> = [];

  function makeProcess(taskId: string, adopted: boolean, pid = nextPid++): FakeProcess & LaunchedProcess {
    let resolveExit!: (exit: ProcessExit) => void;
    const exited = new Promise<ProcessExit>((resolve) => (resolveExit = resolve));
    let ended = false;
    const fake: FakeProcess & LaunchedProcess = {
      taskId,
      pid,
      startToken: "fake",
      exitFile: "",
      gate: adopted ? "released" : "waiting",
      signals: [],
      detached: false,
      adopted,
      exited,
      end(exit) {
        if (ended || fake.detached) return;
        ended = true;
        resolveExit(exit);
      },
      signal(signal) {
        fake.signals.push(signal);
        if (signal === "SIGTERM" && options.onTerm) fake.end(options.onTerm);
      },
      detach() {
        fake.detached = true;
      },
      release() {
        fake.gate = "released";
      },
      abandon() {
        if (fake.gate !== "waiting") return;
        fake.gate = "abandoned";
        fake.end({ kind: "not_started" });
      },
    };
    processes.push(fake);
    for (const wake of waiters.splice(0)) wake();
    return fake;
  }

  const executor: Executor = {
    name: "fake",
    async launch(launch: TaskLaunch): Promise<LaunchedProcess> {
      const failure = options.launchFails?.(launch);
      if (failure) throw failure;
      return makeProcess(launch.taskId, false);
    },
    async adopt(task: AdoptedTask): Promise<RunningProcess> {
      return makeProcess(task.taskId, true, task.pid);
    },
  };

  return {
    executor,
    processes,
    /** The process of a task, once the runner has started it. */
    async processOf(taskId: string): Promise<FakeProcess> {
      for (;;) {
        const found = processes.find((process) => process.taskId === taskId);
        if (found) return found;
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
    },
  };
}
