"""The options a task may be given (submit_task, submit_array, edit_task), as the API's form fields."""

import json

#: Each option's name, as the API spells it (see the README's table of task options).
TASK_OPTIONS = (
    "max_retries",
    "retry_delay_s",
    "retry_backoff",
    "timeout_s",
    "priority",
    "after",
    "after_any",
    "cpus",
    "gpus",
    "env",
    "name",
    "tags",
    "notify_url",
    "notify_on",
    "hold",
    "slurm_options",
)


def option_fields(options, method):
    """[(field, text)] for the options that are not None; an unknown option is a TypeError, as for any keyword."""
    fields = []
    for name, value in options.items():
        if name not in TASK_OPTIONS:
            raise TypeError("{}() got an unexpected keyword argument {!r}; the task options are {}".format(method, name, ", ".join(TASK_OPTIONS)))
        if value is not None:
            fields.append((name, _text(name, value)))
    return fields


def _text(name, value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if name in ("after", "after_any") and not isinstance(value, str):
        return ",".join(str(each) for each in value)
    if name in ("env", "tags") and isinstance(value, dict):
        return json.dumps(value)
    if name == "slurm_options" and not isinstance(value, str):
        return json.dumps(list(value))
    return str(value)
