"""Large files cross the network once: named by their hash when the server has them, else sent
resumably (tus 1.0.0 at /api/upload), so that a cut connection or a killed client costs only
the bytes that were in flight.

Where an upload stands is kept in a resume record on this machine, one small JSON file per
(server, file content): a client started again, or the TypeScript SDK and `cubqueue submit`,
which read and write the same records, pick the upload up where the server's copy ends.
"""

import base64
import hashlib
import json
import os
import tempfile
import time
from urllib.parse import quote, urlsplit

from ._multipart import CHUNK
from .errors import CubQueueApiError, CubQueueConnectionError, CubQueueError

#: Files at least this large go by hash or resumably in submit_task and submit_array.
RESUMABLE_FROM = 8 * 1024 * 1024
#: How many times in a row an upload is tried again without the server getting a byte more.
MAX_TRIES_WITHOUT_PROGRESS = 5
FIRST_DELAY_S = 0.5
MAX_DELAY_S = 10.0
TUS_HEADERS = {"Tus-Resumable": "1.0.0"}


def hash_file(path, on_hashed=None):
    """(sha256 hex, size) of a file, read in 1 MiB chunks: a file of any size takes no memory.
    on_hashed(count) is told of each chunk, as hashing a large file takes a while."""
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
            size += len(chunk)
            if on_hashed:
                on_hashed(len(chunk))
    return digest.hexdigest(), size


def stored_blob(http, sha256):
    """The server's blob of this content ({"sha256", "size", "stored_at"}), or None if it has none."""
    response = http.request("GET", "/api/blob/" + quote(sha256, safe=""), allow=(404,))
    try:
        body = json.loads(response.read().decode("utf-8"))
    except ValueError:
        body = {}
    finally:
        response.close()
    if response.status == 404:
        if body.get("error", {}).get("code") != "blob_not_found":
            raise CubQueueApiError(404, "unexpected_response", "The server at {} has no /api/blob: is it a CubQueue server that stores files by hash?".format(http.base_url))
        return None
    return body


def store_file(http, records, path, sha256, size, on_progress=None):
    """Makes sure the server stores this content: True if it had it already (not a byte sent),
    False once it was uploaded. on_progress(have, size) as for upload_resumably."""
    if stored_blob(http, sha256) is not None:
        # An upload of it left unfinished is of no more use.
        records.forget(sha256)
        if on_progress:
            on_progress(size, size)
        return True
    upload_resumably(http, records, path, sha256, size, on_progress)
    return False


class ResumeRecords:
    """The resume records of one server: `<sha256 of (base_url + "\\n" + file sha256)>.json`,
    each {"url": "/api/upload/<id>", "length": N}, in $XDG_CACHE_HOME/cubqueue/uploads (default
    ~/.cache/cubqueue/uploads). Private (0700 folder, 0600 files): an upload's URL is all it
    takes to send bytes into it. A record that cannot be read is as good as none."""

    def __init__(self, base_url, directory=None):
        self.base_url = base_url
        self.directory = directory or records_dir()

    def path_for(self, sha256):
        key = hashlib.sha256((self.base_url + "\n" + sha256).encode("utf-8")).hexdigest()
        return os.path.join(self.directory, key + ".json")

    def load(self, sha256):
        try:
            with open(self.path_for(sha256), "r", encoding="utf-8") as handle:
                record = json.load(handle)
        except (OSError, ValueError):
            return None
        if not isinstance(record, dict) or not isinstance(record.get("url"), str) or not isinstance(record.get("length"), int):
            return None
        return record

    def save(self, sha256, url, length):
        """Written whole or not at all (a temporary file renamed), so a killed client leaves no half record."""
        os.makedirs(self.directory, mode=0o700, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=self.directory, prefix=".record-", suffix=".tmp")
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                json.dump({"url": url, "length": length}, handle)
            os.chmod(temporary, 0o600)
            os.replace(temporary, self.path_for(sha256))
        except BaseException:
            if os.path.lexists(temporary):
                os.unlink(temporary)
            raise

    def forget(self, sha256):
        try:
            os.unlink(self.path_for(sha256))
        except FileNotFoundError:
            pass


def records_dir():
    """$XDG_CACHE_HOME/cubqueue/uploads, or ~/.cache/cubqueue/uploads (the XDG default)."""
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(cache, "cubqueue", "uploads")


