"""Snapshots of every screen on the demo book at 120x40 (pytest-textual-snapshot).

Regenerate with `pytest tests/test_tui_snapshots.py --snapshot-update` only after looking at the
report of the differences.
"""

from __future__ import annotations

import asyncio
import io
import time
from contextlib import redirect_stdout
from dataclasses import replace
from pathlib import Path

import pytest
from textual.widgets import Input

from amts.tui import cli
from amts.tui.app import make_app
from amts.tui.settings import Settings

SIZE = (120, 40)


@pytest.fixture
def demo_app(tmp_path, monkeypatch):
    monkeypatch.setenv("AMTS_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("AMTS_WORKDIR", str(tmp_path / "work"))
    return make_app(settings=Settings(work_dir=str(tmp_path / "work")), demo=True)


def show_experiment(app, result) -> None:
    """Hand a finished run to the screens, as the Jobs screen does when its run ends."""
    app.session.experiment = result


def steady(*keys: str, wait_for=None):
    """A run_before that presses keys, waits for all workers, and removes what changes run to run."""

    async def run_before(pilot) -> None:
        app = pilot.app
        await pilot.pause()
        await app.workers.wait_for_complete()
        for key in keys:
            await pilot.press(key)
            await pilot.pause()
            if wait_for is not None and key == "l":
                for _ in range(1200):
                    if wait_for(app):
                        break
                    await pilot.pause(0.1)
            await app.workers.wait_for_complete()
            await pilot.pause()
        for widget in app.screen.query(Input):
            widget.cursor_blink = False
        app.clear_notifications()
        await quiet(app, pilot)

    return run_before


async def quiet(app, pilot) -> None:
    """Until no worker runs and what the last ones posted is drawn (a worker's result may start
    another, and a table sizes its columns on the next idle)."""
    for _ in range(10):
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.pause()
        if not any(worker.is_running for worker in app.workers):
            return


def test_book_screen(snap_compare, demo_app):
    assert snap_compare(demo_app, terminal_size=SIZE, run_before=steady())


def test_align_screen(snap_compare, demo_app):
    assert snap_compare(demo_app, terminal_size=SIZE, run_before=steady("2", "down", "down"))


def test_align_screen_paragraphs(snap_compare, demo_app):
    assert snap_compare(demo_app, terminal_size=SIZE, run_before=steady("2", "g"))


def test_jobs_screen_before_launch(snap_compare, demo_app):
    assert snap_compare(demo_app, terminal_size=SIZE, run_before=steady("3"))


def test_results_screen_with_diff(snap_compare, demo_app, demo_run):
    # The session's demo run, shown as the Jobs screen shows a run it finished (no second run).
    opened, showing = steady(), steady("4", *["right"] * 7, "enter")

    async def run_before(pilot) -> None:
        await opened(pilot)  # the demo book is open (opening a book clears the results)
        # A fixed id and start: the Results screen names the run by them (its picker, its summary).
        show_experiment(pilot.app, replace(demo_run.result, run_id="20260102-030405-abcdef",
                                           started_at=time.mktime((2026, 1, 2, 3, 4, 5, 0, 0, -1))))
        await showing(pilot)

    assert snap_compare(demo_app, terminal_size=SIZE, run_before=run_before)


def test_sync_screen(snap_compare, demo_app):
    assert snap_compare(demo_app, terminal_size=SIZE, run_before=steady("5"))


def test_high_contrast_theme(snap_compare, demo_app):
    assert snap_compare(demo_app, terminal_size=SIZE, run_before=steady("2", "ctrl+t", "ctrl+t"))


# -- 80x24, the size a new user's terminal has: every screen fits (columns shrink, "…" cuts) -------
SMALL = (80, 24)
TINY = (60, 18)


def test_book_screen_80x24(snap_compare, demo_app):
    assert snap_compare(demo_app, terminal_size=SMALL, run_before=steady())


def test_align_screen_80x24(snap_compare, demo_app):
    assert snap_compare(demo_app, terminal_size=SMALL, run_before=steady("2", "down", "x", "down"))


def test_jobs_screen_80x24(snap_compare, demo_app):
    assert snap_compare(demo_app, terminal_size=SMALL, run_before=steady("3"))


def test_results_screen_80x24_every_variant_visible(snap_compare, demo_app, demo_run):
    opened, showing = steady(), steady("4", "right", "right", "right", "right", "right", "right", "d")

    async def run_before(pilot) -> None:
        await opened(pilot)
        # A fixed id and start: the Results screen names the run by them (its picker, its summary).
        show_experiment(pilot.app, replace(demo_run.result, run_id="20260102-030405-abcdef",
                                           started_at=time.mktime((2026, 1, 2, 3, 4, 5, 0, 0, -1))))
        await showing(pilot)

    assert snap_compare(demo_app, terminal_size=SMALL, run_before=run_before)


def test_sync_screen_80x24(snap_compare, demo_app):
    assert snap_compare(demo_app, terminal_size=SMALL, run_before=steady("5"))


def test_review_screen_80x24(snap_compare, demo_app, tmp_path):
    """Review after `amts-tui sync --write` of the demo copy: units listed, four panes stacked."""
    opened, showing = steady(), steady("6")

    async def run_before(pilot) -> None:
        await opened(pilot)
        book = Path(pilot.app.session.book.root)

        def sync_write() -> int:
            with redirect_stdout(io.StringIO()):
                return cli.main(["sync", str(book), "--upstream", str(book.parent / "en-upstream"),
                                 "--write", "--workdir", str(tmp_path / "sync-work")])

        assert await asyncio.to_thread(sync_write) == 0
        await showing(pilot)

    assert snap_compare(demo_app, terminal_size=SMALL, run_before=run_before)


def test_help_panel_80x24(snap_compare, demo_app):
    assert snap_compare(demo_app, terminal_size=SMALL, run_before=steady("2", "question_mark"))


def test_align_screen_60x18(snap_compare, demo_app):
    assert snap_compare(demo_app, terminal_size=TINY, run_before=steady("2"))


def test_jobs_screen_60x18(snap_compare, demo_app):
    assert snap_compare(demo_app, terminal_size=TINY, run_before=steady("3"))
