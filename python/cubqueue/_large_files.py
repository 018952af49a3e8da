"""The large files of a submission: those of at least `resumable_from` bytes are stored on the
server first (by hash if it has them, else resumably) and named in the form by hash; the
others go in the form as file parts, as they always have.

A file named by hash costs nothing the second time it is submitted (the same reads for every
task of a series), and a submission cut off halfway resumes instead of starting over.
"""

import inspect
import os

from ._resumable import hash_file, store_file


class LargeFiles:
    """Which of the files (file1, file2, … in order) go by hash, and which as file parts.
    Every file is checked up front: a missing one fails before a byte is hashed or sent."""

    def __init__(self, paths, resumable_from):
        self.by_hash = []  # [number, path, size, sha256 or None]
        self.as_parts = []
        for number, path in enumerate(paths, start=1):
            path = os.fspath(path)
            if not os.path.isfile(path):
                raise FileNotFoundError("Cannot read {}: no such file".format(path))
            size = os.path.getsize(path)
            if resumable_from is not None and size >= resumable_from:
                self.by_hash.append([number, path, size, None])
            else:
                self.as_parts.append(("file{}".format(number), path))
        self.stored_size = sum(size for _, _, size, _ in self.by_hash)

    def store(self, http, records, report, again=False):
        """Hashes the files that go by hash (all first, so that hashing and sending each have
        one progress), then makes sure the server stores each. `again` (the server lost a blob
        between our check and the submission) forgets their resume records and sends them anew."""
        hashed = [0]

        def on_hashed(count):
            hashed[0] += count
            report.hashing(hashed[0], self.stored_size)

        for entry in self.by_hash:
            if entry[3] is None:
                entry[3], entry[2] = hash_file(entry[1], on_hashed)
        self.stored_size = sum(size for _, _, size, _ in self.by_hash)
        for number, path, size, sha256 in self.by_hash:
            if again:
                records.forget(sha256)
            store_file(http, records, path, sha256, size, lambda have, _total, number=number: report.stored(number, have))

    def fields(self):
        """fileN_sha256 and fileN_name (its base name: the task's copy keeps its extension) of each file stored first."""
        fields = []
        for number, path, _, sha256 in self.by_hash:
            fields += [("file{}_sha256".format(number), sha256), ("file{}_name".format(number), os.path.basename(path))]
        return fields


class Progress:
    """One submission's on_progress(sent, total): `total` is the bytes of all its files, `sent`
    what the server has of them (a file it already stores counts whole at once, a resumed one
    from its offset), then the form's bytes as they go out. A callback that takes a `phase`
    keyword is also told of hashing, as (hashed, bytes to hash, phase="hashing"); the others
    see only sending, as before, with phase="uploading" for those that take it."""

    def __init__(self, on_progress, total):
        self._call = on_progress
        self._phase = on_progress is not None and takes_phase(on_progress)
        self.total = total
        self._stored = {}

    def hashing(self, done, total):
        if self._phase:
            self._call(done, total, phase="hashing")

    def stored(self, number, have):
        self._stored[number] = have
        self.sending(0)

    def sending(self, form_sent):
        if self._call is None:
            return
        sent = sum(self._stored.values()) + form_sent
        if self._phase:
            self._call(sent, self.total, phase="uploading")
        else:
            self._call(sent, self.total)


def takes_phase(callback):
    """Whether on_progress accepts phase= (named, or **kwargs): older callbacks take (sent, total) only."""
    try:
        parameters = inspect.signature(callback).parameters.values()
    except (TypeError, ValueError):
        return False
    return any((p.name == "phase" and p.kind != p.POSITIONAL_ONLY) or p.kind == p.VAR_KEYWORD for p in parameters)
