"""The CubQueue client: `from cubqueue.client import CubQueueClient`.

Its methods are the spec's (register, list_scripts, submit_task, list_tasks, get_task_status,
get_task_log, download_task_metadata, download_task_result, cancel_task, wait_for_task), with
the spec's argument order, and one for each other operation of the API (see operations.py).
Tasks and scripts are returned as the server sends them: dicts with the fields of the API's
`Task` and `Script` (task_id, status, exit_code, …). Uploads and downloads are streamed; large
files are stored once on the server, named by hash, and sent resumably (see upload_file).
Failures raise CubQueueApiError (the server said no, with its code), CubQueueConnectionError
(no server answered), CubQueueTimeoutError and CubQueueFileExistsError; all are CubQueueError.
"""

import http.client
import json
import os
import time
from urllib.parse import quote

from ._http import Connection
from ._large_files import LargeFiles, Progress
from ._multipart import CHUNK, MultipartForm
from ._resumable import RESUMABLE_FROM, ResumeRecords, hash_file, store_file, stored_blob
from ._sse import read_events
from ._task_options import option_fields
from ._unpack import receive_archive
from .errors import CubQueueApiError, CubQueueConnectionError, CubQueueFileExistsError, CubQueueTimeoutError

FINISHED = ("succeeded", "failed", "cancelled")
ARCHIVE_FORMATS = ("tar.gz", "tar", "zip")


