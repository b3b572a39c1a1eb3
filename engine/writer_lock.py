"""One writer at a time: a book (`sync --write`) and a work directory (a run, `sync --write`).

Two processes writing one book would interleave their patches of NAME.md; two runs on one work
directory would share its run state and its embedded local backend (S3 mirror, jobs). Each holds
an exclusive `fcntl.flock` on a lock file for as long as it writes; a second one gets an AmtsError
at once naming what is busy and the process that holds it (its pid is in the file). The kernel
drops a flock when its holder dies, even by SIGKILL, so a stale lock file never blocks anyone.

Where the lock files are: `WORKDIR/writer.lock` for a work directory; for a book, a file named by
the hash of the book's resolved path in a per-user folder of the system's temporary directory, so
that syncs through different work directories still meet, and the book itself gets no new file.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from amts.engine.errors import AmtsError
from amts.engine.write_targets import ensure_work_directory

WORKDIR_LOCK_FILE = "writer.lock"


def book_lock_file(book_root: Path) -> Path:
    """The lock file of a book, keyed by its resolved path (outside the book)."""
    resolved = str(Path(book_root).resolve())
    digest = hashlib.sha256(resolved.encode("utf-8", "surrogateescape")).hexdigest()[:24]
    return Path(tempfile.gettempdir()) / f"amts-locks-{os.getuid()}" / f"book-{digest}.lock"


@contextmanager
def hold_book(book_root: Path, doing: str) -> Iterator[None]:
    """Be the book's one writer while the block runs; AmtsError at once if another process is."""
    with _hold(book_lock_file(book_root), f"the book {Path(book_root).resolve()}", doing):
        yield


@contextmanager
def hold_workdir(workdir: Path, doing: str) -> Iterator[None]:
    """Be the work directory's one writer while the block runs; AmtsError at once if another is."""
    workdir = ensure_work_directory(workdir)
    with _hold(workdir / WORKDIR_LOCK_FILE, f"the work directory {workdir.resolve()}", doing):
        yield


@contextmanager
def _hold(lock_file: Path, what: str, doing: str) -> Iterator[None]:
    try:
        lock_file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(lock_file, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise AmtsError(f"cannot open the lock file of {what}: {exc.strerror}", lock_file) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "a process that is starting"
            raise AmtsError(f"{what} is in use by another amts-tui ({holder}); wait for it to finish "
                            f"or stop it, then run this again") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()}: {doing}: {' '.join(sys.argv[:1])}\n".encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)  # released: the file stays (unlinking a flock file races a waiter)
    finally:
        os.close(fd)  # closing drops the lock
