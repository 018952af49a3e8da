import { randomUUID } from "node:crypto";
import { rm } from "node:fs/promises";
import { shortIds } from "../db/queries/short-ids.ts";
import { findTask, findTaskRow, listTasks } from "../db/queries/tasks.ts";
import type { Database } from "../db/open.ts";
import { FINISHED_STATUSES, WAITING_STATUSES, type TaskRow, type TaskStatus } from "../db/schema.ts";
import { AppError, attemptNotFound, badRequest, logUnreadable, taskFinished, taskFinishing, taskNotFound, taskOnOtherServer } from "../errors.ts";
import type { Transitions } from "../lifecycle/transitions.ts";
import type { Runner } from "../runner/runner.ts";
import type { ScriptService } from "../scripts/script-service.ts";
import { archiveContentType, archiveExtension, planArchive, streamArchive, type ArchiveFormat } from "../store/archive.ts";
import { safeExtension } from "../store/file-names.ts";
import { isTaskId, type Layout } from "../store/layout.ts";
import type { BlobStore } from "../store/blob-store.ts";
import { isUploaded } from "../store/uploaded-file.ts";
import { attemptLogFile } from "../store/attempt-logs.ts";
import { tailLines, type LogTail } from "../store/log-tail.ts";
import { NotRegularFileError, openTaskFile } from "../store/open-task-file.ts";
import { readFrom } from "../store/read-from.ts";
import { toWebStream } from "../store/web-stream.ts";
import type { FileHashes } from "../store/file-hashes.ts";
import { stepsHere, type FsSteps } from "../store/fs-steps.ts";
import { followLog } from "./follow-log.ts";
import { createKeyedLock } from "../util/keyed-lock.ts";
import { createDeleter, type FlushFilter } from "./delete-task.ts";
import { createRestarter, type RestartRequest } from "./restart-task.ts";
import { createSteering, type TaskEdit } from "./steer-task.ts";
import { submitTasks, type Submission } from "./submit-task.ts";
import { MIN_SHORT_ID, toTaskView, type TaskView } from "./task-view.ts";

export interface TaskServiceDeps {
  db: Database;
  /** Every write of a task's state goes through these. */
  transitions: Transitions;
  layout: Layout;
  /** The store of large files by content (see store/blob-store.ts). */
  blobs: BlobStore;
  runner: Runner;
  /** Gives each submission its copy of the script (see ScriptService.copyForTask). */
  scripts: Pick<ScriptService, "copyForTask" | "isRegistered">;
  /** This server's instance (see server/instance.ts): the tasks whose folders its base dir holds. */
  instanceId: string;
  /** Told of each task made (a notifier tracks those with a notify_url of their own). */
  onSubmitted?: (task: TaskRow) => void;
  /** Told of the bytes each submission uploaded (for /metrics). */
  onUploaded?: (bytes: number) => void;
  /** Calls back on each event of a task (a change of its state); returns how to stop. For log followers. */
  onTaskEvent?: (taskId: string, callback: () => void) => () => void;
  maxUploadSize?: number;
  /** Hashes the large files of submissions as they are written, off the event loop. */
  hashes?: FileHashes;
  /** Builds task folders off the event loop (by default, on it). */
  fsSteps?: Pick<FsSteps, "run">;
  /** Where this server runs new attempts ("local" by default, or "slurm"): only "slurm" takes a task's sbatch options. */
  executor?: string;
  now?: () => Date;
}

export interface TaskListOptions {
  limit: number;
  cursor?: string;
  status?: TaskStatus;
  script?: string;
  /** Only tasks whose name holds this (any case). */
  name?: string;
  /** Only tasks with every one of these tags. */
  tags?: Record<string, string>;
  createdAfter?: Date;
  createdBefore?: Date;
  /** Only tasks whose id starts so: how a short id is looked up. */
  idPrefix?: string;
}

export type TaskFolder = "metadata" | "output";

export type TaskService = ReturnType<typeof createTaskService>;

/** How many state changes a cancel follows before it gives up (each takes a task's own move). */
const CANCEL_ROUNDS = 5;