def upload_resumably(http, records, path, sha256, size, on_progress=None):
    """Makes the server store the file: resumes the upload its record names if the server still
    has it (HEAD), else starts one; then sends the rest in one PATCH, tried again from the
    server's offset when the connection fails. on_progress(have, size) counts the bytes the
    server has, so a resumed upload starts at its offset. Returns the stored content's sha256."""
    record = records.load(sha256)
    state = _where(http, record["url"]) if record and record["length"] == size else None
    if state is None or state[1] != size:
        url = _create(http, path, sha256, size)
        records.save(sha256, url, size)
        state = (0, size, None)
    else:
        url = record["url"]
    try:
        stored = _send(http, url, path, state, size, on_progress)
    except CubQueueApiError as error:
        # The server kept nothing of an upload whose bytes did not make the declared hash.
        if error.code == "hash_mismatch":
            records.forget(sha256)
        raise
    if stored != sha256:
        records.forget(sha256)
        raise CubQueueError("The server stored {} as sha256 {}, not {}: did the file change while it was being uploaded?".format(path, stored, sha256))
    records.forget(sha256)
    return stored


def _create(http, path, sha256, size):
    """Starts an upload (tus creation), declaring the file's hash: the server refuses bytes that do not make it."""
    metadata = "filename {},sha256 {}".format(_b64(os.path.basename(path)), _b64(sha256))
    headers = dict(TUS_HEADERS, **{"Upload-Length": str(size), "Upload-Metadata": metadata})
    response = http.request("POST", "/api/upload", headers=headers, body=b"")
    try:
        body = json.loads(response.read().decode("utf-8") or "{}")
    except ValueError:
        body = {}
    finally:
        response.close()
    url = body.get("url") or urlsplit(response.getheader("Location") or "").path
    if not url:
        raise CubQueueApiError(response.status, "unexpected_response", "The server at {} started an upload but did not say where it is.".format(http.base_url))
    return url


def _where(http, url):
    """(offset, length, sha256 once complete) of an upload, or None when the server no longer
    has it (404, or 410: abandoned past its expiry): then a new one is started. HEAD, as tus
    says: the server first ends a PATCH of ours it may still be reading, so the offset holds."""
    try:
        response = http.request("HEAD", url, headers=TUS_HEADERS)
    except CubQueueApiError as error:
        if error.status in (404, 410):
            return None
        raise
    response.close()
    offset, length = _int(response.getheader("Upload-Offset")), _int(response.getheader("Upload-Length"))
    if offset is None or length is None:
        raise CubQueueApiError(response.status, "unexpected_response", "The server at {} did not say where upload {} stands.".format(http.base_url, url))
    return offset, length, response.getheader("X-CubQueue-Sha256")


def _send(http, url, path, state, size, on_progress):
    """PATCHes the file from the server's offset to its end; after a failed try, asks the offset
    again and sends from there. Gives up after MAX_TRIES_WITHOUT_PROGRESS tries in a row that
    got no byte further, waiting a little longer after each (0.5 s, doubling, at most 10 s)."""
    offset, _, stored = state
    failures, delay = 0, FIRST_DELAY_S
    while True:
        if on_progress:
            on_progress(offset, size)
        if offset == size and stored:
            return stored
        before = offset
        try:
            headers = dict(TUS_HEADERS, **{"Content-Type": "application/offset+octet-stream", "Upload-Offset": str(offset)})
            response = http.request("PATCH", url, body=_read(path, offset, size, on_progress), headers=headers, length=size - offset)
            response.close()
            answered = _int(response.getheader("Upload-Offset"))
            offset, stored = (offset if answered is None else answered), response.getheader("X-CubQueue-Sha256")
            if offset == size and stored:
                if on_progress:
                    on_progress(size, size)
                return stored
            error = None
        except CubQueueConnectionError as failure:
            error = failure
        except CubQueueApiError as failure:
            # Someone else (another client resuming the same record) moved the offset: ask it.
            if failure.code != "offset_mismatch":
                raise
            error = failure
        try:
            state = _where(http, url)
        except CubQueueConnectionError as failure:
            error, state = failure, (before, size, None)
        if state is None:
            raise CubQueueApiError(410, "upload_expired", "The server gave up upload {} while it was being sent; upload the file again.".format(url))
        offset, _, stored = state
        if offset > before:
            failures, delay = 0, FIRST_DELAY_S
            continue
        failures += 1
        if failures >= MAX_TRIES_WITHOUT_PROGRESS:
            raise error or CubQueueError("Upload {} made no progress in {} tries.".format(url, failures))
        time.sleep(delay)
        delay = min(delay * 2, MAX_DELAY_S)


def _read(path, offset, size, on_progress):
    """The file's bytes from offset to size, in 1 MiB chunks, reported as they go out."""
    with open(path, "rb") as handle:
        handle.seek(offset)
        sent = offset
        while sent < size:
            chunk = handle.read(min(CHUNK, size - sent))
            if not chunk:
                # Not an OSError: that would pass for a cut connection, and be tried again.
                raise CubQueueError("{} became shorter while it was being uploaded".format(path))
            sent += len(chunk)
            yield chunk
            if on_progress:
                on_progress(sent, size)


def _b64(text):
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def _int(value):
    return int(value) if value is not None and value.strip().isdigit() else None
