"""Where the engine writes, checked before anything is written: work directories, output files.

A folder that is a file or cannot be written, or an output that is one of the inputs or a
device, must end in one line naming the path, never in a traceback or a damaged input.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from amts.engine.errors import AmtsError


def ensure_work_directory(path: str | Path, what: str = "work directory") -> Path:
    """Create ``path`` if needed and prove it writable; AmtsError naming it otherwise."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise AmtsError(f"the {what} is not a folder (it is a file): choose another one", path)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise AmtsError(f"cannot create the {what}: {exc.strerror or exc}", path) from None
    try:
        # Permission bits do not tell (root ignores them, read-only mounts do not show): try.
        with tempfile.TemporaryFile(dir=path, prefix=".amts-write-check-"):
            pass
    except OSError as exc:
        raise AmtsError(f"cannot write in the {what}: {exc.strerror or exc}", path) from None
    return path
