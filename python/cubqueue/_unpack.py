"""Unpacking a downloaded archive into a folder: streamed, whole or not at all, never outside it.

The archive is unpacked into a hidden staging folder inside the output folder, and moved into
place (one rename per file or new folder) only once it is complete and nothing it would
replace stands in the way: an existing file refuses the whole download unless `overwrite`,
and a folder or link in the way is never replaced. Only regular files and folders are
written; an entry with an absolute path or one that climbs out (`..`) refuses the download;
symlinks, hard links and special files are skipped. tar and tar.gz are read as they arrive;
a zip lists its entries at its end, so it is saved into the staging folder first.
Names that are not UTF-8 keep their bytes (as surrogate escapes, which os functions write back).
"""

import os
import shutil
import stat
import tarfile
import tempfile
import time
import zipfile

from .errors import CubQueueFileExistsError

CHUNK = 1024 * 1024
STAGING_PREFIX = ".cubqueue-download-"
_UTF8_NAME = 0x800


def receive_archive(stream, output_dir, archive_format, overwrite=False, on_write=None):
    """Unpacks the archive read from `stream` into output_dir; returns {files, directories, bytes}."""
    os.makedirs(output_dir, exist_ok=True)
    staging = tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=output_dir)
    try:
        unpacked = os.path.join(staging, "unpacked")
        os.mkdir(unpacked)
        folder = _OutputFolder(unpacked, on_write)
        if archive_format == "zip":
            saved = os.path.join(staging, "archive.zip")
            with open(saved, "wb") as handle:
                shutil.copyfileobj(stream, handle, CHUNK)
            _unpack_zip(saved, folder)
        else:
            mode = "r|gz" if archive_format == "tar.gz" else "r|"
            with tarfile.open(fileobj=stream, mode=mode, encoding="utf-8", errors="surrogateescape") as archive:
                _unpack_tar(archive, folder)
        folder.finish_directories()
        _move_into_place(unpacked, output_dir, overwrite)
        return folder.result
    finally:
        shutil.rmtree(staging, ignore_errors=True)


class _OutputFolder:
    """The staging folder being written, and the checks that keep every write inside it."""

    def __init__(self, root, on_write):
        self.root = os.path.realpath(root)
        self.result = {"files": 0, "directories": 0, "bytes": 0}
        self._on_write = on_write
        self._directories = []

    def resolve(self, name):
        if not name or "\0" in name or os.path.isabs(name):
            raise _refused(name, "its path is absolute or empty")
        destination = os.path.normpath(os.path.join(self.root, name))
        if destination != self.root and not destination.startswith(self.root + os.sep):
            raise _refused(name, "its path leads outside the output folder")
        return destination

    def _make_parents(self, destination, name):
        """Creates the folders on the way one at a time, refusing anything but a real folder."""
        relative = os.path.relpath(os.path.dirname(destination), self.root)
        current = self.root
        for part in [] if relative == "." else relative.split(os.sep):
            current = os.path.join(current, part)
            try:
                os.mkdir(current, 0o700)
            except FileExistsError:
                if not stat.S_ISDIR(os.lstat(current).st_mode):
                    raise _refused(name, "{} exists and is not a directory".format(current)) from None

    def add_directory(self, name, mode, mtime):
        destination = self.resolve(name.rstrip("/"))
        if destination == self.root:
            return
        self._make_parents(os.path.join(destination, "x"), name)
        self._directories.append((destination, (mode & 0o777) | 0o700, mtime))
        self.result["directories"] += 1

    def add_file(self, name, mode, mtime, content, size):
        destination = self.resolve(name)
        if destination == self.root:
            raise _refused(name, "a file cannot replace the output folder")
        self._make_parents(destination, name)
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0)
        written = 0
        with os.fdopen(os.open(destination, flags, (mode & 0o777) | 0o600), "wb") as handle:
            while True:
                chunk = content.read(CHUNK)
                if not chunk:
                    break
                handle.write(chunk)
                written += len(chunk)
                if self._on_write:
                    self._on_write(len(chunk))
        if written != size:
            raise ValueError("The archive is damaged: {!r} holds {} bytes, not the {} its header says.".format(name, written, size))
        os.chmod(destination, (mode & 0o777) | 0o600)
        os.utime(destination, (mtime, mtime))
        self.result["files"] += 1
        self.result["bytes"] += written

    def finish_directories(self):
        """Modes and times go on last and deepest first: writing inside a folder would change its time again."""
        for destination, mode, mtime in sorted(self._directories, key=lambda entry: -len(entry[0])):
            os.chmod(destination, mode)
            os.utime(destination, (mtime, mtime))


def _refused(name, reason):
    return ValueError("Refusing to extract archive entry {!r}: {}.".format(name, reason))


def _unpack_tar(archive, folder):
    for member in archive:
        if member.isdir():
            folder.add_directory(member.name, member.mode, member.mtime)
        elif member.isreg():
            content = archive.extractfile(member)
            folder.add_file(member.name, member.mode, member.mtime, content, member.size)
        # Links and special files could point or write anywhere; a download has no use for them.


def _unpack_zip(path, folder):
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            # zipfile reads a name without the UTF-8 flag as cp437: encoding it back gives its bytes.
            name = info.filename if info.flag_bits & _UTF8_NAME else info.filename.encode("cp437").decode("utf-8", "surrogateescape")
            unix = info.external_attr >> 16
            kind = stat.S_IFMT(unix)
            mtime = _zip_time(info.date_time)
            if name.endswith("/") or kind == stat.S_IFDIR:
                folder.add_directory(name, unix & 0o777 or 0o755, mtime)
            elif kind in (0, stat.S_IFREG):
                with archive.open(info) as content:
                    folder.add_file(name, unix & 0o777 or 0o644, mtime, content, info.file_size)


def _zip_time(date_time):
    """A zip entry's time (local, as zip stores it) as a timestamp."""
    return time.mktime(tuple(date_time) + (0, 0, -1))


def _move_into_place(staged, output_dir, overwrite):
    """Moves the staged files into output_dir, merging folders; refuses before moving anything."""
    moves, blocked = [], []

    def plan(source_dir, target_dir):
        for name in sorted(os.listdir(source_dir)):
            source, target = os.path.join(source_dir, name), os.path.join(target_dir, name)
            try:
                existing = os.lstat(target)
            except FileNotFoundError:
                moves.append((source, target))
                continue
            incoming_is_folder = stat.S_ISDIR(os.lstat(source).st_mode)
            existing_is_folder = stat.S_ISDIR(existing.st_mode)
            if incoming_is_folder and existing_is_folder:
                plan(source, target)
            elif not incoming_is_folder and not existing_is_folder:
                # A file replaces a file or a link (the link itself, never what it points to).
                if not overwrite:
                    blocked.append((target, True))
                moves.append((source, target))
            else:
                blocked.append((target, False))

    plan(staged, output_dir)
    if blocked:
        path, overwritable = next((entry for entry in blocked if not entry[1]), blocked[0])
        raise CubQueueFileExistsError(path, len(blocked), overwritable)
    for source, target in moves:
        os.rename(source, target)
