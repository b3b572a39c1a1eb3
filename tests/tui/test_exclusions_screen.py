"""Exclusions are data: excluded on the Align screen, left out of the job's parallel data, counted
in the report, still excluded after a restart and after the direction is reversed."""

from __future__ import annotations

from pathlib import Path

from dashboard_support import SIZE, csv_pairs, settle, wait_until
from textual.widgets import OptionList

from amts.engine.paralleldata.exclusions import normalise_text
from amts.tui.app import make_app
from amts.tui.screens.confirm import ConfirmScreen
from amts.tui.widgets.pair_table import PairTable


async def open_align_on_training_article(app, pilot) -> PairTable:
    """The Align screen on the first article that is not held out (so its pairs reach the data)."""
    await settle(app, pilot)
    await pilot.press("2")
    await settle(app, pilot)
    await settle(app, pilot)
    held_out = set(app.service.config.evaluation.articles) if app.service.config else set()
    from amts.tui.service import ExperimentRunner

    held_out |= set(ExperimentRunner(app.service).config_for(app.session.book, app.session.book_label)
                    .evaluation.articles)
    articles = app.screen.query_one("#align-article-list", OptionList)
    index = next(i for i in range(1, articles.option_count)
                 if articles.get_option_at_index(i).id not in held_out
                 and not articles.get_option_at_index(i).id.endswith("index.md"))
    articles.highlighted = index
    await settle(app, pilot)
    table = app.screen.query_one(PairTable)
    table.focus()
    await pilot.pause()
    return table


def status_text(app) -> str:
    return str(app.screen.query_one("#align-status").render())


async def test_excluded_pairs_leave_the_jobs_data_and_survive_restart_and_reverse(settings):
    app = make_app(settings=settings, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        table = await open_align_on_training_article(app, pilot)
        assert table.row_count >= 3
        await pilot.press("down", "x", "down", "x")
        excluded = [pair for key, pair in table.rows_shown if key in table.excluded]
        assert len(excluded) == 2
        assert "2 excluded here" in status_text(app) and "2 stored" in status_text(app)
        # The whole demo experiment on the local backend, launched from the Jobs screen.
        await pilot.press("3", "l")
        await wait_until(pilot, lambda: app.session.experiment is not None, timeout=180)
        await settle(app, pilot)
        result = app.session.experiment
        assert result.succeeded
        wanted = {(normalise_text(p.source), normalise_text(p.target)) for p in excluded}
        for name in ("en-zh/act-sentence", "zh-en/act-sentence"):
            pipeline = next(p for p in result.pipelines if p.name == name)
            assert pipeline.parallel_data.excluded == 2
            records = {(normalise_text(a), normalise_text(b)) for a, b in csv_pairs(Path(pipeline.parallel_data.path))}
            if name.startswith("zh-en"):
                records = {(b, a) for a, b in records}
            assert records and not wanted & records
            assert pipeline.parallel_data.written > 0
        report = result.report_markdown.read_text(encoding="utf-8")
        assert "| en-zh/act-sentence |" in report
        row = next(line for line in report.splitlines() if line.startswith("| en-zh/act-sentence | amts"))
        assert row.split("|")[4].strip() == "2"  # the Excluded column

    # A new app on the same work directory: the two pairs are still excluded, both directions.
    again = make_app(settings=settings, demo=True)
    async with again.run_test(size=SIZE) as pilot:
        table = await open_align_on_training_article(again, pilot)
        assert {p.source for k, p in table.rows_shown if k in table.excluded} == {p.source for p in excluded}
        await pilot.press("1", "r")  # reverse: zh→en
        await settle(again, pilot)
        assert again.session.book.source_lang == "zh"
        table = await open_align_on_training_article(again, pilot)
        assert {p.target for k, p in table.rows_shown if k in table.excluded} == {p.source for p in excluded}
        # Only the user clears them, after saying yes.
        await pilot.press("X")
        await pilot.pause()
        assert isinstance(again.screen, ConfirmScreen)
        await pilot.press("n")
        await pilot.pause()
        assert len(again.service.read_exclusions(again.session.book)) == 2
        await pilot.press("X")
        await pilot.pause()
        await pilot.press("y")
        await settle(again, pilot)
        assert len(again.service.read_exclusions(again.session.book)) == 0
        assert table.excluded == set() and "0 stored" in status_text(again)


async def test_exclusions_survive_a_sync_apply(settings):
    app = make_app(settings=settings, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        table = await open_align_on_training_article(app, pilot)
        await pilot.press("x")
        excluded = [pair for key, pair in table.rows_shown if key in table.excluded]
        assert len(excluded) == 1
        # Apply the whole sync: the book is re-read and aligned again.
        await pilot.press("5")
        await settle(app, pilot)
        sync_screen = app.screen
        plan = sync_screen.plan
        assert excluded[0].path in {s.path for s in plan.sections if s.has_work}  # a section the sync rewrites
        await pilot.press("w", "y")
        await wait_until(pilot, lambda: sync_screen.plan is not plan, timeout=120)
        await settle(app, pilot)
        assert app.session.alignment is None  # the synced book is aligned afresh
        table = await open_align_on_training_article(app, pilot)
        # Its heading is not one upstream changed: the same pair, still excluded.
        assert [p.source for k, p in table.rows_shown if k in table.excluded] == [excluded[0].source]
        assert "1 stored" in status_text(app)
