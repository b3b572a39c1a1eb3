"""The app driven as a user would: every screen on the demo book, jobs to completion, a diff, themes."""

from __future__ import annotations

from pathlib import Path

import pytest
from dashboard_support import settle, wait_until
from textual.widgets import DataTable, Input, OptionList, Static

from amts.engine.errors import AmtsError
from amts.tui.app import make_app
from amts.tui.messages import PipelineEvent
from amts.tui.screens.confirm import ConfirmScreen
from amts.tui.settings import Settings, load_settings, save_settings
from amts.tui.widgets.bleu_table import BleuTable
from amts.tui.widgets.diff_view import DiffView
from amts.tui.widgets.job_pane import JobPane
from amts.tui.widgets.pair_table import PairTable

SIZE = (120, 40)


def text_of(widget: Static) -> str:
    return str(widget.render())


async def test_demo_book_screen_shows_size_and_cost(settings):
    app = make_app(settings=settings, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert app.session.book is not None and app.session.book.target_lang == "zh"
        stats = app.screen.query_one("#book-stats", DataTable)
        sections, paragraphs, sentences, characters = stats.get_row_at(0)
        assert int(sections) == len(app.session.book.sections) >= 5
        assert int(sentences.replace(",", "")) > int(paragraphs.replace(",", "")) > 0
        cost = app.screen.query_one("#book-cost", DataTable)
        variants = [cost.get_row_at(i)[0] for i in range(cost.row_count)]
        assert variants == ["no-act", "act-paragraph", "act-sentence"]
        # ACT costs more than standard translation for the same characters.
        assert float(cost.get_row_at(2)[2].strip("$")) > float(cost.get_row_at(0)[2].strip("$"))
        # The direction can be reversed from the screen: zh→en from the same repo.
        await pilot.press("r")
        await settle(app, pilot)
        assert (app.session.book.source_lang, app.session.book.target_lang) == ("zh", "en")


async def test_open_a_typed_path_and_remember_it(settings, sample_book, tmp_path):
    book_copy = tmp_path / "my-book"
    import shutil

    shutil.copytree(sample_book / "es", book_copy)
    app = make_app(settings=settings)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("o")
        app.screen.query_one("#book-path", Input).value = str(book_copy)
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.session.book.target_lang == "es"
    assert load_settings(settings.path).recent_books[0] == str(book_copy)


async def test_bad_path_is_a_notification_not_a_crash(settings, tmp_path):
    app = make_app(settings=settings)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("o")
        app.screen.query_one("#book-path", Input).value = str(tmp_path / "nowhere")
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.session.book is None
        assert any("book folder not found" in n.message for n in app._notifications)


async def test_align_browse_search_exclude_toggle_and_export(settings, tmp_path):
    app = make_app(settings=settings, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("2")
        await settle(app, pilot)
        await settle(app, pilot)
        table = app.screen.query_one(PairTable)
        total = table.row_count
        assert total > 50
        # Browse: the cursor moves and the detail pane shows the full pair.
        await pilot.press("down", "down")
        key, pair = table.current
        assert pair.source in text_of(app.screen.query_one("#align-detail", Static))
        # Exclude the pair under the cursor, then include it back.
        await pilot.press("x")
        assert table.excluded == {key} and len(app.session.exclusions) == 1
        assert len(app.session.included_pairs("sentence")) == total - 1
        await pilot.press("x")
        assert table.excluded == set() and len(app.session.exclusions) == 0
        await pilot.press("x")
        # One article only.
        articles = app.screen.query_one("#align-article-list", OptionList)
        articles.highlighted = 1
        await settle(app, pilot)
        assert 0 < table.row_count < total
        assert {p.path for _, p in table.rows_shown} == {articles.get_option_at_index(1).id}
        articles.highlighted = 0
        await settle(app, pilot)
        # Search narrows the table to pairs that contain the text.
        await pilot.press("slash", *"gradient", "enter")
        await pilot.pause(0.4)
        await settle(app, pilot)
        assert 0 < table.row_count < total
        assert all("gradient" in (p.source + p.target).lower() for _, p in table.rows_shown)
        app.screen.query_one("#align-search", Input).value = ""
        await pilot.pause(0.4)
        await settle(app, pilot)
        # Paragraph pairs are fewer than sentence pairs.
        await pilot.press("g")
        await settle(app, pilot)
        assert 0 < table.row_count < total
        assert all(p.granularity == "paragraph" for _, p in table.rows_shown)
        await pilot.press("g")
        await settle(app, pilot)
        # Export the included sentence pairs as TSV through the dialog.
        out = tmp_path / "out" / "pairs.tsv"
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#export-path", Input).value = str(out)
        app.screen.query_one("#export-format").value = "tsv"
        await pilot.pause()
        app.screen.query_one("#export-path", Input).value = str(out)
        await pilot.click("#export-ok")
        await settle(app, pilot)
        lines = out.read_text(encoding="utf-8").splitlines()
        assert 0 < len(lines) <= total - 1  # the excluded pair is not there
        assert all(len(line.split("\t")) == 2 for line in lines)


async def test_jobs_launch_then_stop_ends_every_pane_stopped(settings):
    app = make_app(settings=settings, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("3")
        await pilot.pause()
        panes = list(app.screen.query(JobPane))
        assert {p.pipeline for p in panes} == {
            f"{d}/{v}" for d in ("en-zh", "zh-en") for v in ("no-act", "act-paragraph", "act-sentence")}
        assert all(p.state == "pending" for p in panes)
        # Launched and stopped at once: the sub-pipelines end at their next stage, resumable (a
        # TranslateText baseline may finish first; a batch job's pipeline takes longer).
        await pilot.press("l", "s")
        await wait_until(pilot, lambda: app.session.experiment is not None, timeout=120)
        await settle(app, pilot)
        outcome = {p.name: p.status for p in app.session.experiment.pipelines}
        assert "stopped" in outcome.values() and set(outcome.values()) <= {"stopped", "succeeded"}
        shown = {"stopped": "stopped", "succeeded": "completed"}
        assert {p.pipeline: p.state for p in app.screen.query(JobPane)} == {
            name: shown[status] for name, status in outcome.items()}
        assert not app.screen.query_one("#jobs-retry").disabled


async def test_job_panes_follow_a_whole_run_then_results_and_diff(settings, demo_run):
    app = make_app(settings=settings, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("3")
        await pilot.pause()
        # The session's demo run, its events delivered as the Jobs screen's worker delivers them.
        for event in demo_run.events:
            app.screen.post_message(PipelineEvent(event))
        await settle(app, pilot)
        assert {p.state for p in app.screen.query(JobPane)} == {"completed"}
        assert all(p.ended_at for p in app.screen.query(JobPane))
        log = app.screen.query_one("#jobs-log")
        assert any("finished" in str(line.text) for line in log.lines)
        app.screen._finished(demo_run.result, merge=False)
        # Results: article × variant, with the two averages rows.
        await pilot.press("4")
        await settle(app, pilot)
        table = app.screen.query_one(BleuTable)
        assert table.variants == ["no-act", "act-paragraph", "act-sentence"]
        articles = {str(table.get_row_at(i)[0]) for i in range(table.row_count - 2)}
        assert articles == set(app.session.experiment.held_out)
        assert str(table.get_row_at(table.row_count - 1)[0]) == "corpus"
        # Open the diff of the first article's act-sentence output.
        table.move_cursor(row=0, column=table.variant_column("act-sentence"))
        await pilot.press("enter")
        await settle(app, pilot)
        diff = app.screen.query_one(DiffView)
        assert diff.units and "act-sentence" in diff.heading[0]
        # Every unit's diff rebuilds both texts exactly.
        for unit in diff.units:
            assert "".join(op.hyp_text for op in unit.ops) == unit.hypothesis
            assert "".join(op.ref_text for op in unit.ops) == unit.reference


async def test_theme_switch_is_remembered(settings):
    app = make_app(settings=settings, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        assert app.theme == "amts-dark"
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert app.theme == "amts-light"
        assert app.theme_variables["job-failed"] == "#b42318"
    assert load_settings(settings.path).theme == "amts-light"
    again = make_app(settings=load_settings(settings.path))
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert again.theme == "amts-light"


async def test_command_palette_lists_the_apps_actions(settings):
    app = make_app(settings=settings, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("2")
        await pilot.pause()
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert {"Go to Jobs", "Cycle theme", "Export parallel data"} <= set(titles)


def test_settings_round_trip_and_errors(tmp_path):
    path = tmp_path / "settings.toml"
    settings = Settings(theme="amts-high-contrast", recent_books=('C:\\books\\"d2l"',),
                        keymap={"align.export": "ctrl+e"}, path=path)
    save_settings(settings)
    assert load_settings(path) == settings
    path.write_text('theme = "x"\nrecent_books = [1]\n', encoding="utf-8")
    with pytest.raises(AmtsError, match="recent_books"):
        load_settings(path)
    path.write_text('theme = "x"\ntheme = "y"\n', encoding="utf-8")
    with pytest.raises(AmtsError) as error:
        load_settings(path)
    assert error.value.line == 2 and error.value.path == str(path)


async def test_sync_apply_writes_the_demo_copy_and_never_sample_data(settings, sample_book):
    def snapshot(root: Path) -> dict[str, bytes]:
        return {p.relative_to(root).as_posix(): p.read_bytes()
                for p in sorted(root.rglob("*")) if p.is_file()}

    shipped = snapshot(sample_book)
    app = make_app(settings=settings, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        book_root = Path(app.session.book.root).resolve()
        assert not book_root.is_relative_to(sample_book.resolve())  # the demo opens a copy
        before = snapshot(book_root)
        await pilot.press("5")
        await settle(app, pilot)
        screen = app.screen
        plan = screen.plan
        assert plan is not None and plan.book_root.resolve() == book_root
        to_write = [s.path for s in plan.sections if s.edited or s.new]
        assert to_write and plan.counts.edited > 0 and plan.counts.new > 0
        await pilot.press("w")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await wait_until(pilot, lambda: screen.plan is not plan, timeout=120)
        await settle(app, pilot)
        # Every section with edited or new units got a rewritten NAME.md with reviewed-marked MT.
        after = snapshot(book_root)
        for path in to_write:
            assert after[path] != before.get(path)
            assert "<!-- amts: machine translation, review -->" in after[path].decode("utf-8")
        # Planned again: nothing left to translate, so nothing to apply.
        assert screen.plan.counts.edited == screen.plan.counts.new == 0
        table = screen.query_one("#sync-table", DataTable)
        edited_new = {(str(table.get_cell(key, "edited")), str(table.get_cell(key, "new")))
                      for key in table.rows}
        assert edited_new == {("0", "0")}
        assert screen.query_one("#sync-apply").disabled
        assert any("files written" in n.message for n in app._notifications)
        assert app.session.book_version > 1  # the other screens re-read the synced book
    assert snapshot(sample_book) == shipped


def test_apply_sync_refuses_the_shipped_demo_book(tmp_path):
    from amts.engine.book import open_book
    from amts.tui.paths import sample_data_dir
    from amts.tui.service import AmtsService

    # The demo the installed package ships (site-packages in a non-editable install, as in CI),
    # not necessarily the checkout's sample_data/.
    shipped = sample_data_dir()
    service = AmtsService(tmp_path / "work")
    plan, _, _ = service.plan_sync(open_book(shipped / "zh"), shipped / "en-upstream")
    with pytest.raises(AmtsError, match="read-only"):
        service.apply_sync(plan)
