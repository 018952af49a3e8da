import { randomUUID } from "node:crypto";
import { findTask, findTaskRow, listTasks } from "../db/queries/tasks.ts";
import type { Database } from "../db/open.ts";
import { FINISHED_STATUSES, TaskStatus, type TaskRow } from "../db/schema.ts";
import { AppError, attemptNotFound, logUnreadable, taskFinished, taskFinishing, taskNotFound } from "../errors.ts";
import type { Transitions } from "../lifecycle/transitions.ts";
import type { Runner } from "../runner/runner.ts";
import type { ScriptService } from "../scripts/script-service.ts";
import { archiveContentType, archiveExtension, planArchive, streamArchive, type ArchiveFormat } from "../store/archive.ts";
import { safeExtension } from "../store/file-names.ts";
import { isTaskId, type Layout } from "../store/layout.ts";
import { attemptLogFile } from "../store/attempt-logs.ts";
import { tailLines, type LogTail } from "../store/log-tail.ts";
import { NotRegularFileError } from "../store/open-task-file.ts";
import { createKeyedLock } from "../util/keyed-lock.ts";
import { createDeleter, type FlushFilter } from "./delete-task.ts";
import { createRestarter, type RestartRequest } from "./restart-task.ts";
import { submitTask, type Submission } from "./submit-task.ts";
import { toTaskView, type TaskView } from "./task-view.ts";

export interface TaskServiceDeps {
  db: Database;
  /** Every write of a task's state goes through these. */
  transitions: Transitions;
  layout: Layout;
  runner: Runner;
  /** Gives each submission its copy of the script (see ScriptService.copyForTask). */
  scripts: Pick<ScriptService, "copyForTask" | "isRegistered">;
  maxUploadSize?: number;
  now?: () => Date;
}

export interface TaskListOptions {
  limit: number;
  cursor?: string;
  status?: TaskStatus;
  script?: string;
}

export type TaskFolder = "metadata" | "output";

export type TaskService = ReturnType<typeof createTaskService>;

/** How many state changes a cancel follows before it gives up (each takes a task's own move). */
const CANCEL_ROUNDS = 5;

export function createTaskService({ db, transitions, layout, runner, scripts, maxUploadSize, now = () => new Date() }: TaskServiceDeps) {
  const submitDeps = { db, layout, now, copyScript: scripts.copyForTask, isRegistered: scripts.isRegistered };
  // Restarts and deletes of one task take turns.
  const withTaskLock = createKeyedLock();
  const restartTask = createRestarter({ db, transitions, layout, withTaskLock });
  const deleter = createDeleter({ db, transitions, layout, withTaskLock, now });
  async function requireTaskRow(id: string): Promise<TaskRow> {
    const row = isTaskId(id) ? await findTaskRow(db, id) : undefined;
    if (!row) throw taskNotFound(id);
    return row;
  }

  async function get(id: string): Promise<TaskView> {
    const record = isTaskId(id) ? await findTask(db, id) : undefined;
    if (!record) throw taskNotFound(id);
    return toTaskView(record);
  }

  return {
    get,

    /** Where a submission's large files are received before it is made a task (see receive-submission.ts). */
    uploadPlace: {
      pathFor: (originalName: string) => layout.incomingUpload(`${randomUUID()}${safeExtension(originalName)}`),
      maxTotalSize: maxUploadSize,
    },

    /** Makes a task of a submission (see submit-task.ts); answers with its record, queued. */
    async submit(submission: Submission): Promise<TaskView> {
      const queued = toTaskView(await submitTask(submitDeps, submission));
      runner.wake();
      return queued;
    },

    /** Queues a finished task again as its next attempt (see restart-task.ts); answers with its record. */
    async restart(id: string, request: RestartRequest): Promise<TaskView> {
      await restartTask(id, request);
      // The record as queued, read before the runner may claim it (as a submit answers).
      const queued = await get(id);
      runner.wake();
      return queued;
    },

    /** Deletes a finished task, its rows and its folder; answers with its last record. */
    delete: (id: string): Promise<TaskView> => deleter.deleteTask(id),

    /** Deletes the finished tasks a filter matches (status, finished longer ago than). */
    flush: (filter: FlushFilter): Promise<string[]> => deleter.flush(filter),

    /** One page of tasks, newest first; `next_cursor` fetches the page after it. */
    async list(options: TaskListOptions): Promise<{ tasks: TaskView[]; next_cursor: string | null }> {
      const beforeSeq = options.cursor === undefined ? undefined : Number(options.cursor);
      if (beforeSeq !== undefined && !Number.isSafeInteger(beforeSeq)) {
        throw new AppError(400, "invalid_cursor", `Invalid cursor "${options.cursor}": pass the next_cursor of a previous page.`);
      }
      const records = await listTasks(db, { limit: options.limit, beforeSeq, status: options.status, scriptName: options.script });
      const last = records.at(-1);
      return {
        tasks: records.map(toTaskView),
        next_cursor: records.length === options.limit && last ? String(last.task.seq) : null,
      };
    },

    /**
     * The last `lines` lines of the task's log, at most the tail cap's bytes of them; cheap
     * however large the log is. Refused when the script replaced log.txt by anything but a
     * regular file of its own.
     */
    async log(id: string, lines: number, attempt?: number): Promise<{ task_id: string; status: TaskStatus; attempt: number; lines: number } & LogTail> {
      const row = await requireTaskRow(id);
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

    /** The task's metadata or output folder as a streamed archive. */
    async archive(id: string, folder: TaskFolder, format: ArchiveFormat) {
      await requireTaskRow(id);
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
        if (row.status === TaskStatus.queued) {
          if (await transitions.cancelQueued(id)) return get(id);
          continue; // It started between the read and the update.
        }
        const result = await runner.cancelRunning(id);
        if (result === "finishing") throw taskFinishing(id);
        if (result === "cancelled") return get(id);
        // Not running any more: it finished (answered next round) or is queued for a retry (cancelled next round).
      }
      throw taskFinishing(id);
    },
  };
}
