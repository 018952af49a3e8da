"""Large files through the Python client against a live server; prints what it saw as JSON.

    python large_files.py twice URL WORK_DIR          the same large file submitted again, and in an array
    python large_files.py upload URL FILE [DELAY_S]   upload_file, printing each progress call (slowed by DELAY_S)
    python large_files.py lost_blob URL WORK_DIR       a stored file that goes between the check and the submission
"""

import hashlib
import http.client
import json
import os
import re
import sys
import time
from urllib.parse import urlsplit

import cubqueue._large_files
import cubqueue._resumable
from cubqueue.client import CubQueueClient

MiB = 1024 * 1024
SUM_SCRIPT = "#!/bin/sh\nsha256sum \"$(sed -n 's/.*\"input\": *\"\\([^\"]*\\)\".*/\\1/p' \"$1\")\"\n"


def uploaded_bytes(client):
    """cubqueue_uploaded_bytes_total: every byte the server received, by form or by PATCH."""
    return int(float(re.search(r"^cubqueue_uploaded_bytes_total(?:\{\})? (\S+)$", client.metrics(), re.M).group(1)))


def prepare(client, work, size):
    with open(os.path.join(work, "sum.sh"), "w") as handle:
        handle.write(SUM_SCRIPT)
    client.register("sum", "Prints the sha256 of its input", os.path.join(work, "sum.sh"))
    with open(os.path.join(work, "args.json"), "w") as handle:
        json.dump({"input": "<file1>"}, handle)
    big = os.path.join(work, "reads.fq")
    with open(big, "wb") as handle:
        for _ in range(size // MiB):
            handle.write(os.urandom(MiB))
    with open(big, "rb") as handle:
        return os.path.join(work, "args.json"), big, hashlib.sha256(handle.read()).hexdigest()


def logged_sha(client, task_id):
    task = client.wait_for_task(task_id, timeout=60)
    return [task["status"], client.get_task_log(task_id).split(" ")[0]]


def twice(url, work):
    client = CubQueueClient(url)
    args, big, sha256 = prepare(client, work, 12 * MiB)
    before = uploaded_bytes(client)
    first = client.submit_task("sum", args, [big])
    middle = uploaded_bytes(client)
    progress = []
    second = client.submit_task("sum", args, [big], on_progress=lambda sent, total: progress.append([sent, total]))
    after = uploaded_bytes(client)
    array = client.submit_array("sum", [args, args], [big])
    end = uploaded_bytes(client)
    return {
        "size": os.path.getsize(big),
        "args_bytes": os.path.getsize(args),
        "sha256": sha256,
        "sent": {"first": middle - before, "second": after - middle, "array": end - after},
        "second_progress": {"first": progress[0], "last": progress[-1]},
        "logged": [logged_sha(client, task_id) for task_id in [first, second] + array["task_ids"]],
        "files": [{key: file[key] for key in ("placeholder", "name", "sha256")} for file in client.get_task_status(second)["files"]],
        "stored_name_kept_extension": client.get_task_status(second)["files"][0]["stored_name"].endswith(".fq"),
    }


def upload(url, path, delay_s=0.0):
    client = CubQueueClient(url)
    before = uploaded_bytes(client)

    def on_progress(sent, total, phase):
        print("progress {} {} {}".format(phase, sent, total), flush=True)
        if phase == "uploading" and delay_s:
            time.sleep(delay_s)

    result = client.upload_file(path, on_progress=on_progress)
    return dict(result, sent=uploaded_bytes(client) - before, stored=client.has_blob(result["sha256"])["size"])


def lost_blob(url, work):
    """The file is stored (upload_file, whose finished upload holds it); once submit_task has
    checked so, the upload is deleted, and the file with it, as when the last task using a file
    is deleted: the submission must upload it again and succeed."""
    client = CubQueueClient(url)
    args, big, sha256 = prepare(client, work, 9 * MiB)
    urls = []
    save = cubqueue._resumable.ResumeRecords.save
    cubqueue._resumable.ResumeRecords.save = lambda self, sha, url, length: urls.append(url) or save(self, sha, url, length)
    stored = client.upload_file(big)
    calls = []
    store_file = cubqueue._large_files.store_file

    def store_then_lose(*arguments, **keywords):
        reused = store_file(*arguments, **keywords)
        calls.append("reused" if reused else "uploaded")
        if len(calls) == 1:
            parts = urlsplit(url)
            connection = http.client.HTTPConnection(parts.hostname, parts.port)
            connection.request("DELETE", urls[0], headers={"Tus-Resumable": "1.0.0", "X-CubQueue-Client": "python"})
            calls.append(connection.getresponse().status)
            connection.close()
            calls.append("stored" if client.has_blob(sha256) else "gone")
        return reused

    cubqueue._large_files.store_file = store_then_lose
    before = uploaded_bytes(client)
    task_id = client.submit_task("sum", args, [big])
    return {
        "size": os.path.getsize(big),
        "args_bytes": os.path.getsize(args),
        "sha256": sha256,
        "first_upload": stored["reused"],
        "calls": calls,
        "sent": uploaded_bytes(client) - before,
        "logged": logged_sha(client, task_id),
    }


if __name__ == "__main__":
    command, rest = sys.argv[1], sys.argv[2:]
    if command == "upload" and len(rest) > 2:
        rest[2] = float(rest[2])
    print(json.dumps({"twice": twice, "upload": upload, "lost_blob": lost_blob}[command](*rest)))
