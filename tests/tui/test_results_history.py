"""Results is the work directory's history: every run (headless or from the Jobs screen) listed
newest first after a restart, a stopped re-run never hiding finished results, two runs compared,
and every variant of the table within 80 columns."""

from __future__ import annotations

import asyncio
import io

import pytest
from dashboard_support import NARROW, SIZE, settle, wait_until
from textual.widgets import Select

from amts.engine.experiment import pipeline
from amts.tui.app import make_app
from amts.tui.headless import run_headless
from amts.tui.screens.confirm import ConfirmScreen
from amts.tui.settings import Settings
from amts.tui.widgets.bleu_table import BleuTable
from amts.tui.widgets.diff_view import DiffView


@pytest.fixture
def settings(tmp_path, monkeypatch) -> Settings:
    """No work dir in the settings: the app's demo and `--demo --auto` share $AMTS_WORKDIR."""
    monkeypatch.setenv("AMTS_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("AMTS_WORKDIR", str(tmp_path / "work"))
    return Settings(path=tmp_path / "config" / "settings.toml")


def summary(app) -> str:
    return str(app.screen.query_one("#results-summary").render())


def table_fits(table: BleuTable) -> bool:
    """Every column is within the table's width: nothing hidden off to the right."""
    return table.virtual_size.width <= table.scrollable_content_region.width


def rows_of(table: BleuTable) -> list[tuple[str, ...]]:
    return [tuple(str(cell) for cell in table.get_row_at(i)) for i in range(table.row_count)]


async def headless_demo() -> int:
    """`amts-tui --demo --auto` (in a thread: it runs its own event loop)."""
    return await asyncio.to_thread(run_headless, None, demo=True, resume=False, out=io.StringIO(),
                                   force_plain=True)


async def open_results(app, pilot) -> BleuTable:
    await settle(app, pilot)
    await pilot.press("4")
    await settle(app, pilot)
    return app.screen.query_one(BleuTable)


async def test_runs_on_disk_survive_restart_and_a_stopped_rerun_keeps_finished_results(settings):
    assert await headless_demo() == 0
    # A new app on that work directory: the headless run is there, nothing says "No results yet".
    app = make_app(settings=settings, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        table = await open_results(app, pilot)
        assert "No results yet" not in summary(app)
        assert len(app.screen.history) == 1 and app.screen.history[0].status == "succeeded"
        assert table.variants == ["no-act", "act-paragraph", "act-sentence"] and table.row_count > 2
        finished = rows_of(table)
        # A second run from the Jobs screen lands on top of the history.
        await pilot.press("3", "l")
        await wait_until(pilot, lambda: app.session.experiment is not None, timeout=180)
        await pilot.press("4")
        await wait_until(pilot, lambda: len(app.screen.history) == 2)
        await settle(app, pilot)
        assert app.screen.shown.entry.run_id == app.session.experiment.run_id
        config = app.service.config
    # A third run, stopped before any sub-pipeline finished (as a user's `s` at once would).
    stop = asyncio.Event()
    stop.set()
    stopped = await pipeline.run_experiment(config, stop=stop)
    assert {str(p.status) for p in stopped.pipelines} == {"stopped"}

    again = make_app(settings=settings, demo=True)
    async with again.run_test(size=SIZE) as pilot:
        # The stopped run is offered for resume first (a modal: it has the keys); Ignore keeps it
        # on disk, where Results finds it.
        await wait_until(pilot, lambda: isinstance(again.screen, ConfirmScreen), timeout=30)
        assert stopped.run_id in str(again.screen.query_one("#confirm-body").render())
        await pilot.press("n")
        table = await open_results(again, pilot)
        screen = again.screen
        history = screen.history
        assert [e.status for e in history] == ["stopped", "succeeded", "succeeded"]
        assert [e.started_at for e in history] == sorted((e.started_at for e in history), reverse=True)
        runs = screen.query_one("#results-run", Select)
        assert runs.value == history[0].run_id  # the newest run is the one shown...
        # ...with the finished results kept for every sub-pipeline it stopped, and said so.
        assert set(screen.shown.carried.values()) == {history[1].run_id}
        assert len(screen.shown.carried) == 6
        assert all(column.label.plain.split("\n")[0].endswith("*")
                   for key, column in table.columns.items() if str(key.value).endswith("|bleu"))
        assert "kept" in summary(again) and rows_of(table) == finished
        # Compare the two finished runs: a ΔBLEU and ΔchrF column per variant, per article.
        runs.value = history[1].run_id
        await settle(again, pilot)
        await pilot.press("c")
        await settle(again, pilot)
        assert table.comparing and screen._compared_entry().run_id == history[2].run_id
        labels = [c.label.plain for c in table.columns.values()]
        assert sum("ΔBLEU" in label for label in labels) == 3 and sum("ΔchrF" in label for label in labels) == 3
        assert table.row_count == len(finished) - 1  # every article, then the corpus
        # The local backend is deterministic: the same book and memory give the same scores.
        assert {str(table.get_row_at(i)[1]) for i in range(table.row_count)} == {"+0.00"}
        await pilot.press("c")
        await settle(again, pilot)
        assert not table.comparing


async def test_every_results_view_fits_80_columns_and_d_diffs_the_visible_column(settings):
    app = make_app(settings=settings, demo=True)
    async with app.run_test(size=NARROW) as pilot:
        table = await open_results(app, pilot)
        assert "No results yet" in summary(app) and table_fits(table)  # empty
    assert await headless_demo() == 0
    assert await headless_demo() == 0
    app = make_app(settings=settings, demo=True)
    async with app.run_test(size=NARROW) as pilot:
        table = await open_results(app, pilot)
        assert table.variants == ["no-act", "act-paragraph", "act-sentence"]
        assert table_fits(table) and table.terms_hidden and "terms columns hidden" in summary(app)
        # d on the act-sentence BLEU column opens act-sentence's diff, the column the user sees.
        table.focus()
        table.move_cursor(row=0, column=table.variant_column("act-sentence"))
        await pilot.press("d")
        await settle(app, pilot)
        assert "act-sentence" in app.screen.query_one(DiffView).heading[0]
        await pilot.press("c")
        await settle(app, pilot)
        assert table.comparing and table_fits(table)
    app = make_app(settings=settings, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        table = await open_results(app, pilot)
        assert not table.terms_hidden and table_fits(table)  # wide enough for the terms columns too
    app = make_app(settings=settings, demo=True)
    async with app.run_test(size=(60, 18)) as pilot:
        table = await open_results(app, pilot)
        # Narrower than the scores: they scroll under the article names, and the summary says so.
        assert not table_fits(table) and table.overflows and "scroll the scores" in summary(app)
