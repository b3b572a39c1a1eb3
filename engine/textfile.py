"""Reading a user's text file: UTF-8 or a clear error naming the file and the line."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from amts.engine.errors import AmtsError


def read_utf8(path: str | Path, display: str | None = None, what: str = "file") -> str:
    """The file's text, without a byte-order mark. A non-UTF-8 byte is reported with its line."""
    name = display or str(path)
    try:
        data = _read_regular_file(Path(path))
    except OSError as exc:
        raise AmtsError(f"cannot read {what}: {exc.strerror}", name) from None
    except _NotARegularFile as exc:
        raise AmtsError(f"not a regular file ({exc}): not read", name) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise AmtsError(f"not UTF-8 (byte 0x{data[exc.start]:02x})", name, line) from None


class _NotARegularFile(Exception):
    pass


def _read_regular_file(path: Path) -> bytes:
    """The file's bytes, refusing a FIFO, device or socket without blocking on it.

    Opening non-blocking makes opening a FIFO with no writer return at once; fstat of the open
    descriptor then tells what it is (no race between a check and the open).
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            kind = ("a FIFO" if stat.S_ISFIFO(mode) else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
                    else "a socket" if stat.S_ISSOCK(mode) else "a directory" if stat.S_ISDIR(mode) else "special")
            raise _NotARegularFile(kind)
        with os.fdopen(fd, "rb", closefd=False) as file:
            return file.read()
    finally:
        os.close(fd)
