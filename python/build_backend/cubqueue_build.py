"""A PEP 517 build backend for the cubqueue client, in the standard library alone.

pip builds a project in an isolated environment into which it first installs the backend
the project names; setuptools or hatchling would have to come from an index, so
`pip install ./python` could not work offline. This backend needs nothing: it reads
pyproject.toml's [project] table and zips the `cubqueue` package into a wheel (PEP 427),
an sdist (PEP 517) or an editable wheel (PEP 660).
"""

import base64
import hashlib
import io
import os
import re
import tarfile
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGE = "cubqueue"
TAG = "py3-none-any"


def _project():
    """The [project] table's plain fields (strings, and the empty dependency list)."""
    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as handle:
        text = handle.read().decode("utf-8")
    try:
        import tomllib  # Python 3.11+

        return tomllib.loads(text)["project"]
    except ImportError:
        # Older Pythons: the table holds only `key = "string"` lines (and `dependencies = []`).
        section = text.split("[project]", 1)[1].split("\n[", 1)[0]
        return dict(re.findall(r'^([a-z-]+)\s*=\s*"([^"]*)"', section, re.MULTILINE))


def _metadata(project):
    with open(os.path.join(ROOT, project.get("readme", "README.md")), encoding="utf-8") as handle:
        readme = handle.read()
    lines = [
        "Metadata-Version: 2.1",
        "Name: " + project["name"],
        "Version: " + project["version"],
        "Summary: " + project.get("description", ""),
        "License: " + project.get("license", ""),
        "Requires-Python: " + project.get("requires-python", ">=3.8"),
        "Description-Content-Type: text/markdown",
    ]
    return "\n".join(lines) + "\n\n" + readme


def _dist_info(project):
    return "{}-{}.dist-info".format(project["name"], project["version"])


def _package_files():
    """The package's files, as (path inside the wheel, path on disk), in a stable order."""
    found = []
    for directory, folders, files in os.walk(os.path.join(ROOT, PACKAGE)):
        folders[:] = sorted(folder for folder in folders if folder != "__pycache__")
        for name in sorted(files):
            if name.endswith((".py", ".typed")):
                path = os.path.join(directory, name)
                found.append((os.path.relpath(path, ROOT).replace(os.sep, "/"), path))
    return found


def _write_wheel(wheel_directory, project, members):
    """Writes a wheel holding `members` ((name, bytes) pairs) plus its dist-info; returns its file name."""
    dist_info = _dist_info(project)
    members = list(members) + [
        (dist_info + "/METADATA", _metadata(project).encode("utf-8")),
        (dist_info + "/WHEEL", "Wheel-Version: 1.0\nGenerator: cubqueue_build\nRoot-Is-Purelib: true\nTag: {}\n".format(TAG).encode()),
    ]
    record = []
    for name, data in members:
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append("{},sha256={},{}".format(name, digest, len(data)))
    record.append(dist_info + "/RECORD,,")
    members.append((dist_info + "/RECORD", ("\n".join(record) + "\n").encode()))
    filename = "{}-{}-{}.whl".format(project["name"], project["version"], TAG)
    with zipfile.ZipFile(os.path.join(wheel_directory, filename), "w", zipfile.ZIP_DEFLATED) as wheel:
        for name, data in members:
            wheel.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), data)
    return filename


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def get_requires_for_build_editable(config_settings=None):
    return []


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    project = _project()
    members = []
    for name, path in _package_files():
        with open(path, "rb") as handle:
            members.append((name, handle.read()))
    return _write_wheel(wheel_directory, project, members)


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    """An editable install: a .pth file that puts this folder on sys.path."""
    project = _project()
    return _write_wheel(wheel_directory, project, [("__editable__.{}.pth".format(PACKAGE), (ROOT + "\n").encode())])


def build_sdist(sdist_directory, config_settings=None):
    project = _project()
    base = "{}-{}".format(project["name"], project["version"])
    filename = base + ".tar.gz"
    paths = ["pyproject.toml", "README.md", "build_backend/cubqueue_build.py"] + [name for name, _ in _package_files()]
    with tarfile.open(os.path.join(sdist_directory, filename), "w:gz", format=tarfile.PAX_FORMAT) as sdist:
        for name in paths:
            sdist.add(os.path.join(ROOT, name), arcname=base + "/" + name, recursive=False)
        info = tarfile.TarInfo(base + "/PKG-INFO")
        data = _metadata(project).encode("utf-8")
        info.size = len(data)
        sdist.addfile(info, io.BytesIO(data))
    return filename
