import type { Database } from "../db/open.ts";
import type { TaskStatus } from "../db/schema.ts";
import { createAttemptTransitions } from "./attempt-transitions.ts";
import { createWaitingTransitions } from "./waiting-transitions.ts";

/** A committed change of a task's status, as the runner and the API caused it. */
export interface TransitionEvent {
  taskId: string;
  /** The attempt it concerns (0 for a task that never ran). */
  attempt: number;
  from: TaskStatus;
  /** "deleted": the task and its folder are gone. */
  to: TaskStatus | "deleted";
  at: Date;
}

/** How an attempt ended, as it is recorded on the attempt and its task. */
export interface AttemptOutcome {
  status: typeof TaskStatus.succeeded | typeof TaskStatus.failed | typeof TaskStatus.cancelled;
  error: string | null;
  exitCode: number | null;
  signal: string | null;
}

/** A running task's new progress, once recorded. */
export interface ProgressEvent {
  taskId: string;
  attempt: number;
  progress: number;
  message: string | null;
  at: Date;
}

export interface TransitionsDeps {
  db: Database;
  now?: () => Date;
  /** Told of every transition once it is committed; it must not throw. */
  onTransition?: (event: TransitionEvent) => void;
  /** Told of every progress recorded; it must not throw. */
  onProgress?: (event: ProgressEvent) => void;
}

export type Transitions = ReturnType<typeof createTransitions>;

/** The statuses of a task whose attempt is under way. */
export type ActiveStatus = typeof TaskStatus.running | typeof TaskStatus.suspended;

/** What each group of transitions is built with (see createTransitions). */
export interface TransitionContext {
  db: Database;
  now: () => Date;
  /** Reports a transition once it is committed. */
  committed: (taskId: string, attempt: number, from: TaskStatus, to: TransitionEvent["to"], at: Date) => void;
  /** Reports a progress once it is recorded. */
  progressed: (event: ProgressEvent) => void;
}

/**
 * Every change of a task's lifecycle state, and nothing else, writes here.
 * Each UPDATE carries the state it moves from (and, for a running task, the
 * attempt it concerns) in its WHERE clause, and reports whether it applied: a
 * caller that lost a race (a cancel against a claim, an outcome against a
 * restart) learns so, and nothing is overwritten. Batches, not interactive
 * transactions: a batch runs in one go, so no other query can arrive while it
 * holds the database.
 */
export function createTransitions({ db, now = () => new Date(), onTransition = () => {}, onProgress = () => {} }: TransitionsDeps) {
  const context: TransitionContext = {
    db,
    now,
    committed: (taskId, attempt, from, to, at) => onTransition({ taskId, attempt, from, to, at }),
    progressed: onProgress,
  };
  // Of a task that has not started (or has finished): queue, hold, edit, restart, delete, cancel.
  const waiting = createWaitingTransitions(context);
  // Of an attempt under way: claim, record, suspend, finish, retry.
  return { ...waiting, ...createAttemptTransitions(context, waiting) };
}
