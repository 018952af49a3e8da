// Generated from openapi/openapi.json by `npm run openapi`. Do not edit.

export interface paths {
    "/api/script": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List the registered scripts */
        get: operations["listScripts"];
        put?: never;
        /**
         * Register a script, or store a new version of one
         * @description Registers a new name as version 1. With `replace=true`, stores the upload as the next version of a registered script instead: its file under scripts/ (the extension may change) and its description become the new version's; tasks already submitted keep running their own copies. Refused with 400 `script_not_runnable` when nothing could run the file: no shebang line, no extension CubQueue knows an interpreter for, and not a compiled program.
         */
        post: operations["registerScript"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/script/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A script with every version it has had
         * @description Its versions come newest first: the first is the current one.
         */
        get: operations["getScript"];
        put?: never;
        post?: never;
        /**
         * Unregister a script
         * @description Removes the script: its file and description under scripts/ and its records, every version. Tasks already submitted keep their own copies, so they keep running and can still be restarted. The name can then be registered again, from version 1.
         */
        delete: operations["unregisterScript"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/task": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List tasks, newest first */
        get: operations["listTasks"];
        put?: never;
        /**
         * Submit a task
         * @description Queues a run of a registered script. Files are streamed to disk; `<fileN>` placeholders in the argument file are replaced by the stored files' paths.
         */
        post: operations["submitTask"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/task/array": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Submit an array: one task per argument file, sharing the large files
         * @description Makes one task of each argument file (`arg_file` repeated, and/or each line of `arg_lines`), all of one script and with the same settings. The large files are uploaded once and stored once, read-only, hard-linked into each task's files/; `<fileN>` in every argument file names the shared fileN. All the tasks are made, or none. `max_running` caps how many of them run at once.
         */
        post: operations["submitTaskArray"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/task/{task_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A task's status and record */
        get: operations["getTask"];
        put?: never;
        post?: never;
        /**
         * Cancel a queued or running task
         * @description A running task's process group gets TERM, then KILL after a grace period; the answer comes once it has stopped.
         */
        delete: operations["cancelTask"];
        options?: never;
        head?: never;
        /**
         * Change a task that has not started
         * @description Changes the priority, dependencies, retries, time limit, slots, variables or argument file of a queued or held task; what is not sent stays. Refused (409) once it has started.
         */
        patch: operations["editTask"];
        trace?: never;
    };
    "/api/task/{task_id}/hold": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Keep a queued task from starting
         * @description A held task stays in the queue, with its place, until released; held tasks can be edited and cancelled.
         */
        post: operations["holdTask"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/task/{task_id}/release": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Let a held task start
         * @description The task is queued again, in its place by priority and age.
         */
        post: operations["releaseTask"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/task/{task_id}/suspend": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Suspend a running task
         * @description Stops the task's processes where they are (SIGSTOP to its process group; a process that left the group goes on). It keeps its slots; its time limit stops counting. A restart of the server keeps it suspended.
         */
        post: operations["suspendTask"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/task/{task_id}/resume": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Resume a suspended task
         * @description Lets its processes go on (SIGCONT); its time limit counts again from where it stopped.
         */
        post: operations["resumeTask"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/task/{task_id}/restart": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Run a finished task again
         * @description Queues a succeeded, failed or cancelled task again, in its own folder and under its id, as its next attempt: its files, output and metadata stay, its log becomes log.<n>.txt, its retries count afresh. Optionally with a new argument file.
         */
        post: operations["restartTask"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/task/flush": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Delete every finished task that matches
         * @description Deletes finished tasks (all of them, or those of one status, or those that finished longer ago than `older_than_s`) with their folders. Queued and running tasks are never touched.
         */
        post: operations["flushTasks"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/task/{task_id}/delete": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Delete a finished task and its folder
         * @description Removes a succeeded, failed or cancelled task: its record and its whole folder (files, output, metadata, logs). A POST, not DELETE /api/task/{task_id}, which the API keeps for cancel. Answers with the task as it was.
         */
        post: operations["deleteTask"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/task/{task_id}/log": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The last lines of a task's log
         * @description At most 1 MiB is returned (`truncated` says when the lines asked for held more). A missing log reads as empty. 409 `log_unreadable` when the script replaced log.txt by a FIFO, symlink, directory or a hard link to another file: nothing is served.
         */
        get: operations["getTaskLog"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/task/{task_id}/log/raw": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A task's whole log, streamed
         * @description The log file as it is (the latest attempt's, or `attempt`'s), with no cap on lines or size; empty while the task has not run.
         */
        get: operations["downloadTaskLog"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/task/{task_id}/log/follow": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Follow a task's log as it is written
         * @description The last `lines` lines of the log, then every byte the task appends, as it is written, until the task has finished (across retries: each new attempt's log follows, after a line `[cubqueue] attempt N of task …`). A task that has not started yet is waited for. The answer is streamed; the server holds one 64 KiB buffer per follower, however large the log.
         */
        get: operations["followTaskLog"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/task/{task_id}/metadata": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Download the task's metadata folder */
        get: operations["downloadTaskMetadata"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/task/{task_id}/result": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Download the task's output folder */
        get: operations["downloadTaskResult"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/queue": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The queue: paused or not, concurrency, tasks by state, slots in use */
        get: operations["getQueue"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /**
         * Change how many tasks run at once
         * @description Up: more start at once. Down: running tasks finish, and fewer start after them. Until the server stops; the next start uses --concurrency.
         */
        patch: operations["updateQueue"];
        trace?: never;
    };
    "/api/queue/pause": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Pause the queue
         * @description Running tasks go on; no queued task starts until resume. Kept across restarts of the server.
         */
        post: operations["pauseQueue"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/queue/resume": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Resume the queue */
        post: operations["resumeQueue"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/upload/{upload_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Where a resumable upload stands (and, as HEAD, the tus offset)
         * @description The upload's offset (also in Upload-Offset), length and, once complete, its sha256. Asked as HEAD (the tus way of finding where to resume, Tus-Resumable required), it first ends a PATCH of this upload still under way, so that the offset it answers holds.
         */
        get: operations["getUpload"];
        put?: never;
        post?: never;
        /**
         * Give up a resumable upload (tus termination)
         * @description Removes the upload and the bytes it received. A complete upload's file stays for the tasks that use it.
         */
        delete: operations["deleteUpload"];
        options?: never;
        /** Where a resumable upload stands: Upload-Offset (tus) */
        head: operations["uploadOffset"];
        /**
         * Send bytes of a resumable upload, from its offset (tus)
         * @description Appends the body's bytes at Upload-Offset, which must be the server's offset (409 `offset_mismatch` says the right one, also in Upload-Offset). Bytes that arrive are kept even if the request is cut, unless Upload-Checksum is given: then only a body whose digest matches is kept (460 otherwise). The PATCH that completes the file answers once it is hashed and stored, with X-CubQueue-Sha256; a declared sha256 it does not match is refused (400 `hash_mismatch`) and nothing is kept.
         */
        patch: operations["appendUpload"];
        trace?: never;
    };
    "/api/blob/{sha256}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Whether the server stores this content (also as HEAD)
         * @description 200 if the server has a file of this sha256 that a submission can name (fileN_sha256) instead of uploading it again; 404 `blob_not_found` if not. Files are stored once per content, and go with the last task that uses them.
         */
        get: operations["getBlob"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        /** Whether the server stores this content: 200 or 404 */
        head: operations["hasBlob"];
        patch?: never;
        trace?: never;
    };
    "/api/upload": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Start a resumable upload (tus creation)
         * @description Starts a resumable upload of one file of Upload-Length bytes, which is then sent by PATCH to the upload's URL, in as many requests as it takes. Upload-Metadata (tus: comma-separated `key base64(value)`) may give `filename` and `sha256`, the hash the whole file must have (checked at the end). Once complete, the file is in the server's store: a submission names it as fileN_sha256. A client should ask GET /api/blob/{sha256} first: content the server has needs no upload.
         */
        post: operations["createUpload"];
        delete?: never;
        /**
         * What the resumable upload endpoint supports (tus)
         * @description Answers the tus protocol's discovery: its version, extensions, checksum algorithms and the largest file it takes.
         */
        options: operations["uploadCapabilities"];
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Every task event as it happens (Server-Sent Events)
         * @description A stream of `submitted` events (a task was made), `transition` events (a task's state changed, once committed) and `progress` events (a running task reported how far it got), each with an id. A client that reconnects with the header `Last-Event-ID` (or `last_event_id`) gets what it missed from the last 10,000 events; one that missed more, or reconnects to a restarted server, first gets a `gap` event and should read the state of what it watches again. A comment line every 15 s keeps proxies from closing an idle stream.
         */
        get: operations["streamEvents"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/healthz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Whether the server is alive and reaches its database
         * @description Needs no token (for probes). 200 when the database answers, 503 when it does not.
         */
        get: operations["health"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The server's figures, in the Prometheus text format
         * @description cubqueue_tasks{status}, cubqueue_queue_depth, cubqueue_running, cubqueue_queue_paused, cubqueue_concurrency, cubqueue_cpu_slots{state}, cubqueue_gpus{state}, cubqueue_attempts_total, cubqueue_attempt_duration_seconds (a histogram of the attempts started since the server started) and cubqueue_uploaded_bytes_total. Needs the token when the server has one.
         */
        get: operations["metrics"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /** @description A registered script, as its current version is; its file under scripts/ is that version's. */
        Script: {
            /** @example align_reads */
            name: string;
            /**
             * @description 1 when registered, one more each time it is replaced.
             * @example 2
             */
            version: number;
            desc: string;
            /**
             * @description The file name under scripts/, extension kept.
             * @example align_reads.py
             */
            filename: string;
            sha256: string;
            size: number;
            /**
             * Format: date-time
             * @description When this version was registered.
             */
            created_at: string;
        };
        Error: {
            error: {
                /**
                 * @description Stable, machine-readable.
                 * @example task_not_found
                 */
                code: string;
                /**
                 * @description For people: what went wrong and what to do.
                 * @example No task with id "…".
                 */
                message: string;
            };
        };
        ScriptList: {
            scripts: components["schemas"]["Script"][];
        };
        ScriptDetail: {
            /** @example align_reads */
            name: string;
            /**
             * @description 1 when registered, one more each time it is replaced.
             * @example 2
             */
            version: number;
            desc: string;
            /**
             * @description The file name under scripts/, extension kept.
             * @example align_reads.py
             */
            filename: string;
            sha256: string;
            size: number;
            /**
             * Format: date-time
             * @description When this version was registered.
             */
            created_at: string;
            /** @description Every version it has had, the newest (the current one) first. */
            versions: components["schemas"]["ScriptVersion"][];
        };
        ScriptVersion: {
            /**
             * @description 1 when registered, one more each time it is replaced.
             * @example 2
             */
            version: number;
            desc: string;
            /**
             * @description The file name under scripts/, extension kept.
             * @example align_reads.py
             */
            filename: string;
            sha256: string;
            size: number;
            /**
             * Format: date-time
             * @description When this version was registered.
             */
            created_at: string;
        };
        Task: {
            /**
             * Format: uuid
             * @example 4f1c2d3e-5a6b-4c7d-8e9f-0a1b2c3d4e5f
             */
            task_id: string;
            /**
             * @description The shortest start of task_id (8 characters or more) that no other task's id starts with: the CLI takes it for the id.
             * @example 3f2a9c1d
             */
            short_id: string;
            /**
             * @description A name for people, given at submission.
             * @example sample 42
             */
            name: string | null;
            /**
             * @description Labels to find it by.
             * @example {
             *       "project": "beta",
             *       "run": "7"
             *     }
             */
            tags: {
                [key: string]: string;
            };
            script_name: string;
            /** @description The version of the script the task was given (its copy in the task folder); null for tasks submitted before scripts had versions. */
            script_version: number | null;
            /** @description The sha256 of that copy; null for tasks submitted before scripts had versions. */
            script_sha256: string | null;
            status: components["schemas"]["TaskStatus"];
            exit_code: number | null;
            /** @example SIGTERM */
            signal: string | null;
            /** @description Why the task failed or was cancelled. */
            error: string | null;
            /** @description It failed because its last attempt ran past its time limit (timeout_s) and was stopped. */
            timed_out: boolean;
            /** Format: date-time */
            created_at: string;
            /** Format: date-time */
            started_at: string | null;
            /** Format: date-time */
            finished_at: string | null;
            /** Format: date-time */
            cancel_requested_at: string | null;
            /** @description How many times the script was started. */
            attempts: number;
            /** @description The process id of the latest attempt. */
            pid: number | null;
            /**
             * @description Where the latest attempt runs or ran: "local" or "slurm"; null before the first.
             * @example slurm
             */
            executor: string | null;
            /**
             * @description The Slurm job id of the latest attempt, when it is a Slurm batch job.
             * @example 917
             */
            slurm_job_id: string | null;
            /**
             * @description The sbatch options passed through to each of its jobs (the submission's `slurm_options`), on a server that runs tasks on Slurm.
             * @example [
             *       "--qos=long"
             *     ]
             */
            slurm_options: string[];
            /** @description How many times a failed or timed-out attempt is run again (0: never). */
            max_retries: number;
            /** @description The wait before a retry, in seconds. */
            retry_delay_s: number;
            /** @description Whether each further retry waits twice as long as the one before. */
            retry_backoff: boolean;
            /** @description How long one attempt may run, in seconds; null for no limit. */
            timeout_s: number | null;
            /**
             * Format: date-time
             * @description For a queued retry still waiting out its delay: when it may start.
             */
            next_attempt_at: string | null;
            /** @description How far its latest attempt said it got (from $CUBQUEUE_PROGRESS_FILE), and what it was doing; null before it said. */
            progress: {
                percent: number;
                message: string | null;
            } | null;
            /** @description Called (POST, the task as JSON) when the task finishes, or with notify_on all at every change of its state. */
            notify_url: string | null;
            /** @enum {string} */
            notify_on: "finish" | "all";
            /** @description Higher starts first; equal ones oldest first. */
            priority: number;
            /** @description The CPU slots each attempt takes. */
            cpus: number;
            /** @description How many GPUs each attempt takes. */
            gpus: number;
            /** @description Variables set for every attempt (besides the CUBQUEUE_* ones). */
            env: {
                [key: string]: string;
            };
            /** @description The array it was submitted in (POST /api/task/array), if any. */
            array_id: string | null;
            /** @description The tasks it waits (or waited) for. */
            dependencies: components["schemas"]["TaskDependency"][];
            /** @description For a queued or held task: the ids of the dependencies not met yet. */
            waiting_for: string[];
            /** @description Every attempt, the first first. */
            attempt_history: components["schemas"]["TaskAttempt"][];
            files: components["schemas"]["TaskFile"][];
        };
        /** @enum {string} */
        TaskStatus: "queued" | "held" | "running" | "suspended" | "succeeded" | "failed" | "cancelled";
        TaskDependency: {
            /** Format: uuid */
            task_id: string;
            kind: components["schemas"]["DependencyKind"];
            status: components["schemas"]["TaskStatus"] & (string | null);
        };
        /**
         * @description afterok: start once that task succeeded (a failure or cancel cancels the waiting task); afterany: start once it ended, however.
         * @enum {string}
         */
        DependencyKind: "afterok" | "afterany";
        TaskAttempt: {
            /** @description 1 for the first run. */
            number: number;
            /** Format: date-time */
            started_at: string;
            /** Format: date-time */
            finished_at: string | null;
            exit_code: number | null;
            signal: string | null;
            /** @description How the attempt ended, in words, when it did not succeed. */
            error: string | null;
            /**
             * @description Where it ran: "local" (a process on the server's machine) or "slurm" (a Slurm batch job).
             * @example local
             */
            executor: string;
            /** @description Its process id, for an attempt run as a process on the server's machine; null otherwise or before it started. */
            pid: number | null;
            /**
             * @description Its Slurm job id, for an attempt run as a Slurm batch job; null otherwise or before it was submitted.
             * @example 917
             */
            slurm_job_id: string | null;
            /** @description Its log in the task folder: log.txt for the latest attempt, log.<number>.txt for earlier ones; null for one that never started. */
            log: string | null;
            /** @description The CPU slots it held. */
            cpus: number;
            /**
             * @description The GPUs it was given (what CUDA_VISIBLE_DEVICES named); null when its executor chose them.
             * @example [
             *       "0"
             *     ]
             */
            gpu_ids: string[] | null;
            /** @description How long it has been suspended in all; its time limit leaves this out. */
            suspended_s: number;
        };
        TaskFile: {
            /** @example <file1> */
            placeholder: string;
            /** @description The file's name on the client. */
            name: string;
            /** @description The file's name under the task's files/ folder. */
            stored_name: string;
            size: number;
            sha256: string;
        };
        TaskArray: {
            /** Format: uuid */
            array_id: string;
            /** @description Its tasks, in the order of their argument files. */
            task_ids: string[];
            /** @description At most this many of its tasks run at once; null for no limit. */
            max_running: number | null;
        };
        FlushResult: {
            /** @description How many tasks were deleted. */
            deleted: number;
            /** @description Their ids, oldest first. */
            task_ids: string[];
        };
        TaskList: {
            tasks: components["schemas"]["Task"][];
            /** @description Pass as `cursor` for the next page; null on the last page. */
            next_cursor: string | null;
        };
        TaskLog: {
            /** Format: uuid */
            task_id: string;
            status: components["schemas"]["TaskStatus"];
            /** @description Whose log this is: the attempt's number (0 for a task that has not run yet). */
            attempt: number;
            lines: number;
            /** @description The last `lines` lines of the log, as they were written. A line ends with \n, \r\n or a lone \r (progress bars). At most 1 MiB: see `truncated`. */
            content: string;
            /** @description How many bytes of the log `content` holds. */
            bytes: number;
            /** @description True when the requested lines held more than 1 MiB: `content` is then the last 1 MiB of the log (starting at a whole UTF-8 character), not all the lines asked for. */
            truncated: boolean;
        };
        Queue: {
            /** @description Paused: running tasks go on, nothing new starts (kept across restarts). */
            paused: boolean;
            /** @description How many tasks run at once. */
            concurrency: number;
            /** @description This server's tasks, by state. */
            counts: {
                queued?: number;
                held?: number;
                running?: number;
                suspended?: number;
                succeeded?: number;
                failed?: number;
                cancelled?: number;
            };
            /** @description CPU slots in all, and held by running tasks. */
            cpus: {
                total: number;
                used: number;
            };
            /** @description The GPUs this server hands out, by id, and those no running task holds. */
            gpus: {
                total: string[];
                free: string[];
            };
        };
        Upload: {
            upload_id: string;
            /** @description Where its bytes are sent (PATCH) and its offset asked (HEAD): /api/upload/{upload_id}. */
            url: string;
            /** @description The file's size in bytes (Upload-Length). */
            length: number;
            /** @description How many of its bytes the server has: the next PATCH starts there. */
            offset: number;
            filename: string;
            complete: boolean;
            /** @description Once complete: the stored content, to name as fileN_sha256 in a submission. */
            sha256: string | null;
            /**
             * Format: date-time
             * @description An open upload that gets no byte until then is abandoned; a complete one keeps its file for a submission until then.
             */
            expires_at: string;
        };
        Blob: {
            sha256: string;
            size: number;
            /** Format: date-time */
            stored_at: string;
        };
        TaskEvent: {
            /** @description The event's place in the stream (also its SSE id): send it back as Last-Event-ID. */
            id: string;
            /** @enum {string} */
            type: "submitted" | "transition" | "progress";
            /** Format: uuid */
            task_id: string;
            /** @description The attempt it concerns (0 for a task that never ran). */
            attempt: number;
            /** Format: date-time */
            at: string;
            /** @description submitted: the state it was made in (queued, or held). */
            status?: string;
            /** @description transition: the state it left. */
            from?: string;
            /** @description transition: the state it entered ("deleted" when the task was deleted). */
            to?: string;
            /** @description progress: how far it says it is, 0-100. */
            progress?: number;
            /** @description progress: what it says it is doing. */
            message?: string | null;
        };
        Health: {
            /** @enum {string} */
            status: "ok" | "unavailable";
            /** @description "ok", or why the database cannot be reached. */
            database: string;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    listScripts: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Every registered script, by name, at its current version */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ScriptList"];
                };
            };
            /** @description The server requires a token (Authorization: Bearer …) and it was missing or wrong */
            401: {
                headers: {
                    /** @description The scheme to authenticate with: `Bearer realm="cubqueue"`. */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Refused: a request from another web page, to a host name this server does not answer to, or a browser request without the X-CubQueue-Client header */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `internal_error`: the server failed in a way it did not expect; its log has the details */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    registerScript: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "multipart/form-data": {
                    /** @description Unique: letters, digits and underscores. */
                    name: string;
                    /** @description What the script does. A replacement without one keeps the description it had. */
                    desc?: string;
                    /**
                     * @description true: store the script as the next version of the registered script of that name (which must exist) instead of registering a new one.
                     * @default false
                     * @enum {string}
                     */
                    replace?: "true" | "false";
                    /**
                     * Format: binary
                     * @description The script file; its extension is kept. It must say how it runs: a shebang line, an extension CubQueue knows (.py, .sh, …), or be a compiled program.
                     */
                    script: string;
                };
            };
        };
        responses: {
            /** @description The script, at its new version */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Script"];
                };
            };
            /** @description The form is malformed or a field is invalid: `invalid_script_name`, `reserved_script_name` (its stored file would collide with CubQueue's own files, e.g. a `.txt` script with its description), `script_not_runnable`, `empty_script`, `missing_field`, `missing_file`, `invalid_field` */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The server requires a token (Authorization: Bearer …) and it was missing or wrong */
            401: {
                headers: {
                    /** @description The scheme to authenticate with: `Bearer realm="cubqueue"`. */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Refused: a request from another web page, to a host name this server does not answer to, or a browser request without the X-CubQueue-Client header */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `script_not_found`: `replace=true` for a name that is not registered (a replace never creates a script); nothing is stored */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `upload_stalled`: the upload sent nothing for longer than the server's idle timeout (`cubqueue start --idle-timeout`); nothing of it is kept */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `script_name_taken`: the name is registered and `replace` was not true; send `replace=true` to store a new version */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description An upload is larger than allowed */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `internal_error`: the server failed in a way it did not expect; its log has the details */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The server's disk is full */
            507: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getScript: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The script and its versions */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ScriptDetail"];
                };
            };
            /** @description The request is malformed or a field is invalid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The server requires a token (Authorization: Bearer …) and it was missing or wrong */
            401: {
                headers: {
                    /** @description The scheme to authenticate with: `Bearer realm="cubqueue"`. */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Refused: a request from another web page, to a host name this server does not answer to, or a browser request without the X-CubQueue-Client header */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `script_not_found`: no script of that name is registered */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `internal_error`: the server failed in a way it did not expect; its log has the details */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    unregisterScript: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The script as it was, with its versions */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ScriptDetail"];
                };
            };
            /** @description The request is malformed or a field is invalid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The server requires a token (Authorization: Bearer …) and it was missing or wrong */
            401: {
                headers: {
                    /** @description The scheme to authenticate with: `Bearer realm="cubqueue"`. */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Refused: a request from another web page, to a host name this server does not answer to, or a browser request without the X-CubQueue-Client header */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `script_not_found`: no script of that name is registered; nothing changed */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `internal_error`: the server failed in a way it did not expect; its log has the details */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listTasks: {
        parameters: {
            query?: {
                /** @description Page size (1-1000). */
                limit?: number;
                /** @description The next_cursor of the previous page. */
                cursor?: string;
                status?: components["schemas"]["TaskStatus"];
                /** @description Only tasks of this script. */
                script?: string;
                /** @description Only tasks whose name holds this (any case). */
                name?: string;
                /** @description Only tasks with this tag, as key=value; repeat for several (all must match). */
                tag?: string | string[];
                /** @description Only tasks submitted after this time (ISO 8601). */
                created_after?: string;
                /** @description Only tasks submitted before this time (ISO 8601). */
                created_before?: string;
                /** @description Only tasks whose id starts so (how a short id is found). */
                id_prefix?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description One page of tasks */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TaskList"];
                };
            };
            /** @description The request is malformed or a field is invalid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The server requires a token (Authorization: Bearer …) and it was missing or wrong */
            401: {
                headers: {
                    /** @description The scheme to authenticate with: `Bearer realm="cubqueue"`. */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Refused: a request from another web page, to a host name this server does not answer to, or a browser request without the X-CubQueue-Client header */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `internal_error`: the server failed in a way it did not expect; its log has the details */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    submitTask: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "multipart/form-data": {
                    /** @description A registered script. */
                    script_name: string;
                    /**
                     * Format: binary
                     * @description The JSON argument file. `<fileN>` in its string values becomes the path of fileN.
                     */
                    arg_file: string;
                    /** @description How many times a failed or timed-out attempt is run again (0-100; default 0). A cancel is never retried. */
                    max_retries?: string;
                    /** @description Seconds to wait before a retry (0 to 604800; default 0). */
                    retry_delay_s?: string;
                    /**
                     * @description true: each further retry waits twice as long as the one before.
                     * @enum {string}
                     */
                    retry_backoff?: "true" | "false";
                    /** @description How long one attempt may run, in seconds (0.001 to 31536000): then TERM, KILL after the grace, and it fails. An edit may send "none" to remove the limit. */
                    timeout_s?: string;
                    /** @description Higher starts first (-1000000 to 1000000; default 0); equal ones oldest first. */
                    priority?: string;
                    /** @description Task ids, comma-separated: start only once each has succeeded. A failure or cancel of one cancels this task. */
                    after?: string;
                    /** @description Task ids, comma-separated: start only once each has ended, however. */
                    after_any?: string;
                    /** @description The CPU slots each attempt takes (default 1; at most the server's `--cpus`). */
                    cpus?: string;
                    /** @description How many GPUs each attempt takes (default 0; at most the server's). It gets CUDA_VISIBLE_DEVICES and CUBQUEUE_GPUS naming its own. */
                    gpus?: string;
                    /** @description Variables for every attempt, as a JSON object of strings, e.g. {"OMP_NUM_THREADS": "4"}. Names starting with CUBQUEUE_ are refused. */
                    env?: string;
                    /** @description A name for people (one line, at most 200 characters), shown by list and status and filtered on. */
                    name?: string;
                    /** @description Labels, as a JSON object of strings ({"project": "beta"}) or key=value pairs separated by commas; keys are 1-64 letters, digits, _ . or -. */
                    tags?: string;
                    /** @description An http(s) URL: it is sent the task as JSON (POST) when the task finishes (or, with notify_on all, at every change of its state). */
                    notify_url?: string;
                    /**
                     * @description When notify_url is called: finish (default) or all.
                     * @enum {string}
                     */
                    notify_on?: "finish" | "all";
                    /**
                     * @description true: the task is held (it starts only once released).
                     * @enum {string}
                     */
                    hold?: "true" | "false";
                    /** @description On a server started with `--executor slurm`: a JSON array of sbatch options passed through to each of the task's jobs, each whole, as `--name=value` (e.g. `["--qos=long", "--mem=4G"]`); they come after the server's own, so they win. Options CubQueue sets itself (--output, --job-name, --hold, …) are refused, and so is the field on a local server (400 `slurm_options_unused`). */
                    slurm_options?: string;
                } & {
                    [key: string]: string;
                };
            };
        };
        responses: {
            /** @description The queued task */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Task"];
                };
            };
            /** @description The request is malformed or a field is invalid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The server requires a token (Authorization: Bearer …) and it was missing or wrong */
            401: {
                headers: {
                    /** @description The scheme to authenticate with: `Bearer realm="cubqueue"`. */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Refused: a request from another web page, to a host name this server does not answer to, or a browser request without the X-CubQueue-Client header */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `script_not_found`: no script of that name is registered (or it was unregistered) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `upload_stalled`: the upload sent nothing for longer than the server's idle timeout (`cubqueue start --idle-timeout`); nothing of it is kept */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The script cannot be given to a task: `reserved_script_name` (stored by an older CubQueue under a name that collides with a task's own files), `script_file_mismatch` (its file no longer matches its current version's sha256; replace it again) or `script_file_missing` (its file is not in this server's base dir: removed by hand, or registered on another server sharing this database) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description An upload is larger than allowed */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `internal_error`: the server failed in a way it did not expect; its log has the details */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The server's disk is full */
            507: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    submitTaskArray: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "multipart/form-data": {
                    /** @description A registered script. */
                    script_name: string;
                    /** @description Argument files, one task each, in order (repeat the field). `<fileN>` in each names the shared fileN. */
                    arg_file?: string[];
                    /**
                     * Format: binary
                     * @description A JSON-lines file: each non-blank line is the argument file of one more task.
                     */
                    arg_lines?: string;
                    /** @description At most this many of the array's tasks run at once (default: no limit). */
                    max_running?: string;
                    /** @description On a server started with `--executor slurm`: a JSON array of sbatch options passed through to each of the task's jobs, each whole, as `--name=value` (e.g. `["--qos=long", "--mem=4G"]`); they come after the server's own, so they win. Options CubQueue sets itself (--output, --job-name, --hold, …) are refused, and so is the field on a local server (400 `slurm_options_unused`). */
                    slurm_options?: string;
                    /** @description How many times a failed or timed-out attempt is run again (0-100; default 0). A cancel is never retried. */
                    max_retries?: string;
                    /** @description Seconds to wait before a retry (0 to 604800; default 0). */
                    retry_delay_s?: string;
                    /**
                     * @description true: each further retry waits twice as long as the one before.
                     * @enum {string}
                     */
                    retry_backoff?: "true" | "false";
                    /** @description How long one attempt may run, in seconds (0.001 to 31536000): then TERM, KILL after the grace, and it fails. An edit may send "none" to remove the limit. */
                    timeout_s?: string;
                    /** @description Higher starts first (-1000000 to 1000000; default 0); equal ones oldest first. */
                    priority?: string;
                    /** @description Task ids, comma-separated: start only once each has succeeded. A failure or cancel of one cancels this task. */
                    after?: string;
                    /** @description Task ids, comma-separated: start only once each has ended, however. */
                    after_any?: string;
                    /** @description The CPU slots each attempt takes (default 1; at most the server's `--cpus`). */
                    cpus?: string;
                    /** @description How many GPUs each attempt takes (default 0; at most the server's). It gets CUDA_VISIBLE_DEVICES and CUBQUEUE_GPUS naming its own. */
                    gpus?: string;
                    /** @description Variables for every attempt, as a JSON object of strings, e.g. {"OMP_NUM_THREADS": "4"}. Names starting with CUBQUEUE_ are refused. */
                    env?: string;
                    /** @description A name for people (one line, at most 200 characters), shown by list and status and filtered on. */
                    name?: string;
                    /** @description Labels, as a JSON object of strings ({"project": "beta"}) or key=value pairs separated by commas; keys are 1-64 letters, digits, _ . or -. */
                    tags?: string;
                    /** @description An http(s) URL: it is sent the task as JSON (POST) when the task finishes (or, with notify_on all, at every change of its state). */
                    notify_url?: string;
                    /**
                     * @description When notify_url is called: finish (default) or all.
                     * @enum {string}
                     */
                    notify_on?: "finish" | "all";
                    /**
                     * @description true: the task is held (it starts only once released).
                     * @enum {string}
                     */
                    hold?: "true" | "false";
                } & {
                    [key: string]: string;
                };
            };
        };
        responses: {
            /** @description The array: its id and its tasks' ids, in order */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TaskArray"];
                };
            };
            /** @description A field or an argument file is invalid (`invalid_arg_file` names the file or line, `unknown_placeholder`, `invalid_field`, `invalid_dependency`, `exceeds_server_slots`, `too_many_files`) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The server requires a token (Authorization: Bearer …) and it was missing or wrong */
            401: {
                headers: {
                    /** @description The scheme to authenticate with: `Bearer realm="cubqueue"`. */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Refused: a request from another web page, to a host name this server does not answer to, or a browser request without the X-CubQueue-Client header */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The script or task does not exist (`script_not_found`, `task_not_found`), or the task has no such attempt (`attempt_not_found`) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `upload_stalled`: the upload sent nothing for longer than the server's idle timeout (`cubqueue start --idle-timeout`); nothing of it is kept */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `dependency_failed`: a task to wait for the success of has already failed; or the script cannot be given to a task (`script_file_mismatch`, …) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description An upload is larger than allowed */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `internal_error`: the server failed in a way it did not expect; its log has the details */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The server's disk is full */
            507: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getTask: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                task_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The task */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Task"];
                };
            };
            /** @description The server requires a token (Authorization: Bearer …) and it was missing or wrong */
            401: {
                headers: {
                    /** @description The scheme to authenticate with: `Bearer realm="cubqueue"`. */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Refused: a request from another web page, to a host name this server does not answer to, or a browser request without the X-CubQueue-Client header */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The script or task does not exist (`script_not_found`, `task_not_found`), or the task has no such attempt (`attempt_not_found`) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `internal_error`: the server failed in a way it did not expect; its log has the details */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    cancelTask: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                task_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The cancelled task */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Task"];
                };
            };
            /** @description The server requires a token (Authorization: Bearer …) and it was missing or wrong */
            401: {
                headers: {
                    /** @description The scheme to authenticate with: `Bearer realm="cubqueue"`. */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Refused: a request from another web page, to a host name this server does not answer to, or a browser request without the X-CubQueue-Client header */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The script or task does not exist (`script_not_found`, `task_not_found`), or the task has no such attempt (`attempt_not_found`) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `task_finished`: the task has already finished. `task_finishing`: its process has ended and its outcome is still being recorded (the server cannot write to its database yet, e.g. a full disk; it keeps trying): ask again later. A running task of another server: `task_on_other_server`: the task belongs to another CubQueue server sharing this database (its folder is in that server's base dir); ask that server. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `internal_error`: the server failed in a way it did not expect; its log has the details */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    editTask: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                task_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "multipart/form-data": {
                    /** @description How many times a failed or timed-out attempt is run again (0-100; default 0). A cancel is never retried. */
                    max_retries?: string;
                    /** @description Seconds to wait before a retry (0 to 604800; default 0). */
                    retry_delay_s?: string;
                    /**
                     * @description true: each further retry waits twice as long as the one before.
                     * @enum {string}
                     */
                    retry_backoff?: "true" | "false";
                    /** @description How long one attempt may run, in seconds (0.001 to 31536000): then TERM, KILL after the grace, and it fails. An edit may send "none" to remove the limit. */
                    timeout_s?: string;
                    /** @description Higher starts first (-1000000 to 1000000; default 0); equal ones oldest first. */
                    priority?: string;
                    /** @description Task ids, comma-separated: start only once each has succeeded. A failure or cancel of one cancels this task. Given (with or without after_any), it replaces everything the task waited for; empty: nothing. */
                    after?: string;
                    /** @description Task ids, comma-separated: start only once each has ended, however. */
                    after_any?: string;
                    /** @description The CPU slots each attempt takes (default 1; at most the server's `--cpus`). */
                    cpus?: string;
                    /** @description How many GPUs each attempt takes (default 0; at most the server's). It gets CUDA_VISIBLE_DEVICES and CUBQUEUE_GPUS naming its own. */
                    gpus?: string;
                    /** @description Variables for every attempt, as a JSON object of strings, e.g. {"OMP_NUM_THREADS": "4"}. Names starting with CUBQUEUE_ are refused. */
                    env?: string;
                    /** @description A name for people (one line, at most 200 characters), shown by list and status and filtered on. */
                    name?: string;
                    /** @description Labels, as a JSON object of strings ({"project": "beta"}) or key=value pairs separated by commas; keys are 1-64 letters, digits, _ . or -. */
                    tags?: string;
                    /** @description An http(s) URL: it is sent the task as JSON (POST) when the task finishes (or, with notify_on all, at every change of its state). */
                    notify_url?: string;
                    /**
                     * @description When notify_url is called: finish (default) or all.
                     * @enum {string}
                     */
                    notify_on?: "finish" | "all";
                    /**
                     * Format: binary
                     * @description A new JSON argument file; its `<fileN>` placeholders name the files the task already has.
                     */
                    arg_file?: string;
                };
                "application/json": {
                    /** @description How many times a failed or timed-out attempt is run again (0-100; default 0). A cancel is never retried. */
                    max_retries?: string;
                    /** @description Seconds to wait before a retry (0 to 604800; default 0). */
                    retry_delay_s?: string;
                    /**
                     * @description true: each further retry waits twice as long as the one before.
                     * @enum {string}
                     */
                    retry_backoff?: "true" | "false";
                    /** @description How long one attempt may run, in seconds (0.001 to 31536000): then TERM, KILL after the grace, and it fails. An edit may send "none" to remove the limit. */
                    timeout_s?: string;
                    /** @description Higher starts first (-1000000 to 1000000; default 0); equal ones oldest first. */
                    priority?: string;
                    /** @description Task ids, comma-separated: start only once each has succeeded. A failure or cancel of one cancels this task. Given (with or without after_any), it replaces everything the task waited for; empty: nothing. */
                    after?: string;
                    /** @description Task ids, comma-separated: start only once each has ended, however. */
                    after_any?: string;
                    /** @description The CPU slots each attempt takes (default 1; at most the server's `--cpus`). */
                    cpus?: string;
                    /** @description How many GPUs each attempt takes (default 0; at most the server's). It gets CUDA_VISIBLE_DEVICES and CUBQUEUE_GPUS naming its own. */
                    gpus?: string;
                    /** @description Variables for every attempt, as a JSON object of strings, e.g. {"OMP_NUM_THREADS": "4"}. Names starting with CUBQUEUE_ are refused. */
                    env?: string;
                    /** @description A name for people (one line, at most 200 characters), shown by list and status and filtered on. */
                    name?: string;
                    /** @description Labels, as a JSON object of strings ({"project": "beta"}) or key=value pairs separated by commas; keys are 1-64 letters, digits, _ . or -. */
                    tags?: string;
                    /** @description An http(s) URL: it is sent the task as JSON (POST) when the task finishes (or, with notify_on all, at every change of its state). */
                    notify_url?: string;
                    /**
                     * @description When notify_url is called: finish (default) or all.
                     * @enum {string}
                     */
                    notify_on?: "finish" | "all";
                };
            };
        };
        responses: {
            /** @description The task as changed */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Task"];
                };
            };
            /** @description The request is malformed or a field is invalid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The server requires a token (Authorization: Bearer …) and it was missing or wrong */
            401: {
                headers: {
                    /** @description The scheme to authenticate with: `Bearer realm="cubqueue"`. */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Refused: a request from another web page, to a host name this server does not answer to, or a browser request without the X-CubQueue-Client header */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The script or task does not exist (`script_not_found`, `task_not_found`), or the task has no such attempt (`attempt_not_found`) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `upload_stalled`: the upload sent nothing for longer than the server's idle timeout (`cubqueue start --idle-timeout`); nothing of it is kept */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `task_not_waiting`: the task has started (or finished); only a queued or held task can be edited. `dependency_failed`. `task_on_other_server`: the task belongs to another CubQueue server sharing this database. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description An upload is larger than allowed */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `internal_error`: the server failed in a way it did not expect; its log has the details */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    holdTask: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                task_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The task after it */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Task"];
                };
            };
            /** @description The server requires a token (Authorization: Bearer …) and it was missing or wrong */
            401: {
                headers: {
                    /** @description The scheme to authenticate with: `Bearer realm="cubqueue"`. */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Refused: a request from another web page, to a host name this server does not answer to, or a browser request without the X-CubQueue-Client header */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The script or task does not exist (`script_not_found`, `task_not_found`), or the task has no such attempt (`attempt_not_found`) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `task_not_queued`: only a queued task can be held. `task_on_other_server`: the task belongs to another CubQueue server sharing this database. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `internal_error`: the server failed in a way it did not expect; its log has the details */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    releaseTask: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                task_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The task after it */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Task"];
                };
            };
            /** @description The server requires a token (Authorization: Bearer …) and it was missing or wrong */
            401: {
                headers: {
                    /** @description The scheme to authenticate with: `Bearer realm="cubqueue"`. */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Refused: a request from another web page, to a host name this server does not answer to, or a browser request without the X-CubQueue-Client header */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The script or task does not exist (`script_not_found`, `task_not_found`), or the task has no such attempt (`attempt_not_found`) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `task_not_held`: the task is not held. `task_on_other_server`: the task belongs to another CubQueue server sharing this database. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `internal_error`: the server failed in a way it did not expect; its log has the details */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    suspendTask: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                task_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The task after it */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Task"];
                };
            };
            /** @description The server requires a token (Authorization: Bearer …) and it was missing or wrong */
            401: {
                headers: {
                    /** @description The scheme to authenticate with: `Bearer realm="cubqueue"`. */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Refused: a request from another web page, to a host name this server does not answer to, or a browser request without the X-CubQueue-Client header */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The script or task does not exist (`script_not_found`, `task_not_found`), or the task has no such attempt (`attempt_not_found`) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `task_not_running`: only a running task can be suspended (also while it is still starting). `task_on_other_server`: the task belongs to another CubQueue server sharing this database. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `internal_error`: the server failed in a way it did not expect; its log has the details */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    resumeTask: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                task_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The task after it */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Task"];
                };
            };
            /** @description The server requires a token (Authorization: Bearer …) and it was missing or wrong */
            401: {
                headers: {
                    /** @description The scheme to authenticate with: `Bearer realm="cubqueue"`. */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Refused: a request from another web page, to a host name this server does not answer to, or a browser request without the X-CubQueue-Client header */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The script or task does not exist (`script_not_found`, `task_not_found`), or the task has no such attempt (`attempt_not_found`) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `task_not_suspended`: the task is not suspended. `task_on_other_server`: the task belongs to another CubQueue server sharing this database. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `internal_error`: the server failed in a way it did not expect; its log has the details */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    restartTask: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                task_id: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "multipart/form-data": {
                    /**
                     * Format: binary
                     * @description A new JSON argument file; its `<fileN>` placeholders name the files the task already has. Without a body the task keeps its own.
                     */
                    arg_file: string;
                };
            };
        };
        responses: {
            /** @description The queued task */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Task"];
                };
            };
            /** @description The request is malformed or a field is invalid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The server requires a token (Authorization: Bearer …) and it was missing or wrong */
            401: {
                headers: {
                    /** @description The scheme to authenticate with: `Bearer realm="cubqueue"`. */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Refused: a request from another web page, to a host name this server does not answer to, or a browser request without the X-CubQueue-Client header */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The script or task does not exist (`script_not_found`, `task_not_found`), or the task has no such attempt (`attempt_not_found`) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `upload_stalled`: the upload sent nothing for longer than the server's idle timeout (`cubqueue start --idle-timeout`); nothing of it is kept */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `task_not_finished`: the task is queued or running; cancel it first, or wait for it to finish. `task_on_other_server`: the task belongs to another CubQueue server sharing this database (its folder is in that server's base dir); ask that server. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description An upload is larger than allowed */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `internal_error`: the server failed in a way it did not expect; its log has the details */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    flushTasks: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    /**
                     * @description Only tasks that ended so.
                     * @enum {string}
                     */
                    status?: "succeeded" | "failed" | "cancelled";
                    /** @description Only tasks that finished longer ago than this many seconds. */
                    older_than_s?: number;
                };
            };
        };
        responses: {
            /** @description What was deleted */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["FlushResult"];
                };
            };
            /** @description The request is malformed or a field is invalid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The server requires a token (Authorization: Bearer …) and it was missing or wrong */
            401: {
                headers: {
                    /** @description The scheme to authenticate with: `Bearer realm="cubqueue"`. */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Refused: a request from another web page, to a host name this server does not answer to, or a browser request without the X-CubQueue-Client header */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `internal_error`: the server failed in a way it did not expect; its log has the details */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    deleteTask: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                task_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The deleted task, as it was */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Task"];
                };
            };
            /** @description The server requires a token (Authorization: Bearer …) and it was missing or wrong */
            401: {
                headers: {
                    /** @description The scheme to authenticate with: `Bearer realm="cubqueue"`. */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Refused: a request from another web page, to a host name this server does not answer to, or a browser request without the X-CubQueue-Client header */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The script or task does not exist (`script_not_found`, `task_not_found`), or the task has no such attempt (`attempt_not_found`) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `task_not_finished`: the task is queued or running; cancel it first, or wait for it to finish. `task_on_other_server`: the task belongs to another CubQueue server sharing this database (its folder is in that server's base dir); ask that server. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `internal_error`: the server failed in a way it did not expect; its log has the details */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getTaskLog: {
        parameters: {
            query?: {
                /** @description How many lines, from the end (1-100000). */
                lines?: number;
                /** @description Which attempt's log (1 for the first run); the latest attempt's by default. */
                attempt?: number;
            };
            header?: never;
            path: {
                task_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The log's tail */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TaskLog"];
                };
            };
            /** @description The request is malformed or a field is invalid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The server requires a token (Authorization: Bearer …) and it was missing or wrong */
            401: {
                headers: {
                    /** @description The scheme to authenticate with: `Bearer realm="cubqueue"`. */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Refused: a request from another web page, to a host name this server does not answer to, or a browser request without the X-CubQueue-Client header */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The script or task does not exist (`script_not_found`, `task_not_found`), or the task has no such attempt (`attempt_not_found`) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `log_unreadable`: log.txt is not a regular file of the task's own. `task_on_other_server`: the task belongs to another CubQueue server sharing this database (its folder is in that server's base dir); ask that server. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `internal_error`: the server failed in a way it did not expect; its log has the details */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    downloadTaskLog: {
        parameters: {
            query?: {
                /** @description Which attempt's log (1 for the first run); the latest attempt's by default. */
                attempt?: number;
            };
            header?: never;
            path: {
                task_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The log */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/plain": string;
                };
            };
            /** @description The request is malformed or a field is invalid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The server requires a token (Authorization: Bearer …) and it was missing or wrong */
            401: {
                headers: {
                    /** @description The scheme to authenticate with: `Bearer realm="cubqueue"`. */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Refused: a request from another web page, to a host name this server does not answer to, or a browser request without the X-CubQueue-Client header */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The script or task does not exist (`script_not_found`, `task_not_found`), or the task has no such attempt (`attempt_not_found`) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `log_unreadable`: log.txt is not a regular file of the task's own (the script replaced it by a FIFO, symlink, directory or a hard link to another file). `task_on_other_server`. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `internal_error`: the server failed in a way it did not expect; its log has the details */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    followTaskLog: {
        parameters: {
            query?: {
                /** @description How many of the last lines come first (0-100000; default 10). */
                lines?: number | null;
            };
            header?: never;
            path: {
                task_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The log as it is written, until the task finishes */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/plain": string;
                };
            };
            /** @description The request is malformed or a field is invalid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The server requires a token (Authorization: Bearer …) and it was missing or wrong */
            401: {
                headers: {
                    /** @description The scheme to authenticate with: `Bearer realm="cubqueue"`. */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Refused: a request from another web page, to a host name this server does not answer to, or a browser request without the X-CubQueue-Client header */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The script or task does not exist (`script_not_found`, `task_not_found`), or the task has no such attempt (`attempt_not_found`) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `log_unreadable`: log.txt is not a regular file of the task's own (the script replaced it by a FIFO, symlink, directory or a hard link to another file). `task_on_other_server`. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `internal_error`: the server failed in a way it did not expect; its log has the details */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    downloadTaskMetadata: {
        parameters: {
            query?: {
                /** @description tar.gz (default), tar (uncompressed, fastest) or zip. */
                format?: "tar.gz" | "tar" | "zip";
            };
            header?: never;
            path: {
                task_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The folder as an archive, streamed. Left out: symlinks leading outside the folder (or nowhere), files with hard links outside it, FIFOs, sockets and devices, paths too long to open, and what vanishes while it is read; the headers count them. */
            200: {
                headers: {
                    /** @description `attachment` with the archive's file name: `<task_id>-metadata.<format>` or `<task_id>-result.<format>`. */
                    "Content-Disposition"?: string;
                    /** @description How many bytes of file content the archive holds: what unpacking it writes, whatever the format's framing or compression. */
                    "X-CubQueue-Unpacked-Size"?: number;
                    /** @description How many entries of the folder the archive leaves out (0 when none). */
                    "X-CubQueue-Omitted"?: number;
                    /** @description Only when X-CubQueue-Omitted is not 0: the count per reason, e.g. `special_file=2, symlink=1`. Reasons: symlink, hard_link_outside, special_file, too_deep, vanished, unreadable, name_not_utf8. */
                    "X-CubQueue-Omitted-Reasons"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/gzip": string;
                    "application/x-tar": string;
                    "application/zip": string;
                };
            };
            /** @description The request is malformed or a field is invalid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The server requires a token (Authorization: Bearer …) and it was missing or wrong */
            401: {
                headers: {
                    /** @description The scheme to authenticate with: `Bearer realm="cubqueue"`. */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Refused: a request from another web page, to a host name this server does not answer to, or a browser request without the X-CubQueue-Client header */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The script or task does not exist (`script_not_found`, `task_not_found`), or the task has no such attempt (`attempt_not_found`) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `task_on_other_server`: the task belongs to another CubQueue server sharing this database (its folder is in that server's base dir); ask that server. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `internal_error`: the server failed in a way it did not expect; its log has the details */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    downloadTaskResult: {
        parameters: {
            query?: {
                /** @description tar.gz (default), tar (uncompressed, fastest) or zip. */
                format?: "tar.gz" | "tar" | "zip";
            };
            header?: never;
            path: {
                task_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The folder as an archive, streamed. Left out: symlinks leading outside the folder (or nowhere), files with hard links outside it, FIFOs, sockets and devices, paths too long to open, and what vanishes while it is read; the headers count them. */
            200: {
                headers: {
                    /** @description `attachment` with the archive's file name: `<task_id>-metadata.<format>` or `<task_id>-result.<format>`. */
                    "Content-Disposition"?: string;
                    /** @description How many bytes of file content the archive holds: what unpacking it writes, whatever the format's framing or compression. */
                    "X-CubQueue-Unpacked-Size"?: number;
                    /** @description How many entries of the folder the archive leaves out (0 when none). */
                    "X-CubQueue-Omitted"?: number;
                    /** @description Only when X-CubQueue-Omitted is not 0: the count per reason, e.g. `special_file=2, symlink=1`. Reasons: symlink, hard_link_outside, special_file, too_deep, vanished, unreadable, name_not_utf8. */
                    "X-CubQueue-Omitted-Reasons"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/gzip": string;
                    "application/x-tar": string;
                    "application/zip": string;
                };
            };
            /** @description The request is malformed or a field is invalid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The server requires a token (Authorization: Bearer …) and it was missing or wrong */
            401: {
                headers: {
                    /** @description The scheme to authenticate with: `Bearer realm="cubqueue"`. */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Refused: a request from another web page, to a host name this server does not answer to, or a browser request without the X-CubQueue-Client header */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The script or task does not exist (`script_not_found`, `task_not_found`), or the task has no such attempt (`attempt_not_found`) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `task_on_other_server`: the task belongs to another CubQueue server sharing this database (its folder is in that server's base dir); ask that server. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `internal_error`: the server failed in a way it did not expect; its log has the details */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getQueue: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The queue */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Queue"];
                };
            };
            /** @description The server requires a token (Authorization: Bearer …) and it was missing or wrong */
            401: {
                headers: {
                    /** @description The scheme to authenticate with: `Bearer realm="cubqueue"`. */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Refused: a request from another web page, to a host name this server does not answer to, or a browser request without the X-CubQueue-Client header */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `internal_error`: the server failed in a way it did not expect; its log has the details */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    updateQueue: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description How many tasks run at once (1-1024). */
                    concurrency: number;
                };
            };
        };
        responses: {
            /** @description The queue */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Queue"];
                };
            };
            /** @description The request is malformed or a field is invalid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The server requires a token (Authorization: Bearer …) and it was missing or wrong */
            401: {
                headers: {
                    /** @description The scheme to authenticate with: `Bearer realm="cubqueue"`. */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Refused: a request from another web page, to a host name this server does not answer to, or a browser request without the X-CubQueue-Client header */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `internal_error`: the server failed in a way it did not expect; its log has the details */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    pauseQueue: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The queue, paused */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Queue"];
                };
            };
            /** @description The server requires a token (Authorization: Bearer …) and it was missing or wrong */
            401: {
                headers: {
                    /** @description The scheme to authenticate with: `Bearer realm="cubqueue"`. */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Refused: a request from another web page, to a host name this server does not answer to, or a browser request without the X-CubQueue-Client header */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `internal_error`: the server failed in a way it did not expect; its log has the details */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    resumeQueue: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The queue, taking tasks again */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Queue"];
                };
            };
            /** @description The server requires a token (Authorization: Bearer …) and it was missing or wrong */
            401: {
                headers: {
                    /** @description The scheme to authenticate with: `Bearer realm="cubqueue"`. */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Refused: a request from another web page, to a host name this server does not answer to, or a browser request without the X-CubQueue-Client header */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `internal_error`: the server failed in a way it did not expect; its log has the details */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getUpload: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                upload_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The upload */
            200: {
                headers: {
                    /** @description The tus protocol version: 1.0.0. */
                    "Tus-Resumable"?: string;
                    /** @description How many of the file's bytes the server has. */
                    "Upload-Offset"?: string;
                    /** @description The file's size in bytes. */
                    "Upload-Length"?: string;
                    /** @description When an upload that gets no more bytes is abandoned (an HTTP date). */
                    "Upload-Expires"?: string;
                    /** @description no-store */
                    "Cache-Control"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Upload"];
                };
            };
            /** @description The server requires a token (Authorization: Bearer …) and it was missing or wrong */
            401: {
                headers: {
                    /** @description The scheme to authenticate with: `Bearer realm="cubqueue"`. */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Refused: a request from another web page, to a host name this server does not answer to, or a browser request without the X-CubQueue-Client header */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The script or task does not exist (`script_not_found`, `task_not_found`), or the task has no such attempt (`attempt_not_found`) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `upload_expired`: the resumable upload was abandoned for longer than the server keeps one (`cubqueue start --upload-expiry`); its bytes are gone, start a new one */
            410: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `tus_version_unsupported`: the request's Tus-Resumable is not 1.0.0, the version this server speaks */
            412: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `internal_error`: the server failed in a way it did not expect; its log has the details */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    deleteUpload: {
        parameters: {
            query?: never;
            header: {
                /** @description Must be 1.0.0 (412 otherwise). */
                "tus-resumable": string;
            };
            path: {
                upload_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Removed */
            204: {
                headers: {
                    /** @description The tus protocol version: 1.0.0. */
                    "Tus-Resumable"?: string;
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description The server requires a token (Authorization: Bearer …) and it was missing or wrong */
            401: {
                headers: {
                    /** @description The scheme to authenticate with: `Bearer realm="cubqueue"`. */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Refused: a request from another web page, to a host name this server does not answer to, or a browser request without the X-CubQueue-Client header */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The script or task does not exist (`script_not_found`, `task_not_found`), or the task has no such attempt (`attempt_not_found`) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `upload_expired`: the resumable upload was abandoned for longer than the server keeps one (`cubqueue start --upload-expiry`); its bytes are gone, start a new one */
            410: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `tus_version_unsupported`: the request's Tus-Resumable is not 1.0.0, the version this server speaks */
            412: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `internal_error`: the server failed in a way it did not expect; its log has the details */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    uploadOffset: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                upload_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description As the GET, without a body */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description The server requires a token (Authorization: Bearer …) and it was missing or wrong */
            401: {
                headers: {
                    /** @description The scheme to authenticate with: `Bearer realm="cubqueue"`. */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Refused: a request from another web page, to a host name this server does not answer to, or a browser request without the X-CubQueue-Client header */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The script or task does not exist (`script_not_found`, `task_not_found`), or the task has no such attempt (`attempt_not_found`) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `upload_expired`: the resumable upload was abandoned for longer than the server keeps one (`cubqueue start --upload-expiry`); its bytes are gone, start a new one */
            410: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `tus_version_unsupported`: the request's Tus-Resumable is not 1.0.0, the version this server speaks */
            412: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `internal_error`: the server failed in a way it did not expect; its log has the details */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    appendUpload: {
        parameters: {
            query?: never;
            header: {
                /** @description Must be 1.0.0 (412 otherwise). */
                "tus-resumable": string;
                /** @description Where these bytes start: the server's offset. */
                "upload-offset": string;
                /** @description `<algorithm> <base64 digest>` of this body (sha1, sha256 or md5). */
                "upload-checksum"?: string;
            };
            path: {
                upload_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/offset+octet-stream": string;
            };
        };
        responses: {
            /** @description The bytes are on disk */
            204: {
                headers: {
                    /** @description The tus protocol version: 1.0.0. */
                    "Tus-Resumable"?: string;
                    /** @description How many of the file's bytes the server has. */
                    "Upload-Offset"?: string;
                    /** @description When an upload that gets no more bytes is abandoned (an HTTP date). */
                    "Upload-Expires"?: string;
                    /** @description Once the upload is complete: the sha256 of the stored file. */
                    "X-CubQueue-Sha256"?: string;
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description The request is malformed or a field is invalid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The server requires a token (Authorization: Bearer …) and it was missing or wrong */
            401: {
                headers: {
                    /** @description The scheme to authenticate with: `Bearer realm="cubqueue"`. */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Refused: a request from another web page, to a host name this server does not answer to, or a browser request without the X-CubQueue-Client header */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The script or task does not exist (`script_not_found`, `task_not_found`), or the task has no such attempt (`attempt_not_found`) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Conflicts with the current state (name taken, task already finished, a script stored under a name CubQueue reserves) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `upload_expired`: the resumable upload was abandoned for longer than the server keeps one (`cubqueue start --upload-expiry`); its bytes are gone, start a new one */
            410: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `tus_version_unsupported`: the request's Tus-Resumable is not 1.0.0, the version this server speaks */
            412: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `unsupported_content_type`: a PATCH of a resumable upload must be sent as application/offset+octet-stream */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `checksum_mismatch`: the bytes of this PATCH do not have the Upload-Checksum it declared; none of them were kept */
            460: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `internal_error`: the server failed in a way it did not expect; its log has the details */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The server's disk is full */
            507: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getBlob: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                sha256: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The stored file */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Blob"];
                };
            };
            /** @description The request is malformed or a field is invalid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The server requires a token (Authorization: Bearer …) and it was missing or wrong */
            401: {
                headers: {
                    /** @description The scheme to authenticate with: `Bearer realm="cubqueue"`. */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Refused: a request from another web page, to a host name this server does not answer to, or a browser request without the X-CubQueue-Client header */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The script or task does not exist (`script_not_found`, `task_not_found`), or the task has no such attempt (`attempt_not_found`) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `internal_error`: the server failed in a way it did not expect; its log has the details */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    hasBlob: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                sha256: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description As the GET, without a body */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description The request is malformed or a field is invalid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The server requires a token (Authorization: Bearer …) and it was missing or wrong */
            401: {
                headers: {
                    /** @description The scheme to authenticate with: `Bearer realm="cubqueue"`. */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Refused: a request from another web page, to a host name this server does not answer to, or a browser request without the X-CubQueue-Client header */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The script or task does not exist (`script_not_found`, `task_not_found`), or the task has no such attempt (`attempt_not_found`) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `internal_error`: the server failed in a way it did not expect; its log has the details */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    createUpload: {
        parameters: {
            query?: never;
            header: {
                /** @description Must be 1.0.0 (412 otherwise). */
                "tus-resumable": string;
                /** @description The file's size in bytes. */
                "upload-length": string;
                /** @description `filename <base64>,sha256 <base64 of the hex digest>`; other keys are ignored. */
                "upload-metadata"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The upload, at offset 0 */
            201: {
                headers: {
                    /** @description The tus protocol version: 1.0.0. */
                    "Tus-Resumable"?: string;
                    /** @description When an upload that gets no more bytes is abandoned (an HTTP date). */
                    "Upload-Expires"?: string;
                    /** @description The upload's URL. */
                    Location?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Upload"];
                };
            };
            /** @description The request is malformed or a field is invalid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The server requires a token (Authorization: Bearer …) and it was missing or wrong */
            401: {
                headers: {
                    /** @description The scheme to authenticate with: `Bearer realm="cubqueue"`. */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Refused: a request from another web page, to a host name this server does not answer to, or a browser request without the X-CubQueue-Client header */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `tus_version_unsupported`: the request's Tus-Resumable is not 1.0.0, the version this server speaks */
            412: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description An upload is larger than allowed */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `internal_error`: the server failed in a way it did not expect; its log has the details */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The server's disk is full */
            507: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    uploadCapabilities: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The server's tus capabilities */
            204: {
                headers: {
                    /** @description The tus protocol version: 1.0.0. */
                    "Tus-Resumable"?: string;
                    /** @description The tus versions spoken. */
                    "Tus-Version"?: string;
                    /** @description creation, expiration, checksum, termination. */
                    "Tus-Extension"?: string;
                    /** @description What Upload-Checksum may use. */
                    "Tus-Checksum-Algorithm"?: string;
                    /** @description The largest file, in bytes (when the server has a --max-upload-size). */
                    "Tus-Max-Size"?: string;
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description The server requires a token (Authorization: Bearer …) and it was missing or wrong */
            401: {
                headers: {
                    /** @description The scheme to authenticate with: `Bearer realm="cubqueue"`. */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Refused: a request from another web page, to a host name this server does not answer to, or a browser request without the X-CubQueue-Client header */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `internal_error`: the server failed in a way it did not expect; its log has the details */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    streamEvents: {
        parameters: {
            query?: {
                /** @description Only this task's events. */
                task_id?: string;
                /** @description Only events of tasks of this script. */
                script?: string;
                /** @description Only events of tasks with this tag, as key=value; repeat for several (all must match). */
                tag?: string | string[];
                /** @description The same as the Last-Event-ID header, for clients that cannot send headers. */
                last_event_id?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The stream: `event: submitted|transition|progress|gap`, `id:`, `data:` a TaskEvent (a gap: `{"reason"}`) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/event-stream": components["schemas"]["TaskEvent"];
                };
            };
            /** @description The request is malformed or a field is invalid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The server requires a token (Authorization: Bearer …) and it was missing or wrong */
            401: {
                headers: {
                    /** @description The scheme to authenticate with: `Bearer realm="cubqueue"`. */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Refused: a request from another web page, to a host name this server does not answer to, or a browser request without the X-CubQueue-Client header */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `internal_error`: the server failed in a way it did not expect; its log has the details */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    health: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Alive, and the database answers */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Health"];
                };
            };
            /** @description The server requires a token (Authorization: Bearer …) and it was missing or wrong */
            401: {
                headers: {
                    /** @description The scheme to authenticate with: `Bearer realm="cubqueue"`. */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Refused: a request from another web page, to a host name this server does not answer to, or a browser request without the X-CubQueue-Client header */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `internal_error`: the server failed in a way it did not expect; its log has the details */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Alive, but the database does not answer */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Health"];
                };
            };
        };
    };
    metrics: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The figures */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/plain": string;
                };
            };
            /** @description The server requires a token (Authorization: Bearer …) and it was missing or wrong */
            401: {
                headers: {
                    /** @description The scheme to authenticate with: `Bearer realm="cubqueue"`. */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Refused: a request from another web page, to a host name this server does not answer to, or a browser request without the X-CubQueue-Client header */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `internal_error`: the server failed in a way it did not expect; its log has the details */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
}
