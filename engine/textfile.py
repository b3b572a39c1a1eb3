"""Reading a user's text file: UTF-8 or a clear error naming the file and the line."""

from __future__ import annotations

from pathlib import Path

from amts.engine.errors import AmtsError


def read_utf8(path: str | Path, display: str | None = None, what: str = "file") -> str:
    """The file's text, without a byte-order mark. A non-UTF-8 byte is reported with its line."""
    name = display or str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise AmtsError(f"cannot read {what}: {exc.strerror}", name) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise AmtsError(f"not UTF-8 (byte 0x{data[exc.start]:02x})", name, line) from None
