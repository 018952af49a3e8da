"""Which Python method covers each operation of CubQueue's REST API (openapi/openapi.json).

Every operationId of the document is in exactly one of the two tables below, and CubQueue's
test suite fails otherwise (test/python/contract.test.ts). A new operation in the API is one
line here and its method in client.py, or one line in NOT_IN_PYTHON saying why the Python
client deliberately leaves it out.
"""

#: operationId → the CubQueueClient method that calls it.
METHOD_FOR_OPERATION = {
    "registerScript": "register",
    "listScripts": "list_scripts",
    "getScript": "get_script",
    "unregisterScript": "unregister_script",
    "submitTask": "submit_task",
    "listTasks": "list_tasks",
    "getTask": "get_task_status",
    "getTaskLog": "get_task_log",
    "downloadTaskMetadata": "download_task_metadata",
    "downloadTaskResult": "download_task_result",
    "cancelTask": "cancel_task",
    "restartTask": "restart_task",
    "deleteTask": "delete_task",
    "flushTasks": "flush_tasks",
    "submitTaskArray": "submit_array",
    "editTask": "edit_task",
    "holdTask": "hold_task",
    "releaseTask": "release_task",
    "suspendTask": "suspend_task",
    "resumeTask": "resume_task",
    "downloadTaskLog": "download_task_log",
    "followTaskLog": "follow_task_log",
    "streamEvents": "events",
    "getQueue": "get_queue",
    "updateQueue": "set_concurrency",
    "pauseQueue": "pause_queue",
    "resumeQueue": "resume_queue",
    "health": "health",
    "metrics": "metrics",
    # Resumable uploads (tus): upload_file starts one (POST), asks where it stands (HEAD, the
    # same route as GET) and sends the rest (PATCH); submit_task calls it for large files.
    "createUpload": "upload_file",
    "getUpload": "upload_file",
    "uploadOffset": "upload_file",
    "appendUpload": "upload_file",
    "getBlob": "has_blob",
    "hasBlob": "has_blob",
}

#: operationId → why the Python client has no method for it.
NOT_IN_PYTHON = {
    "uploadCapabilities": "tus discovery (OPTIONS): the client speaks tus 1.0.0 with the creation extension, which every server with /api/upload offers, so it has nothing to ask.",
    "deleteUpload": "upload_file never gives an upload up: an unfinished one is resumed by the next call for the same file (its resume record), and the server drops one left alone past its expiry.",
}
