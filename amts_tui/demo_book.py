"""The demo book as the user works on it: a copy of the shipped sample_data/ in the work directory.

Applying a sync (or anything else that writes) must never touch the shipped files: in a checkout
they are the project's test data, in an installed wheel they sit in a read-only site-packages.
So the app opens a copy, made once per work directory and made again only when the shipped demo
changed (a newer version of AMTS), which keeps what the user did to the copy in the meantime.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

from amts.engine.atomic import write_text_atomic
from amts.engine.errors import AmtsError
from amts.tui.paths import sample_data_dir

#: The copy's folder inside the work directory (the UI shows demo paths relative to the work dir).
DEMO_DIR_NAME = "demo-book"
#: Inside the copy: the fingerprint of the shipped files it was made from.
STAMP_FILE = ".amts-demo-copy"
_IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", "__init__.py")


def shipped_fingerprint(root: Path | None = None) -> str:
    """A hash of every shipped demo file (paths and bytes), to notice a newer demo."""
    root = root or sample_data_dir()
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        if path.name == "__init__.py" or path.suffix == ".pyc":
            continue
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def ensure_demo_copy(work_dir: Path) -> Path:
    """The demo book's copy under `work_dir` (made now if missing or made from an older demo)."""
    shipped = sample_data_dir()
    copy = Path(work_dir) / DEMO_DIR_NAME
    fingerprint = shipped_fingerprint(shipped)
    stamp = copy / STAMP_FILE
    if stamp.is_file() and stamp.read_text(encoding="utf-8").strip() == fingerprint:
        return copy
    if not shipped.is_dir():
        raise AmtsError("the demo book is not there (sample_data/ is missing)", path=str(shipped))
    # Copy beside the target, then swap it in: an interrupted copy never looks complete.
    fresh = copy.with_name(f"{DEMO_DIR_NAME}.tmp-{os.getpid()}")
    try:
        shutil.rmtree(fresh, ignore_errors=True)
        shutil.copytree(shipped, fresh, ignore=_IGNORED)
        for path in (fresh, *fresh.rglob("*")):  # a wheel's files may be read-only: the copy must not be
            path.chmod(path.stat().st_mode | 0o200)
        write_text_atomic(fresh / STAMP_FILE, fingerprint + "\n")
        if copy.exists():
            shutil.rmtree(copy)
        fresh.rename(copy)
    except (OSError, AmtsError) as exc:
        shutil.rmtree(fresh, ignore_errors=True)
        raise AmtsError(f"cannot copy the demo book into the work directory: {exc}",
                        path=str(copy)) from None
    return copy


def is_shipped_demo(path: Path) -> bool:
    """True for a path inside the shipped sample_data/ (which the app must never write)."""
    try:
        Path(path).resolve().relative_to(sample_data_dir().resolve())
    except ValueError:
        return False
    return True
