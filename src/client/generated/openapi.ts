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
            /** @description Every attempt, the first first. */
            attempt_history: components["schemas"]["TaskAttempt"][];
            files: components["schemas"]["TaskFile"][];
        };
        /** @enum {string} */
        TaskStatus: "queued" | "running" | "succeeded" | "failed" | "cancelled";
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
             * @description Where it ran: "local" (a process on the server's machine).
             * @example local
             */
            executor: string;
            /** @description Its process id, for an attempt run as a process on the server's machine; null otherwise or before it started. */
            pid: number | null;
            /** @description Its log in the task folder: log.txt for the latest attempt, log.<number>.txt for earlier ones; null for one that never started. */
            log: string | null;
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
            /** @description The script cannot be given to a task: `reserved_script_name` (stored by an older CubQueue under a name that collides with a task's own files) or `script_file_mismatch` (its file no longer matches its current version's sha256; replace it again) */
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
            /** @description `task_not_finished`: the task is queued or running; cancel it first, or wait for it to finish. */
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
            /** @description `task_not_finished`: the task is queued or running; cancel it first, or wait for it to finish. */
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
            /** @description `task_finished`: the task has already finished. `task_finishing`: its process has ended and its outcome is still being recorded (the server cannot write to its database yet, e.g. a full disk; it keeps trying): ask again later. */
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
            /** @description Conflicts with the current state (name taken, task already finished, a script stored under a name CubQueue reserves) */
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
