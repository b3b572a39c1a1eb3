"""Names from outside (S3 keys, request fields) as local paths that never leave their folder.

An object key is data from a remote party: a key such as ``../../.bashrc`` must never write
outside the target folder. The client (downloads) and the local service (its S3 mirror) both map
keys to files through these two functions.
"""

from __future__ import annotations

import re
from pathlib import Path

from amts.engine.errors import AmtsError

_DRIVE = re.compile(r"^[A-Za-z]:")


def relative_key_parts(relative_key: str) -> tuple[str, ...]:
    """Split a key relative to a download prefix into path parts, rejecting anything hostile.

    Rejected: empty keys, absolute keys, backslashes, NUL, drive letters, and empty, ``.`` or
    ``..`` parts: each could make the local path differ from (or escape) what the key says.
    """
    reason = None
    if not relative_key:
        reason = "it is empty"
    elif relative_key.startswith("/"):
        reason = "it is absolute"
    elif "\\" in relative_key:
        reason = "it contains a backslash"
    elif "\x00" in relative_key:
        reason = "it contains a NUL character"
    elif _DRIVE.match(relative_key):
        reason = "it starts with a drive letter"
    else:
        parts = tuple(relative_key.split("/"))
        if any(part in ("", ".", "..") for part in parts):
            reason = "it has an empty, '.' or '..' path part"
        else:
            return parts
    raise AmtsError(f"refusing to download S3 key {relative_key!r}: {reason}")


def safe_destination(dest_dir: Path, relative_key: str) -> Path:
    """The local path for ``relative_key`` under ``dest_dir``; AmtsError if it would escape."""
    parts = relative_key_parts(relative_key)
    root = Path(dest_dir).resolve()
    target = root.joinpath(*parts)
    # Belt and braces: symlinks already inside dest_dir could still point elsewhere.
    if not target.parent.resolve().is_relative_to(root):
        raise AmtsError(f"refusing to download S3 key {relative_key!r}: it leads outside {root}")
    return target
