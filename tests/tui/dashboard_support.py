"""Helpers shared by the maintainer's-dashboard pilot tests (Results history, Review, Sync by
section, the Book home, exclusions): settings under tmp_path and waiting for the app to settle."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from amts.tui.settings import Settings

SIZE = (120, 40)
NARROW = (80, 24)


def tmp_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings persisted under tmp_path (and AMTS_CONFIG_DIR, AMTS_WORKDIR pointing there too)."""
    monkeypatch.setenv("AMTS_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("AMTS_WORKDIR", str(tmp_path / "work"))
    return Settings(work_dir=str(tmp_path / "work"), path=tmp_path / "config" / "settings.toml")


async def settle(app, pilot) -> None:
    """Let messages, then workers, then the messages they posted, run."""
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def wait_until(pilot, condition, timeout: float = 60.0) -> None:
    for _ in range(int(timeout / 0.1)):
        if condition():
            return
        await pilot.pause(0.1)
    raise AssertionError("condition not reached in time")


def csv_pairs(path: Path) -> set[tuple[str, str]]:
    """The (source, target) records of a parallel-data CSV as Amazon Translate reads it."""
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    return {(row[0], row[1]) for row in rows[1:]}
