"""Every method of the Python client against a live server, and its errors; prints what it saw as JSON.

    python every_method.py URL WORK_DIR ECHO_SCRIPT NOT_CUBQUEUE_URL
"""

import json
import os
import sys

from cubqueue.client import CubQueueClient
from cubqueue.errors import CubQueueApiError, CubQueueConnectionError, CubQueueFileExistsError, CubQueueTimeoutError

url, work, echo_script, not_cubqueue = sys.argv[1:5]
client = CubQueueClient(url)
seen = {}


def error_of(call):
    try:
        call()
    except (CubQueueApiError, CubQueueConnectionError, CubQueueFileExistsError, CubQueueTimeoutError) as error:
        return {"type": type(error).__name__, "code": getattr(error, "code", None), "status": getattr(error, "status", None), "message": str(error)}
    return None


def path(*parts):
    return os.path.join(work, *parts)


with open(path("args.json"), "w") as handle:
    json.dump({"inputs": ["<file1>"], "label": "every"}, handle)
with open(path("input.dat"), "wb") as handle:
    handle.write(b"x" * 100000)

seen["register"] = client.register("echo_args", "Echoes", echo_script)["version"]
seen["replace"] = client.register("echo_args", None, echo_script, replace=True)["version"]
seen["get_script"] = [each["version"] for each in client.get_script("echo_args")["versions"]]
progress = []
task_id = client.submit_task("echo_args", path("args.json"), [path("input.dat")], max_retries=1, timeout_s=60, on_progress=lambda sent, total: progress.append((sent, total)))
seen["upload_progress_end"] = list(progress[-1])
task = client.wait_for_task(task_id, timeout=30)
seen["task"] = {key: task[key] for key in ("status", "exit_code", "max_retries", "timeout_s", "script_version")}
seen["files"] = [(each["placeholder"], each["name"], each["size"]) for each in task["files"]]
seen["list"] = [each["task_id"] == task_id for each in client.list_tasks(status="succeeded", script="echo_args", limit=5)]
seen["page"] = sorted(client.list_tasks_page(limit=1).keys())
seen["log"] = client.get_task_log(task_id, lines=1)
seen["log_tail"] = {key: client.get_task_log_tail(task_id, 2, attempt=1)[key] for key in ("attempt", "truncated")}

written = []
seen["download"] = client.download_task_result(task_id, path("result"), format="zip", on_progress=lambda done, total: written.append((done, total)))
seen["download_progress_end"] = list(written[-1])
seen["downloaded"] = sorted(os.listdir(path("result")))
seen["metadata"] = client.download_task_metadata(task_id, path("meta"), format="tar")["files"]
seen["refused"] = error_of(lambda: client.download_task_result(task_id, path("result")))
seen["overwrite"] = client.download_task_result(task_id, path("result"), overwrite=True)["files"]

seen["cancel_finished"] = error_of(lambda: client.cancel_task(task_id))
seen["restart"] = client.restart_task(task_id, arg_file=path("args.json"))["status"]
seen["restarted"] = client.wait_for_task(task_id, timeout=30)["attempts"]
seen["delete"] = client.delete_task(task_id)["task_id"] == task_id
seen["flush"] = client.flush_tasks(status="failed", older_than_s=0)

with open(path("slow.sh"), "w") as handle:
    handle.write("#!/bin/sh\nsleep 30\n")
client.register("slow", "Sleeps", path("slow.sh"))
slow = client.submit_task("slow", path("args.json"), [path("input.dat")])
seen["timeout"] = error_of(lambda: client.wait_for_task(slow, timeout=0.3))
seen["cancel"] = client.cancel_task(slow)["status"]

seen["unknown_task"] = error_of(lambda: client.get_task_status("00000000-0000-4000-8000-000000000000"))
seen["unknown_script"] = error_of(lambda: client.submit_task("no_such", path("args.json"), [path("input.dat")]))
seen["bad_name"] = error_of(lambda: client.register("bad name", "x", echo_script))
seen["unregister"] = client.unregister_script("slow")["name"]
seen["not_cubqueue"] = error_of(lambda: CubQueueClient(not_cubqueue).list_scripts())
seen["offline"] = error_of(lambda: CubQueueClient("http://127.0.0.1:9").list_scripts())
print(json.dumps(seen))