class CubQueueClient:
    """A client of one CubQueue server.

    `token` is sent as `Authorization: Bearer <token>` (needed when the server was started with
    one); `timeout` is how long, in seconds, one request may wait for the server to answer.
    """

    def __init__(self, base_url="http://127.0.0.1:8000", token=None, timeout=60.0):
        self._http = Connection(base_url, token=token, timeout=timeout)
        self.base_url = self._http.base_url
        self._records = ResumeRecords(self.base_url)

    # Scripts

    def register(self, name, desc, script_path, replace=False):
        """Registers a script file under a unique name (version 1); with replace=True, stores it as
        the next version of a registered one (desc None keeps its description). Returns the script."""
        fields = [("name", name)]
        if desc is not None:
            fields.append(("desc", desc))
        if replace:
            fields.append(("replace", "true"))
        return self._upload("/api/script", MultipartForm(fields, [("script", script_path)]))

    def list_scripts(self):
        """The registered scripts, by name, each at its current version."""
        return self._http.json("GET", "/api/script")["scripts"]

    def get_script(self, name):
        """A script with every version it has had (`versions`, the newest first)."""
        return self._http.json("GET", "/api/script/" + quote(name, safe=""))

    def unregister_script(self, name):
        """Removes a script (its file, description and versions); submitted tasks keep their copies."""
        return self._http.json("DELETE", "/api/script/" + quote(name, safe=""))

    # Tasks

    def submit_task(self, script_name, arg_file, large_files=(), max_retries=None, retry_delay_s=None, retry_backoff=None, timeout_s=None, on_progress=None, resumable_from=RESUMABLE_FROM, **options):
        """Submits a task: the JSON argument file and the large files (`<file1>`, `<file2>`, … in
        that order) go to the server. Returns the new task's id.

        Further options, by keyword (None leaves each to the server's default): priority,
        after and after_any (task ids it waits for), cpus, gpus, env (a dict), name, tags (a
        dict), notify_url, notify_on ("finish" or "all"), hold (True: it waits to be released)
        and slurm_options (a list of sbatch options). With large files, the script is looked up
        first: a mistyped name must not cost a long upload.

        A large file of at least `resumable_from` bytes (8 MiB) is stored on the server first, as
        upload_file does, and named by its hash: content the server has is not sent again, and an
        upload cut off is resumed. None sends every file in the form (for a server too old to
        have /api/upload). on_progress(sent, total) follows the bytes of all the files the server
        has; a callback that takes a `phase` keyword also hears of the hashing (see upload_file).
        """
        policy = dict(max_retries=max_retries, retry_delay_s=retry_delay_s, retry_backoff=retry_backoff, timeout_s=timeout_s, **options)
        fields = [("script_name", script_name)] + option_fields(policy, "submit_task")
        return self._submit("/api/task", script_name, fields, [("arg_file", arg_file)], large_files, on_progress, resumable_from)["task_id"]

    def submit_array(self, script_name, arg_files=(), large_files=(), arg_lines=None, max_running=None, on_progress=None, resumable_from=RESUMABLE_FROM, **options):
        """Submits one task per argument file, all sharing the large files (uploaded once).
        Returns {"array_id", "task_ids" (in the order of the argument files), "max_running"}.

        `arg_lines` is a JSON-lines file, each line the argument file of one more task.
        `max_running` caps how many of them run at once. The task options, on_progress and
        resumable_from are submit_task's.
        """
        fields = [("script_name", script_name)] + option_fields(options, "submit_array")
        if max_running is not None:
            fields.append(("max_running", max_running))
        files = [("arg_file", path) for path in arg_files] + ([("arg_lines", arg_lines)] if arg_lines is not None else [])
        return self._submit("/api/task/array", script_name, fields, files, large_files, on_progress, resumable_from)

    def edit_task(self, task_id, arg_file=None, **options):
        """Changes a task that has not started (queued or held): any of submit_task's options but
        hold and slurm_options, and its argument file. timeout_s="none" removes its time limit.
        Returns its record."""
        fields = option_fields(options, "edit_task")
        files = [("arg_file", arg_file)] if arg_file is not None else []
        form = MultipartForm(fields, files)
        return self._http.json("PATCH", _task_path(task_id), body=iter(form), headers={"Content-Type": form.content_type}, length=form.length)

    def hold_task(self, task_id):
        """Holds a queued task: it does not start until released. Returns its record."""
        return self._http.json("POST", _task_path(task_id, "/hold"))

    def release_task(self, task_id):
        """Releases a held task back into the queue. Returns its record."""
        return self._http.json("POST", _task_path(task_id, "/release"))

    def suspend_task(self, task_id):
        """Pauses a running task (SIGSTOP to its processes; its slots stay taken). Returns its record."""
        return self._http.json("POST", _task_path(task_id, "/suspend"))

    def resume_task(self, task_id):
        """Lets a suspended task run on. Returns its record."""
        return self._http.json("POST", _task_path(task_id, "/resume"))

    def list_tasks(self, status=None, script=None, limit=None, cursor=None, **filters):
        """The newest tasks (one page; see list_tasks_page for paging), optionally filtered as list_tasks_page says."""
        return self.list_tasks_page(status=status, script=script, limit=limit, cursor=cursor, **filters)["tasks"]

    def list_tasks_page(self, status=None, script=None, limit=None, cursor=None, name=None, tags=None, created_after=None, created_before=None, id_prefix=None):
        """One page of tasks, newest first: {"tasks": [...], "next_cursor": ...}; pass next_cursor as cursor for the next.

        Filters: status, script, name (its exact name), tags (a dict: every one must match),
        created_after and created_before (ISO 8601 times), id_prefix (the start of task ids).
        """
        query = {"status": status, "script": script, "limit": limit, "cursor": cursor, "name": name, "created_after": created_after, "created_before": created_before, "id_prefix": id_prefix}
        query["tag"] = ["{}={}".format(key, value) for key, value in (tags or {}).items()] or None
        return self._http.json("GET", "/api/task", query=query)

    def get_task_status(self, task_id):
        """The task's record: its `status` (queued, running, succeeded, failed, cancelled), exit code, times, files…"""
        return self._http.json("GET", _task_path(task_id))

    def get_task_log(self, task_id, lines=100, attempt=None):
        """The last `lines` lines of the task's log (at most 1 MiB of them), the latest attempt's unless `attempt` says."""
        return self.get_task_log_tail(task_id, lines, attempt)["content"]

    def get_task_log_tail(self, task_id, lines=100, attempt=None):
        """The log's tail with what the server says of it: `content`, `bytes`, `truncated` (more than 1 MiB), `attempt`."""
        return self._http.json("GET", _task_path(task_id, "/log"), query={"lines": lines, "attempt": attempt})

    def download_task_log(self, task_id, path, attempt=None, overwrite=False):
        """Saves the task's whole log (the latest attempt's unless `attempt` says) to `path`,
        streamed; an existing file is refused (CubQueueFileExistsError) unless overwrite=True.
        Written whole or not at all. Returns the number of bytes."""
        path = os.fspath(path)
        if os.path.lexists(path) and not (overwrite and os.path.isfile(path)):
            raise CubQueueFileExistsError(path, 1, os.path.isfile(path))
        response = self._http.request("GET", _task_path(task_id, "/log/raw"), query={"attempt": attempt})
        partial = "{}.{}.part".format(path, os.getpid())
        written = 0
        try:
            with open(partial, "xb") as handle:
                for chunk in iter(lambda: response.read(CHUNK), b""):
                    handle.write(chunk)
                    written += len(chunk)
            os.replace(partial, path)
        finally:
            response.close()
            if os.path.lexists(partial):
                os.unlink(partial)
        return written

    def follow_task_log(self, task_id, lines=10):
        """Yields the task's log as it is written, in byte chunks: first its last `lines` lines,
        then each write, until the task has finished (then the generator ends). Every byte comes
        once, in order. For text: `for chunk in ...: sys.stdout.buffer.write(chunk)`."""
        response = self._http.request("GET", _task_path(task_id, "/log/follow"), query={"lines": lines}, stream=True)
        try:
            while True:
                chunk = response.read1(CHUNK) if hasattr(response, "read1") else response.read(CHUNK)
                if not chunk:
                    return
                yield chunk
        finally:
            response.close()

    def download_task_metadata(self, task_id, output_dir, format="tar.gz", overwrite=False, on_progress=None):
        """Downloads the task's metadata folder and unpacks it into output_dir (see download_task_result)."""
        return self._download(task_id, "/metadata", output_dir, format, overwrite, on_progress)

    def download_task_result(self, task_id, output_dir, format="tar.gz", overwrite=False, on_progress=None):
        """Downloads the task's output folder and unpacks it into output_dir (created if missing).

        Whole or not at all: a file of the same name already there refuses the download
        (CubQueueFileExistsError) unless overwrite=True. format: tar.gz, tar (the fastest on a
        fast network) or zip. on_progress(written, total) follows the bytes unpacked; total is
        what the server announced, or None. Returns {files, directories, bytes, omitted}, where
        omitted counts what the server left out of the archive (links leading outside, …).
        """
        return self._download(task_id, "/result", output_dir, format, overwrite, on_progress)

    def cancel_task(self, task_id):
        """Cancels a queued or running task; returns once it has stopped, with its record."""
        return self._http.json("DELETE", _task_path(task_id))

    def restart_task(self, task_id, arg_file=None):
        """Runs a finished task again as its next attempt, with its files; arg_file replaces its argument file."""
        if arg_file is None:
            return self._http.json("POST", _task_path(task_id, "/restart"))
        return self._upload(_task_path(task_id, "/restart"), MultipartForm([], [("arg_file", arg_file)]))

    def delete_task(self, task_id):
        """Deletes a finished task with its whole folder; returns its record as it was."""
        return self._http.json("POST", _task_path(task_id, "/delete"))

    def flush_tasks(self, status=None, older_than_s=None):
        """Deletes every finished task that matches (all, one status, finished longer ago than older_than_s seconds)."""
        body = {key: value for key, value in (("status", status), ("older_than_s", older_than_s)) if value is not None}
        return self._http.json("POST", "/api/task/flush", body=json.dumps(body).encode(), headers={"Content-Type": "application/json"})

    def wait_for_task(self, task_id, timeout=None, poll_interval=2.0):
        """Waits until the task has finished and returns its record; raises CubQueueTimeoutError
        after `timeout` seconds (None: no limit). Checks often at first, then every poll_interval."""
        deadline = None if timeout is None else time.monotonic() + timeout
        interval = 0.1
        while True:
            task = self.get_task_status(task_id)
            if task["status"] in FINISHED:
                return task
            if deadline is not None and time.monotonic() + interval > deadline:
                raise CubQueueTimeoutError(task_id, task["status"], timeout)
            time.sleep(interval)
            interval = min(interval * 2, poll_interval)

    # Large files

    def upload_file(self, path, on_progress=None):
        """Makes the server store a file, to name it by hash in a submission (fileN_sha256):
        returns {"sha256", "size", "reused"}. submit_task does this by itself for large files.

        The file is hashed (streamed), and not sent at all if the server stores that content
        already (reused=True): a file given to many tasks crosses the network once. Otherwise it
        is sent resumably (tus): a cut connection is tried again from the server's offset (five
        times without progress at most), and an upload left unfinished, even by a killed
        process, is resumed by the next call for the same content, thanks to a resume record
        in $XDG_CACHE_HOME/cubqueue/uploads (~/.cache/cubqueue/uploads), which the TypeScript
        client and `cubqueue submit` share. on_progress(sent, size) follows the bytes the server
        has (a resumed upload starts at its offset); a callback that takes a `phase` keyword is
        also called while hashing, with phase="hashing", and else with phase="uploading".
        """
        path = os.fspath(path)
        if not os.path.isfile(path):
            raise FileNotFoundError("Cannot read {}: no such file".format(path))
        report = Progress(on_progress, os.path.getsize(path))
        hashed = [0]

        def on_hashed(count):
            hashed[0] += count
            report.hashing(hashed[0], report.total)

        sha256, size = hash_file(path, on_hashed)
        report.total = size
        reused = store_file(self._http, self._records, path, sha256, size, lambda have, _total: report.stored(1, have))
        return {"sha256": sha256, "size": size, "reused": reused}

    def has_blob(self, sha256):
        """The file of this sha256 the server stores ({"sha256", "size", "stored_at"}), or None:
        a submission may name it by hash (fileN_sha256) instead of sending it."""
        return stored_blob(self._http, sha256.lower())

    # Watching

    def events(self, task_id=None, script=None, tags=None, last_event_id=None, reconnect=True):
        """Yields the server's task events as they happen, each a dict: `id`, `type`, `task_id`,
        `attempt`, `at`, and for a "transition" `from` and `to` (statuses), for a "progress"
        `progress` (a percent, 0 to 100) and `message`. Filters: task_id, script, tags (a dict, all must match).

        `last_event_id` (an event's id) starts after that event: what happened since is sent
        first. If the connection drops, it reconnects from the last event seen, so nothing is
        missed (reconnect=False: the generator ends). When the server no longer has every event
        asked for, a {"type": "gap", "reason": ...} event says so.
        """
        query = {"task_id": task_id, "script": script, "tag": ["{}={}".format(k, v) for k, v in (tags or {}).items()] or None}
        delay = 0.5
        while True:
            try:
                response = self._http.request("GET", "/api/events", query=dict(query, last_event_id=last_event_id), headers={"Accept": "text/event-stream"}, stream=True)
            except CubQueueConnectionError:
                if last_event_id is None or not reconnect:
                    raise
                time.sleep(delay)
                delay = min(delay * 2, 10.0)
                continue
            try:
                for kind, event_id, data in read_events(response):
                    delay = 0.5
                    event = json.loads(data)
                    if kind == "gap":
                        event = dict(event, type="gap")
                    if event_id is not None:
                        last_event_id = event_id
                    yield event
            except (OSError, http.client.HTTPException):
                pass
            finally:
                response.close()
            if not reconnect:
                return

    def get_queue(self):
        """The queue: `paused`, `concurrency`, and the `counts` of tasks in each status."""
        return self._http.json("GET", "/api/queue")

    def pause_queue(self):
        """Nothing new starts (running tasks go on) until resume_queue; kept across restarts."""
        return self._http.json("POST", "/api/queue/pause")

    def resume_queue(self):
        """Queued tasks start again."""
        return self._http.json("POST", "/api/queue/resume")

    def set_concurrency(self, concurrency):
        """How many tasks run at once, from now on (until the server restarts)."""
        return self._http.json("PATCH", "/api/queue", body=json.dumps({"concurrency": concurrency}).encode(), headers={"Content-Type": "application/json"})

    def health(self):
        """{"status": "ok" or "unavailable", "database": ...}: whether the server can do its work."""
        return self._http.json("GET", "/healthz", allow=(503,))

    def metrics(self):
        """The server's metrics, in Prometheus' text format."""
        response = self._http.request("GET", "/metrics")
        try:
            return response.read().decode("utf-8")
        finally:
            response.close()

    # Transport

    def _submit(self, path, script_name, fields, arg_parts, large_files, on_progress, resumable_from):
        """Sends a submission: its large files stored first (by hash), the rest as a form. If the
        server lost one of those between our check and the submission (its last task deleted
        meanwhile: 400 blob_not_found), they are sent again, and the submission once more."""
        large = LargeFiles(large_files, resumable_from)
        form_total = MultipartForm([], arg_parts + large.as_parts).total
        if large_files:
            self.get_script(script_name)
        for again in (False, True):
            progress = Progress(on_progress, form_total + large.stored_size)
            large.store(self._http, self._records, progress, again=again)
            progress.total = form_total + large.stored_size
            form = MultipartForm(fields + large.fields(), arg_parts + large.as_parts, lambda sent, _total: progress.sending(sent))
            try:
                return self._upload(path, form)
            except CubQueueApiError as error:
                if again or not large.by_hash or (error.status, error.code) != (400, "blob_not_found"):
                    raise

    def _upload(self, path, form):
        return self._http.json("POST", path, body=iter(form), headers={"Content-Type": form.content_type}, length=form.length)

    def _download(self, task_id, folder, output_dir, format, overwrite, on_progress):
        if format not in ARCHIVE_FORMATS:
            raise ValueError("Invalid format {!r}: use one of {}".format(format, ", ".join(ARCHIVE_FORMATS)))
        response = self._http.request("GET", _task_path(task_id, folder), query={"format": format})
        try:
            total = _int_header(response, "X-CubQueue-Unpacked-Size")
            progress = {"written": 0}

            def on_write(count):
                progress["written"] += count
                if on_progress:
                    on_progress(progress["written"], total)

            result = receive_archive(response, output_dir, format, overwrite=overwrite, on_write=on_write)
        finally:
            response.close()
        result["omitted"] = {"count": _int_header(response, "X-CubQueue-Omitted") or 0, "reasons": _reasons(response.getheader("X-CubQueue-Omitted-Reasons"))}
        return result


def _task_path(task_id, rest=""):
    return "/api/task/" + quote(str(task_id), safe="") + rest


def _int_header(response, name):
    value = response.getheader(name)
    return int(value) if value is not None and value.isdigit() else None


def _reasons(header):
    """ "special_file=2, symlink=1" → {"special_file": 2, "symlink": 1}."""
    reasons = {}
    for part in (header or "").split(","):
        reason, _, count = part.strip().partition("=")
        if reason and count.isdigit():
            reasons[reason] = int(count)
    return reasons
