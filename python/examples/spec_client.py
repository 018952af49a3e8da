"""The Python client section of CubQueue's specification, as it is written there, made runnable:
the paths come from the command line, and a summary is printed at the end.

    python examples/spec_client.py URL SCRIPT ARG_FILE FILE1 FILE2 OUTPUT_DIR

The script registered should still be running when the example cancels its task (the spec
cancels it right after downloading); cancelling a task that already finished raises
CubQueueApiError (409 task_finished).
"""

import json
import sys

from cubqueue.client import CubQueueClient

url, script, arg_file, file1, file2, output_dir = sys.argv[1:7]

# 创建客户端
client = CubQueueClient(url)

# 注册script
client.register("script_name", "script description", script)

# 查看注册的script
scripts = client.list_scripts()

# 提交任务
task_id = client.submit_task("script_name", arg_file, [file1, file2])

# 查看任务列表
tasks = client.list_tasks()

# 查看任务状态
status = client.get_task_status(task_id)

# 查看任务log
log_content = client.get_task_log(task_id, lines=100)

# 下载任务中间文件夹
client.download_task_metadata(task_id, output_dir)

# 下载任务结果文件
client.download_task_result(task_id, output_dir)

# 取消任务
client.cancel_task(task_id)

# 等待任务完成（如果需要）
result = client.wait_for_task(task_id)

print(
    json.dumps(
        {
            "scripts": [each["name"] for each in scripts],
            "listed": [each["task_id"] for each in tasks] == [task_id],
            "status": status["status"],
            "log_is_text": isinstance(log_content, str),
            "result": result["status"],
            "files": [each["name"] for each in result["files"]],
        }
    )
)
