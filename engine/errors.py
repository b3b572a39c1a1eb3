"""The one error class users see: a message a maintainer understands, with file and line."""

from __future__ import annotations

from pathlib import Path

from amts.engine.credentials import scrub_secrets


class AmtsError(Exception):
    """An error to show to the user as one line, never as a traceback."""

    def __init__(self, message: str, path: str | Path | None = None, line: int | None = None):
        message = scrub_secrets(message)  # whatever an upstream text quoted, never a credential
        super().__init__(message)
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line

    def __str__(self) -> str:
        where = ""
        if self.path:
            # A path with a newline (a file name can hold one) would break the one-line message.
            path = self.path if self.path.isprintable() else repr(self.path)
            where = f"{path}:{self.line}: " if self.line else f"{path}: "
        return f"{where}{self.message}"


class StopRequested(Exception):
    """The run's stop event was set: the work ends where it is, resumable (not an error)."""
