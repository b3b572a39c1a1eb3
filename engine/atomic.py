"""Write files so that a crash never leaves a half-written output: temp file + rename."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from amts.engine.errors import AmtsError


def write_text_atomic(path: str | Path, text: str, encoding: str = "utf-8", *, durable: bool = True) -> None:
    """Write text to path atomically (same-directory temp file, fsync, rename)."""
    write_bytes_atomic(path, text.encode(encoding), durable=durable)


def write_bytes_atomic(path: str | Path, data: bytes, *, durable: bool = True) -> None:
    """Write bytes to path atomically (same-directory temp file, fsync, rename).

    `durable=False` skips the fsync, for files whose loss in a crash costs nothing (caches):
    readers still never see a half-written file.
    """
    path = Path(path)
    if path.exists() and not path.is_file():
        # os.replace would swap a device (/dev/full), pipe or socket for a plain file.
        raise AmtsError("refusing to replace something that is not a regular file "
                        "(a folder, device or pipe)", path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise AmtsError(f"cannot write: {exc.strerror or exc}", path) from None
    try:
        # mkstemp creates 0600: give the file the mode it had, or the one a plain open() would.
        os.chmod(tmp, _mode_for(path))
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            if durable:
                f.flush()
                os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        if isinstance(exc, OSError):
            raise AmtsError(f"cannot write: {exc.strerror or exc}", path) from None
        raise


def _current_umask() -> int:
    # Reading the umask means setting it: done once, at import, before any worker thread runs.
    umask = os.umask(0o022)
    os.umask(umask)
    return umask


_UMASK = _current_umask()


def _mode_for(path: Path) -> int:
    try:
        return path.stat().st_mode & 0o7777
    except FileNotFoundError:
        return 0o666 & ~_UMASK
