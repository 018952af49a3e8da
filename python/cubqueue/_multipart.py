"""A multipart/form-data body that reads its files while it is sent.

The body's length is known before a byte is sent (every part's header is, and every file's
size), so it goes out with a Content-Length, and a server with an upload limit can refuse it
at once. Files are read in 1 MiB chunks: a 100 GiB upload takes no more memory than a small one.
"""

import os
import uuid

CHUNK = 1024 * 1024


def _quote(value):
    """Escapes what would end a header parameter, as browsers do."""
    return value.replace("\r", "%0D").replace("\n", "%0A").replace('"', "%22")


class MultipartForm:
    """Text fields and files, in the order given; files are checked (and sized) up front."""

    def __init__(self, fields, files, on_progress=None):
        self.boundary = "----cubqueue-" + uuid.uuid4().hex
        self._parts = []
        for name, value in fields:
            head = '--{}\r\nContent-Disposition: form-data; name="{}"\r\n\r\n'.format(self.boundary, _quote(name))
            self._parts.append((head.encode("utf-8") + str(value).encode("utf-8") + b"\r\n", None, 0))
        self.total = 0
        for name, path in files:
            path = os.fspath(path)
            if not os.path.isfile(path):
                raise FileNotFoundError("Cannot read {}: no such file".format(path))
            size = os.path.getsize(path)
            head = '--{}\r\nContent-Disposition: form-data; name="{}"; filename="{}"\r\nContent-Type: application/octet-stream\r\n\r\n'.format(
                self.boundary, _quote(name), _quote(os.path.basename(path))
            )
            self._parts.append((head.encode("utf-8"), path, size))
            self.total += size
        self._end = "--{}--\r\n".format(self.boundary).encode()
        self._on_progress = on_progress

    @property
    def content_type(self):
        return "multipart/form-data; boundary=" + self.boundary

    @property
    def length(self):
        return sum(len(head) + size + (2 if path else 0) for head, path, size in self._parts) + len(self._end)

    def __iter__(self):
        sent = 0
        for head, path, size in self._parts:
            yield head
            if path is None:
                continue
            left = size
            with open(path, "rb") as handle:
                while left > 0:
                    chunk = handle.read(min(CHUNK, left))
                    if not chunk:
                        raise IOError("{} became shorter while it was being uploaded".format(path))
                    left -= len(chunk)
                    sent += len(chunk)
                    if self._on_progress:
                        self._on_progress(sent, self.total)
                    yield chunk
            yield b"\r\n"
        yield self._end
