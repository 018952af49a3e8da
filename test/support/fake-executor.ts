import type { AttemptSpec, Executor, LaunchedAttempt, ProcessExit, RecordedAttempt, RunningAttempt } from "../../src/runner/executor.ts";

/** One process the fake executor "started": the test decides what it does and when it ends. */
export interface FakeProcess {
  taskId: string;
  pid: number;
  /** What the runner asked of it: the spec it was launched with (undefined when adopted). */
  spec: AttemptSpec | undefined;
  /** What happened to its gate: still closed, opened (the script "runs"), or closed for good. */
  gate: "waiting" | "released" | "abandoned";
  /** Each terminate() the runner asked for, with its grace. */
  terminations: number[];
  /** Whether the runner has it suspended now. */
  suspended: boolean;
  detached: boolean;
  adopted: boolean;
  /** Ends the process as the executor would report it. */
  end(exit: ProcessExit): void;
  /** With `queued`: its script begins to run, as of `at` (a scheduler let it run). */
  beginRunning(at: Date): void;
}

export interface FakeExecutorOptions {
  /** Its name, as attempts record it ("fake" by default). */
  name?: string;
  /** Makes `launch` fail for a task (e.g. a spawn that cannot find the program). */
  launchFails?: (launch: AttemptSpec) => Error | undefined;
  /** A terminate() ends the process with this exit at once (a script that lets itself be stopped); default: it does not end. */
  onTerm?: ProcessExit;
  /** Attempts wait in a scheduler's queue after their gate opens, until beginRunning() (as on a cluster). */
  queued?: boolean;
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

  function makeProcess(taskId: string, spec: AttemptSpec | undefined, pid = nextPid++): FakeProcess & LaunchedAttempt {
    let resolveExit!: (exit: ProcessExit) => void;
    const exited = new Promise<ProcessExit>((resolve) => (resolveExit = resolve));
    let ended = false;
    let beganRunning!: (at: Date) => void;
    const runningSince = options.queued ? new Promise<Date>((resolve) => (beganRunning = resolve)) : undefined;
    const adopted = spec === undefined;
    const fake: FakeProcess & LaunchedAttempt = {
      taskId,
      pid,
      spec,
      handle: { pid, startToken: "fake" },
      description: `fake process ${pid}`,
      gate: adopted ? "released" : "waiting",
      terminations: [],
      suspended: false,
      detached: false,
      adopted,
      exited,
      ...(runningSince ? { runningSince } : {}),
      beginRunning: (at) => beganRunning(at),
      end(exit) {
        if (ended || fake.detached) return;
        ended = true;
        resolveExit(exit);
      },
      terminate({ graceMs }) {
        fake.terminations.push(graceMs);
        if (options.onTerm) fake.end(options.onTerm);
      },
      detach() {
        fake.detached = true;
      },
      suspend() {
        fake.suspended = true;
      },
      resume() {
        fake.suspended = false;
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
    name: options.name ?? "fake",
    async launch(spec: AttemptSpec): Promise<LaunchedAttempt> {
      const failure = options.launchFails?.(spec);
      if (failure) throw failure;
      return makeProcess(spec.taskId, spec);
    },
    async adopt(recorded: RecordedAttempt): Promise<RunningAttempt> {
      return makeProcess(recorded.taskId, undefined, Number(recorded.handle.pid));
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
