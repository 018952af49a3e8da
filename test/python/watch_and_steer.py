"""The Python client's steering and watching methods against a live server; prints what it saw as JSON.

    python watch_and_steer.py URL WORK_DIR
"""

import json
import os
import sys
import threading

from cubqueue.client import CubQueueClient
from cubqueue.errors import CubQueueApiError, CubQueueFileExistsError

url, work = sys.argv[1:3]
client = CubQueueClient(url)
seen = {}


def path(*parts):
    return os.path.join(work, *parts)


def write(name, text):
    with open(path(name), "w") as handle:
        handle.write(text)
    return path(name)


write("args.json", json.dumps({"n": 3}))
write("args2.json", json.dumps({"n": 2}))
# Writes numbered lines with progress between them, and reads its own environment.
client.register(
    "counter",
    "Counts",
    write(
        "counter.sh",
        '#!/bin/sh\nfor i in $(seq 1 200); do echo "line $i $GREETING"; done\necho "50 half way" > "$CUBQUEUE_PROGRESS_FILE"\nsleep 0.5\n'
        'for i in $(seq 201 400); do echo "line $i"; done\n',
    ),
)
client.register("slow", "Sleeps", write("slow.sh", "#!/bin/sh\necho started\nsleep 30\n"))

# Events of the tagged tasks, collected while the rest goes on, until the task has succeeded.
events = []
ready = threading.Event()


def collect():
    for event in client.events(tags={"suite": "python"}):
        events.append(event)
        if event["type"] == "transition" and event["to"] == "succeeded":
            return


collector = threading.Thread(target=collect, daemon=True)
collector.start()

seen["paused"] = client.pause_queue()["paused"]
task_id = client.submit_task("counter", path("args.json"), name="count", tags={"suite": "python", "n": "3"}, priority=3, env={"GREETING": "hello"}, hold=True)
seen["held"] = client.get_task_status(task_id)["status"]
edited = client.edit_task(task_id, priority=7, name="count again", arg_file=path("args2.json"))
seen["edited"] = {key: edited[key] for key in ("priority", "name", "status")}
seen["released"] = client.release_task(task_id)["status"]
queue = client.get_queue()
seen["queue"] = {"paused": queue["paused"], "queued": queue["counts"]["queued"]}
seen["concurrency"] = client.set_concurrency(2)["concurrency"]
seen["unknown_option"] = None
try:
    client.submit_task("counter", path("args.json"), priority_level=1)
except TypeError as error:
    seen["unknown_option"] = str(error).split(";")[0]
seen["bad_option"] = None
try:
    client.submit_task("counter", path("args.json"), env={"CUBQUEUE_X": "1"})
except CubQueueApiError as error:
    seen["bad_option"] = [error.status, error.code]
seen["resumed"] = client.resume_queue()["paused"]

# A tail longer than the log: every line, whether the task starts writing before the follow begins or after.
followed = b"".join(client.follow_task_log(task_id, lines=1000))
lines = followed.decode().splitlines()
seen["followed"] = {"count": len(lines), "first": lines[0], "last": lines[-1], "in_order": lines == ["line {}{}".format(i, " hello" if i <= 200 else "") for i in range(1, 401)]}
task = client.wait_for_task(task_id, timeout=60)
seen["finished"] = {key: task[key] for key in ("status", "name", "tags", "progress", "env")}
seen["saved_bytes"] = client.download_task_log(task_id, path("task.log"))
with open(path("task.log"), "rb") as handle:
    seen["saved_matches"] = handle.read() == followed
try:
    client.download_task_log(task_id, path("task.log"))
except CubQueueFileExistsError as error:
    seen["saved_again"] = str(error)
seen["overwritten"] = client.download_task_log(task_id, path("task.log"), overwrite=True)
seen["listed"] = [each["task_id"] == task_id for each in client.list_tasks(tags={"suite": "python"}, name="count again")]
seen["by_prefix"] = [each["task_id"] == task_id for each in client.list_tasks(id_prefix=task_id[:8])]

collector.join(30)
seen["events"] = [(each["type"], each.get("status") or each.get("from"), each.get("to"), each.get("progress")) for each in events if each["task_id"] == task_id]
replayed = []
for event in client.events(task_id=task_id, last_event_id=events[0]["id"]):
    replayed.append(event["id"])
    if len(replayed) == len(events) - 1:
        break
seen["replayed_after_first"] = replayed == [each["id"] for each in events[1:]]

array = client.submit_array("counter", [path("args.json"), path("args2.json")], max_running=1, name="batch")
seen["array"] = {"tasks": len(array["task_ids"]), "max_running": array["max_running"]}
seen["array_done"] = [client.wait_for_task(each, timeout=60)["status"] for each in array["task_ids"]]

slow = client.submit_task("slow", path("args.json"))
for chunk in client.follow_task_log(slow, lines=1):
    break  # It has started once it has written (a line written before the follow began comes first).
seen["suspended"] = client.suspend_task(slow)["status"]
seen["resumed_task"] = client.resume_task(slow)["status"]
seen["held_running"] = None
try:
    client.hold_task(slow)
except CubQueueApiError as error:
    seen["held_running"] = [error.status, error.code]
seen["cancelled"] = client.cancel_task(slow)["status"]

seen["health"] = client.health()
seen["metrics_has_tasks"] = "cubqueue_tasks{" in client.metrics()
print(json.dumps(seen))