export function createTaskService({
  db,
  transitions,
  layout,
  blobs,
  runner,
  scripts,
  instanceId,
  onTaskEvent = () => () => {},
  onUploaded = () => {},
  onSubmitted = () => {},
  maxUploadSize,
  hashes,
  fsSteps = stepsHere,
  executor = "local",
  now = () => new Date(),
}: TaskServiceDeps) {
  // What this server can give a task now: asking for more is refused.
  const slots = () => runner.slotTotals();
  const submitDeps = { db, layout, blobs, home: instanceId, slots, now, fsSteps, copyScript: scripts.copyForTask, isRegistered: scripts.isRegistered, onStored: (tasks: TaskRow[]) => tasks.forEach(onSubmitted) };
  // Restarts, deletes and edits of one task take turns.
  const withTaskLock = createKeyedLock();
  const steering = createSteering({ db, transitions, runner, layout, home: instanceId, slots, withTaskLock });
  const restartTask = createRestarter({ db, transitions, layout, withTaskLock });
  const deleter = createDeleter({ db, home: instanceId, transitions, layout, blobs, withTaskLock, now });
  async function requireTaskRow(id: string): Promise<TaskRow> {
    const row = isTaskId(id) ? await findTaskRow(db, id) : undefined;
    if (!row) throw taskNotFound(id);
    return row;
  }

  /** A task whose folder and process are this server's: another server sharing the database holds the rest. */
  async function requireTaskHere(id: string): Promise<TaskRow> {
    const row = await requireTaskRow(id);
    if (row.home !== null && row.home !== instanceId) throw taskOnOtherServer(id);
    return row;
  }

  async function submitted(submission: Submission) {
    // Options nothing would read: the submitter meant the task for a cluster this server does not use.
    const received = [...submission.largeFiles.values()].filter(isUploaded);
    if (submission.slurmOptions?.length && executor !== "slurm") {
      await Promise.all(received.map((file) => rm(file.path, { force: true })));
      throw badRequest(
        "slurm_options_unused",
        `This server runs tasks with the ${executor} executor, which has no use for slurm_options; submit to a server started with --executor slurm, or leave them out.`,
      );
    }
    // What crossed the network: a file named by hash cost nothing.
    const uploaded = received.reduce((sum, file) => sum + file.size, 0);
    onUploaded(uploaded + submission.argFiles.reduce((sum, file) => sum + file.bytes.length, 0));
    const made = await submitTasks(submitDeps, submission);
    runner.wake();
    // A dependency that failed since it was checked has not cancelled these: do it now.
    if (submission.settings.dependencies.length > 0) await transitions.cancelStrandedDependents();
    return made;
  }

  /** Does something to one of this server's tasks, and answers with the task's record after it. */
  async function steer(id: string, action: (id: string) => Promise<void>): Promise<TaskView> {
    await requireTaskHere(id);
    await action(id);
    return get(id);
  }

  async function get(id: string): Promise<TaskView> {
    const record = isTaskId(id) ? await findTask(db, id) : undefined;
    if (!record) throw taskNotFound(id);
    return toTaskView(record, (await shortIds(db, [id], MIN_SHORT_ID)).get(id));
  }

  return {
    get,

    /** Where a submission's large files are received before it is made a task (see receive-submission.ts). */
    uploadPlace: {
      pathFor: (originalName: string) => layout.incomingUpload(`${randomUUID()}${safeExtension(originalName)}`),
      maxTotalSize: maxUploadSize,
      hashes,
    },

    /** Makes a task of a submission of one argument file (see submit-task.ts); answers with its record, queued. */
    async submit(submission: Submission): Promise<TaskView> {
      const { records } = await submitted(submission);
      const record = records[0]!;
      const queued = toTaskView(record, (await shortIds(db, [record.task.id], MIN_SHORT_ID)).get(record.task.id));
      return submission.settings.dependencies.length === 0 ? queued : get(queued.task_id);
    },

    /** Makes an array of tasks, one per argument file, sharing the large files; answers with their ids. */
    async submitArray(submission: Submission): Promise<{ array_id: string; task_ids: string[]; max_running: number | null }> {
      const { records, arrayId } = await submitted(submission);
      return { array_id: arrayId!, task_ids: records.map((record) => record.task.id), max_running: submission.array?.maxRunning ?? null };
    },

    /** Queues a finished task again as its next attempt (see restart-task.ts); answers with its record. */
    async restart(id: string, request: RestartRequest): Promise<TaskView> {
      await requireTaskHere(id);
      await restartTask(id, request);
      // The record as queued, read before the runner may claim it (as a submit answers).
      const queued = await get(id);
      runner.wake();
      return queued;
    },

    /** Keeps a queued task from starting until it is released; answers with its record. */
    hold: (id: string) => steer(id, steering.hold),
    /** Lets a held task start again. */
    release: (id: string) => steer(id, steering.release),
    /** Stops a running task's processes until resumed (SIGSTOP to its group). */
    suspend: (id: string) => steer(id, steering.suspend),
    /** Lets a suspended task's processes go on. */
    resume: (id: string) => steer(id, steering.resume),
    /** Changes a task that has not started (see steer-task.ts); answers with its record. */
    edit: (id: string, edit: TaskEdit) => steer(id, (task) => steering.edit(task, edit)),

    /** Deletes a finished task, its rows and its folder; answers with its last record. */
    async delete(id: string): Promise<TaskView> {
      await requireTaskHere(id);
      return deleter.deleteTask(id);
    },

    /** Deletes the finished tasks a filter matches (status, finished longer ago than). */
    flush: (filter: FlushFilter): Promise<string[]> => deleter.flush(filter),

    /** One page of tasks, newest first; `next_cursor` fetches the page after it. */
    async list(options: TaskListOptions): Promise<{ tasks: TaskView[]; next_cursor: string | null }> {
      const beforeSeq = options.cursor === undefined ? undefined : Number(options.cursor);
      if (beforeSeq !== undefined && !Number.isSafeInteger(beforeSeq)) {
        throw new AppError(400, "invalid_cursor", `Invalid cursor "${options.cursor}": pass the next_cursor of a previous page.`);
      }
      const records = await listTasks(db, {
        limit: options.limit,
        beforeSeq,
        status: options.status,
        scriptName: options.script,
        nameContains: options.name,
        tags: options.tags,
        createdAfter: options.createdAfter,
        createdBefore: options.createdBefore,
        idPrefix: options.idPrefix,
      });
      const last = records.at(-1);
      const short = await shortIds(db, records.map((record) => record.task.id), MIN_SHORT_ID);
      return {
        tasks: records.map((record) => toTaskView(record, short.get(record.task.id))),
        next_cursor: records.length === options.limit && last ? String(last.task.seq) : null,
      };
    },

    /**
     * The last `lines` lines of the task's log, at most the tail cap's bytes of them; cheap
     * however large the log is. Refused when the script replaced log.txt by anything but a
     * regular file of its own.
     */
    async log(id: string, lines: number, attempt?: number): Promise<{ task_id: string; status: TaskStatus; attempt: number; lines: number } & LogTail> {
      const row = await requireTaskHere(id);
      if (attempt !== undefined && (attempt < 1 || attempt > row.attemptCount)) throw attemptNotFound(id, attempt, row.attemptCount);
      const which = attempt ?? row.attemptCount;
      try {
        const tail = await tailLines(attemptLogFile(layout.taskPaths(id), which, row.attemptCount), lines);
        return { task_id: id, status: row.status, attempt: which, lines, ...tail };
      } catch (error) {
        if (error instanceof NotRegularFileError) throw logUnreadable(id, error.found);
        throw error;
      }
    },

    /**
     * A whole log, as it is on disk (the latest attempt's, or `attempt`'s), streamed: no line
     * or size cap. Refused like a tail when log.txt is not a regular file of the task's own.
     */
    async rawLog(id: string, attempt?: number): Promise<ReadableStream<Uint8Array>> {
      const row = await requireTaskHere(id);
      if (attempt !== undefined && (attempt < 1 || attempt > row.attemptCount)) throw attemptNotFound(id, attempt, row.attemptCount);
      const path = attemptLogFile(layout.taskPaths(id), attempt ?? row.attemptCount, row.attemptCount);
      const opened = await openTaskFile(path, { refuseHardLinks: true }).catch((error: unknown) => {
        throw error instanceof NotRegularFileError ? logUnreadable(id, error.found) : error;
      });
      if (!opened) return toWebStream(async function* () {});
      const position = { position: 0 };
      return toWebStream(async function* () {
        try {
          yield* readFrom(opened.handle, position);
        } finally {
          await opened.handle.close();
        }
      });
    },

    /**
     * The log as it is written (see follow-log.ts): the last `lines` lines, then every byte
     * appended, across retries, until the task has finished.
     */
    async followLog(id: string, lines: number): Promise<ReadableStream<Uint8Array>> {
      await requireTaskHere(id);
      const paths = layout.taskPaths(id);
      // A log.txt that is not the task's own regular file is refused before anything is sent.
      const check = await openTaskFile(paths.logFile, { refuseHardLinks: true }).catch((error: unknown) => {
        throw error instanceof NotRegularFileError ? logUnreadable(id, error.found) : error;
      });
      await check?.handle.close();
      const readState = async () => {
        const row = await findTaskRow(db, id);
        // Deleted while followed: nothing more will come.
        return row ? { status: row.status, attempt: row.attemptCount } : { status: "cancelled" as const, attempt: 0 };
      };
      const follow = (signal: AbortSignal) =>
        followLog({ taskId: id, dir: paths.dir, logFile: paths.logFile, lines, readState, onTaskEvent: (callback) => onTaskEvent(id, callback), signal });
      return toWebStream(follow, (error) =>
        error instanceof NotRegularFileError ? Buffer.from(`[cubqueue] log.txt of task ${id} was replaced by a ${error.found}; following stopped\n`) : undefined,
      );
    },

    /** The task's metadata or output folder as a streamed archive. */
    async archive(id: string, folder: TaskFolder, format: ArchiveFormat) {
      await requireTaskHere(id);
      const paths = layout.taskPaths(id);
      const plan = await planArchive(folder === "metadata" ? paths.metadataDir : paths.outputDir);
      return {
        stream: streamArchive(plan.entries, format),
        /** What the folder holds that the archive leaves out, by reason (see planArchive). */
        omitted: plan.omitted,
        omittedCount: plan.omittedCount,
        /** The bytes of file content the archive holds (the files as planned). */
        unpackedSize: plan.entries.reduce((sum, entry) => sum + entry.size, 0),
        contentType: archiveContentType(format),
        filename: `${id}-${folder === "metadata" ? "metadata" : "result"}${archiveExtension(format)}`,
      };
    },

    /**
     * Cancels a queued or running task and answers with its final record.
     * A task that already finished is a conflict, not a success.
     */
    async cancel(id: string): Promise<TaskView> {
      // A task moves on while it is cancelled: a queued one starts, a running one fails and
      // goes back to the queue for a retry. Each move is one more round, and there are few.
      for (let round = 0; round < CANCEL_ROUNDS; round++) {
        const row = await requireTaskRow(id);
        if (FINISHED_STATUSES.includes(row.status)) throw taskFinished(id, row.status);
        if (WAITING_STATUSES.includes(row.status)) {
          // Those that waited for it to end (after_any) may start now.
          if (await transitions.cancelWaiting(id)) return (runner.wake(), get(id));
          continue; // It started between the read and the update.
        }
        // Only the server that runs it can signal it.
        if (row.home !== null && row.home !== instanceId) throw taskOnOtherServer(id);
        const result = await runner.cancelRunning(id);
        if (result === "finishing") throw taskFinishing(id);
        if (result === "cancelled") return get(id);
        // Not running any more: it finished (answered next round) or is queued for a retry (cancelled next round).
      }
      throw taskFinishing(id);
    },
  };
}
