"""The CubQueue client: `from cubqueue.client import CubQueueClient`.

Its methods are the spec's (register, list_scripts, submit_task, list_tasks, get_task_status,
get_task_log, download_task_metadata, download_task_result, cancel_task, wait_for_task), with
the spec's argument order, and one for each other operation of the API (see operations.py).
Tasks and scripts are returned as the server sends them: dicts with the fields of the API's
`Task` and `Script` (task_id, status, exit_code, …). Uploads and downloads are streamed.
Failures raise CubQueueApiError (the server said no, with its code), CubQueueConnectionError
(no server answered), CubQueueTimeoutError and CubQueueFileExistsError; all are CubQueueError.
"""

import json
import time
from urllib.parse import quote

from ._http import Connection
from ._multipart import MultipartForm
from ._unpack import receive_archive
from .errors import CubQueueTimeoutError

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

    def submit_task(self, script_name, arg_file, large_files=(), max_retries=None, retry_delay_s=None, retry_backoff=None, timeout_s=None, on_progress=None):
        """Submits a task: the JSON argument file and the large files (`<file1>`, `<file2>`, … in
        that order) are streamed to the server. Returns the new task's id.

        With large files, the script is looked up first: a mistyped name must not cost a long
        upload. on_progress(sent, total) is called as the files' bytes go out.
        """
        fields = [("script_name", script_name)]
        policy = [("max_retries", max_retries), ("retry_delay_s", retry_delay_s), ("retry_backoff", retry_backoff), ("timeout_s", timeout_s)]
        for name, value in policy:
            if value is not None:
                fields.append((name, json.dumps(value) if isinstance(value, bool) else value))
        files = [("arg_file", arg_file)] + [("file{}".format(index + 1), path) for index, path in enumerate(large_files)]
        form = MultipartForm(fields, files, on_progress)
        if large_files:
            self.get_script(script_name)
        return self._upload("/api/task", form)["task_id"]

    def list_tasks(self, status=None, script=None, limit=None, cursor=None):
        """The newest tasks (one page; see list_tasks_page for paging), optionally of one status or script."""
        return self.list_tasks_page(status=status, script=script, limit=limit, cursor=cursor)["tasks"]

    def list_tasks_page(self, status=None, script=None, limit=None, cursor=None):
        """One page of tasks, newest first: {"tasks": [...], "next_cursor": ...}; pass next_cursor as cursor for the next."""
        return self._http.json("GET", "/api/task", query={"status": status, "script": script, "limit": limit, "cursor": cursor})

    def get_task_status(self, task_id):
        """The task's record: its `status` (queued, running, succeeded, failed, cancelled), exit code, times, files…"""
        return self._http.json("GET", _task_path(task_id))

    def get_task_log(self, task_id, lines=100, attempt=None):
        """The last `lines` lines of the task's log (at most 1 MiB of them), the latest attempt's unless `attempt` says."""
        return self.get_task_log_tail(task_id, lines, attempt)["content"]

    def get_task_log_tail(self, task_id, lines=100, attempt=None):
        """The log's tail with what the server says of it: `content`, `bytes`, `truncated` (more than 1 MiB), `attempt`."""
        return self._http.json("GET", _task_path(task_id, "/log"), query={"lines": lines, "attempt": attempt})

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

    # Transport

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
