"""The exit statuses of every `amts-tui` command, in one place."""

from __future__ import annotations

from enum import IntEnum


class ExitStatus(IntEnum):
    """What a command's exit status says; every command uses these and no other."""

    OK = 0  # everything done
    PARTIAL = 1  # done, but some of it was skipped (align, sync, evaluate) or failed (--auto)
    USAGE = 2  # a usage error, nothing to do, or a run that could not start (config, book, cost limit)
    INTERRUPTED = 130  # Ctrl-C (128 + SIGINT)
