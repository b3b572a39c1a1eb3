"""Where AMTS keeps its work: the one resolver of the work directory.

The work directory holds the alignment cache, the run state (SQLite), the embedded local backend's
S3 and job state, job inputs and outputs, and reports. Every command finds it the same way:

1. the folder the user named: `--workdir`, the config file's `workdir`, the dashboard's `work_dir`
   setting;
2. else `$AMTS_WORKDIR` (tests point it at a temporary folder);
3. else the default of the kind of work: `.amts` beside the config file or in the current folder
   (align, sync, serve-local, the experiment), the user's cache folder (the dashboard), or the
   user's data folder's `demo` (the demo, whose copy of the book must outlive a cache clean-up).
"""

from __future__ import annotations

import os
from enum import StrEnum
from pathlib import Path

WORKDIR_ENV = "AMTS_WORKDIR"
PROJECT_WORKDIR = ".amts"


class WorkdirDefault(StrEnum):
    """Where the work goes when neither the user nor $AMTS_WORKDIR says."""

    PROJECT = "project"  # .amts beside the config file, or in the current folder
    USER_CACHE = "user-cache"  # the dashboard's: the platform's user cache folder for amts
    DEMO = "demo"  # the demo's: the platform's user data folder for amts, /demo


def resolve_workdir(named: str | Path | None = None, *, default: WorkdirDefault = WorkdirDefault.PROJECT,
                    beside: Path | None = None) -> Path:
    """The work directory: `named` (when not empty) > $AMTS_WORKDIR > `default` (`beside`: the
    folder to put `.amts` in, for the PROJECT default; else `.amts` relative to the current folder)."""
    if named:
        return Path(named).expanduser()
    env = os.environ.get(WORKDIR_ENV)
    if env:
        return Path(env).expanduser()
    if default == WorkdirDefault.PROJECT:
        return beside / PROJECT_WORKDIR if beside is not None else Path(PROJECT_WORKDIR)
    import platformdirs  # only the dashboard and the demo need per-user folders

    if default == WorkdirDefault.USER_CACHE:
        return Path(platformdirs.user_cache_dir("amts"))
    return platformdirs.user_data_path("amts") / "demo"
