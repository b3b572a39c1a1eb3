"""The frame of the dashboard: no crash on fast book changes, keys that never type where the user
did not mean to, help from the bindings, stop and quit, resume on start, texts shown as written."""

from __future__ import annotations

import pytest
from dashboard_support import settle, wait_until
from textual.content import Content
from textual.widgets import HelpPanel, Input

from amts.engine.act.state import StateStore
from amts.tui.app import make_app
from amts.tui.screens.confirm import ConfirmScreen
from amts.tui.settings import Settings
from amts.tui.widgets.bleu_table import BleuTable
from amts.tui.widgets.diff_view import DiffView
from amts.tui.widgets.job_pane import JobPane
from amts.tui.widgets.navbar import NavTab
from amts.tui.widgets.pair_table import PairTable

SIZE = (80, 24)
PIPELINES = {f"{d}/{v}" for d in ("en-zh", "zh-en") for v in ("no-act", "act-paragraph", "act-sentence")}


def shown(notification) -> str:
    """A notification's text as the user reads it (markup applied when it has markup)."""
    return Content.from_markup(notification.message).plain if notification.markup else notification.message


# -- no crash by construction ----------------------------------------------------------------------
@pytest.mark.parametrize("reopen", ["r", "d"], ids=["reverse", "demo-again"])
async def test_jobs_then_book_reopened_then_jobs_again(settings, reopen):
    """`3 1 r 3` (and `3 1 d 3`) from a fresh demo: the Jobs panes follow the re-opened book."""
    app = make_app(settings=settings, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        for key in ("3", "1", reopen, "3"):
            await pilot.press(key)
        await settle(app, pilot)
        await settle(app, pilot)
        panes = list(app.screen.query(JobPane))
        assert sorted(p.pipeline for p in panes) == sorted(PIPELINES)  # each once: no DuplicateIds
        assert app.current_mode == "jobs" and not app.unexpected_errors
    assert app.return_code in (None, 0)


async def test_jobs_after_a_sync_apply(settings):
    """Sync writes the book and re-opens it; Jobs then shows each pane once (it crashed here)."""
    app = make_app(settings=settings, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("3")
        await settle(app, pilot)
        await pilot.press("5")
        await settle(app, pilot)
        sync = app.screen
        plan = sync.plan
        assert plan is not None
        await pilot.press("w", "y")
        await wait_until(pilot, lambda: sync.plan is not plan and sync.plan is not None, timeout=120)
        await pilot.press("3")
        await settle(app, pilot)
        assert sorted(p.pipeline for p in app.screen.query(JobPane)) == sorted(PIPELINES)
        assert not app.unexpected_errors


# -- keys ------------------------------------------------------------------------------------------
async def test_escape_leaves_the_book_path_field(settings):
    app = make_app(settings=settings, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("o", "a", "b")
        path = app.screen.query_one("#book-path", Input)
        assert path.has_focus and path.value == "ab"
        await pilot.press("escape", "2")
        assert path.value == "ab"  # `2` was the Align key, not a digit in the field
        await pilot.pause()
        assert app.current_mode == "align"


async def test_enter_in_the_upstream_field_gives_the_keys_back(settings):
    app = make_app(settings=settings, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("5")
        await settle(app, pilot)
        upstream = app.screen.query_one("#sync-upstream", Input)
        upstream.focus()
        before = upstream.value
        await pilot.press("enter")
        await settle(app, pilot)
        assert not upstream.has_focus
        await pilot.press("w")
        await pilot.pause()
        assert upstream.value == before  # `w` is Apply here, never a letter in the field
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")


async def test_home_end_pageup_pagedown_move_through_the_pair_table(settings):
    app = make_app(settings=settings, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("2")
        await settle(app, pilot)
        await settle(app, pilot)
        table = app.screen.query_one(PairTable)
        assert table.has_focus and table.row_count > 50
        await pilot.press("end")
        assert table.cursor_row == table.row_count - 1
        await pilot.press("home")
        assert table.cursor_row == 0
        await pilot.press("pagedown")
        assert table.cursor_row > 5
        await pilot.press("pageup")
        assert table.cursor_row == 0


async def test_home_end_in_the_sync_table(settings):
    app = make_app(settings=settings, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("5")
        await settle(app, pilot)
        table = app.screen.query_one("#sync-table")
        table.focus()
        assert table.row_count > 2
        await pilot.press("end")
        assert table.cursor_row == table.row_count - 1
        await pilot.press("home")
        assert table.cursor_row == 0


async def test_question_mark_and_f1_show_the_screens_keys(settings):
    app = make_app(settings=settings, demo=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("3", "question_mark")
        await pilot.pause()
        panel = app.screen.query_one(HelpPanel)
        await pilot.pause()
        keys = {binding.id for (_, binding, _, _) in app.screen.active_bindings.values()}
        assert {"jobs.launch", "jobs.stop"} <= keys  # what the panel lists: this screen's bindings
        assert panel.display
        await pilot.press("question_mark")
        await pilot.pause()
        assert not app.screen.query(HelpPanel)
        # F1 works inside an input, where `?` is a character.
        await pilot.press("1", "o", "f1")
        await pilot.pause()
        assert app.screen.query(HelpPanel)
        assert app.screen.query_one("#book-path", Input).value == ""


async def test_nav_bar_shows_the_bound_keys(settings):
    app = make_app(settings=Settings(keymap={"screen.align": "a"}, work_dir=settings.work_dir), demo=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        tabs = {tab.mode: str(tab.render()) for tab in app.screen.query(NavTab)}
        assert "a Align" in tabs["align"] and "2" not in tabs["align"]
        assert "1 Book" in tabs["book"]
        await pilot.press("a")
        await pilot.pause()
        assert app.current_mode == "align"


# -- stale displays --------------------------------------------------------------------------------
async def test_exclusion_count_follows_x(settings):
    app = make_app(settings=settings, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("2")
        await settle(app, pilot)
        await settle(app, pilot)
        status = app.screen.query_one("#align-status")
        assert "0 excluded" in str(status.render())
        await pilot.press("x")
        assert "1 excluded" in str(status.render())
        await pilot.press("x")
        assert "0 excluded" in str(status.render())


async def test_theme_switch_restyles_excluded_pairs(settings):
    app = make_app(settings=settings, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("2")
        await settle(app, pilot)
        await settle(app, pilot)
        table = app.screen.query_one(PairTable)
        await pilot.press("x")
        row, (_, pair) = table.cursor_row, table.current
        await pilot.press("down")  # off the cursor, whose colours win over the row's own
        first_word = pair.source.split()[0]

        def colour() -> str:
            """The colour the excluded pair's source is drawn in, as on screen now."""
            line = table.render_line(row + 1 - table.scroll_offset.y)  # line 0 is the header
            source = next(segment for segment in line if segment.text.startswith(first_word))
            assert source.style.strike
            return source.style.color.triplet.hex

        assert colour() == app.theme_variables["pair-excluded"]
        await pilot.press("ctrl+t")  # amts-light
        await settle(app, pilot)
        assert colour() == app.theme_variables["pair-excluded"] == "#8c959f"


async def test_changing_direction_clears_the_diff(settings, demo_run):
    app = make_app(settings=settings, demo=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        app.session.experiment = demo_run.result
        await pilot.press("4")
        await settle(app, pilot)
        table = app.screen.query_one(BleuTable)
        table.move_cursor(row=0, column=table.variant_column("act-sentence"))
        await pilot.press("d")
        await settle(app, pilot)
        diff = app.screen.query_one(DiffView)
        assert diff.shown
        direction = app.screen.query_one("#results-direction")
        direction.value = "zh-en"
        await settle(app, pilot)
        assert not diff.shown


async def test_stop_twice_cancels_the_run_and_panes_show_stopped(settings):
    app = make_app(settings=settings, demo=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("3")
        await settle(app, pilot)
        await pilot.press("l", "s", "s")
        await wait_until(pilot, lambda: not app.jobs_running(), timeout=60)
        await settle(app, pilot)
        states = {p.state for p in app.screen.query(JobPane)}
        assert "stopped" in states and states <= {"stopped", "completed"}
        log = "\n".join(str(line.text) for line in app.screen.query_one("#jobs-log").lines)
        assert "run failed" not in log and "stopped" in log
        assert not app.screen.query_one("#jobs-retry").disabled
        assert not app.unexpected_errors


# -- quit and resume -------------------------------------------------------------------------------
async def test_quit_while_jobs_run_asks_first(settings):
    app = make_app(settings=settings, demo=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("3")
        await settle(app, pilot)
        await pilot.press("l")
        await pilot.pause()
        assert app.jobs_running()
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen) and app.is_running
        await pilot.press("n")
        await pilot.pause()
        assert app.current_mode == "jobs" and app.is_running
        await pilot.press("ctrl+q")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
    assert app.return_code in (None, 0)


async def test_quit_without_jobs_does_not_ask(settings):
    app = make_app(settings=settings, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert not app.is_running


async def test_an_unfinished_run_is_offered_for_resume(settings):
    # A session that launched the demo run and stopped it: the run is recorded as unfinished.
    first = make_app(settings=settings, demo=True)
    async with first.run_test(size=(120, 40)) as pilot:
        await settle(first, pilot)
        await pilot.press("3")
        await settle(first, pilot)
        await pilot.press("l", "s")
        await wait_until(pilot, lambda: not first.jobs_running(), timeout=120)
    run = StateStore(_demo_work(settings)).latest_run()
    assert run is not None and run.status in ("stopped", "running")
    # The next start offers it; Resume re-attaches through the engine's resume path.
    app = make_app(settings=settings, demo=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), timeout=10)
        assert run.run_id in str(app.screen.query_one("#confirm-body").render())
        await pilot.press("y")
        await wait_until(pilot, lambda: app.current_mode == "jobs" and app.experiment is not None,
                         timeout=120)
        log = app.screen.query_one("#jobs-log")
        assert any("(resume)" in str(line.text) for line in log.lines)
        assert app.experiment.run_id == run.run_id  # the same run, continued
        assert not app.unexpected_errors


async def test_no_offer_without_an_unfinished_run(settings):
    app = make_app(settings=settings, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert not isinstance(app.screen, ConfirmScreen)


def _demo_work(settings):
    from amts.tui.service import demo_work_dir

    return demo_work_dir(settings)


# -- texts as written ------------------------------------------------------------------------------
async def test_brackets_in_an_error_show_as_written(settings, tmp_path):
    app = make_app(settings=settings)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("o")
        app.screen.query_one("#book-path", Input).value = str(tmp_path / "[project]" / "book")
        await pilot.press("enter")
        await settle(app, pilot)
        texts = [shown(n) for n in app._notifications]
        assert any("[project]" in text for text in texts), texts
