"""Archives that try to write outside the output folder, unpacked by the client's receive_archive;
prints what each did, as JSON.

    python unpack_safety.py WORK_DIR
"""

import io
import json
import os
import sys
import tarfile
import zipfile

from cubqueue._unpack import receive_archive
from cubqueue.errors import CubQueueFileExistsError

work = sys.argv[1]
outside = os.path.join(work, "outside")
os.makedirs(outside)
seen = {}


def tar_of(*members):
    """A tar archive of (name, content or a symlink target with kind "link")."""
    data = io.BytesIO()
    with tarfile.open(fileobj=data, mode="w") as archive:
        for name, content, kind in members:
            info = tarfile.TarInfo(name)
            if kind == "link":
                info.type = tarfile.SYMTYPE
                info.linkname = content
                archive.addfile(info)
            else:
                info.size = len(content)
                archive.addfile(info, io.BytesIO(content))
    data.seek(0)
    return data


def unpack(stream, output, archive_format="tar"):
    try:
        receive_archive(stream, output, archive_format)
    except (ValueError, CubQueueFileExistsError) as error:
        return str(error)
    return None


for name in ("../evil.txt", "/tmp/evil.txt"):
    seen[name] = unpack(tar_of(("fine.txt", b"fine", "file"), (name, b"evil", "file")), os.path.join(work, "out-" + str(len(seen))))

zipped = io.BytesIO()
with zipfile.ZipFile(zipped, "w") as archive:
    archive.writestr("fine.txt", "fine")
    archive.writestr("../evil.txt", "evil")
zipped.seek(0)
seen["zip ../evil.txt"] = unpack(zipped, os.path.join(work, "out-zip"), "zip")

# A link in the archive is skipped, even when a later entry goes "through" it: that makes a real folder.
links = os.path.join(work, "links")
unpack(tar_of(("up", outside, "link"), ("kept.txt", b"kept", "file")), links)
seen["links_skipped"] = sorted(os.listdir(links))

# A link already in the output folder is never written through.
linked = os.path.join(work, "linked")
os.makedirs(linked)
os.symlink(outside, os.path.join(linked, "escape"))
seen["through_link"] = unpack(tar_of(("escape/file.txt", b"evil", "file")), linked)

seen["nothing_outside"] = sorted(os.listdir(outside)) + [name for name in ("evil.txt",) if os.path.exists(os.path.join(work, name))]
# A refused download leaves its output folder as it was: no file of it, no staging folder.
seen["output_untouched"] = sorted(os.listdir(os.path.join(work, "out-0")))
print(json.dumps(seen))
