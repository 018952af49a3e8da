"""The errors the client raises. All are CubQueueError, so one `except` catches every failure."""


class CubQueueError(Exception):
    """Something CubQueue, or reaching it, went wrong."""


class CubQueueApiError(CubQueueError):
    """The server answered with an error: its HTTP status and its machine-readable code.

    `code` is the server's (`task_not_found`, `script_name_taken`, …), or `unexpected_response`
    when what answered is not CubQueue (an HTML page, a proxy's error).
    """

    def __init__(self, status, code, message):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


class CubQueueConnectionError(CubQueueError):
    """No server answered at that address (refused, unknown host, reset, timed out)."""

    def __init__(self, url, reason):
        super().__init__("Cannot reach a CubQueue server at {} ({})".format(url, reason))
        self.url = url
        self.reason = reason


class CubQueueTimeoutError(CubQueueError, TimeoutError):
    """wait_for_task gave up: the task had not finished within the time it was given."""

    def __init__(self, task_id, status, timeout):
        super().__init__("Task {} is still {} after {:g} s.".format(task_id, status, timeout))
        self.task_id = task_id
        self.status = status
        self.timeout = timeout


class CubQueueFileExistsError(CubQueueError, FileExistsError):
    """A download would put files where its output folder already has some; nothing was written.

    `path` is the first such file, `count` how many there are. `overwritable` is False when one
    of them is a folder or a link to one, which a download never replaces.
    """

    def __init__(self, path, count, overwritable):
        if overwritable:
            more = ", and {} more of the download's files too".format(count - 1) if count > 1 else ""
            message = "{} already exists{}; nothing was written. Download into another folder, or pass overwrite=True.".format(path, more)
        else:
            message = (
                "{} is in the way: the download has something else there (a file where a folder is, a folder where a file "
                "or link is), which it never replaces; nothing was written. Download into another folder.".format(path)
            )
        super().__init__(message)
        self.path = path
        self.count = count
        self.overwritable = overwritable
