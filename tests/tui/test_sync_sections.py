"""The Sync screen section by section: Enter shows a section's changes, space selects sections,
and apply writes only the selected ones, after a confirmation that says what is sent and costs."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from dashboard_support import SIZE, settle, wait_until
from textual.widgets import DataTable

from amts.engine.cost import ACT_USD_PER_MILLION_CHARS
from amts.engine.sync.apply import select_sections, units_to_translate
from amts.tui.app import make_app
from amts.tui.screens.confirm import ConfirmScreen


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and ".amts" not in p.relative_to(root).parts}


async def test_apply_one_selected_section_changes_only_its_files(settings):
    app = make_app(settings=settings, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        root = Path(app.session.book.root)
        before = snapshot(root)
        await pilot.press("5")
        await settle(app, pilot)
        screen = app.screen
        plan = screen.plan
        changing = [s for s in plan.sections if s.has_work and s.characters]
        assert len(changing) >= 2
        chosen = changing[-1]
        table = screen.query_one("#sync-table", DataTable)
        table.focus()
        table.move_cursor(row=table.get_row_index(chosen.path))
        # Enter: the section's changes, unit by unit, with the old and the new English.
        await pilot.press("enter")
        await pilot.pause()
        changes = str(screen.query_one("#sync-changes-text").render())
        edited = next(u for u in chosen.changed_units if u.old_source and u.status == "edited")
        assert screen.query_one("#sync-changes").display
        assert " ".join(edited.old_source.split())[:40] in " ".join(changes.split())
        assert " ".join(edited.source.split())[:40] in " ".join(changes.split())
        assert "machine translation of the new source" in changes
        # Space selects it; the confirmation counts only its units, characters and cost (ACT rate).
        await pilot.press("space")
        assert screen.selected == {chosen.path} and str(table.get_cell(chosen.path, "selected")) == "●"
        await pilot.press("w")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        body = str(app.screen.query_one("#confirm-body").render())
        units = len(units_to_translate(select_sections(plan, [chosen.path])))
        usd = chosen.characters * ACT_USD_PER_MILLION_CHARS / 1_000_000
        assert f"{units} units, {chosen.characters:,} characters, about ${usd:.4f}" in " ".join(body.split())
        assert "$60 per million" in body and chosen.path in body
        await pilot.press("y")
        await wait_until(pilot, lambda: screen.plan is not plan, timeout=120)
        await settle(app, pilot)
        after = snapshot(root)
        changed = {path for path in after if after[path] != before.get(path)}
        assert changed == {chosen.path, chosen.origin_path}
        assert "<!-- amts: machine translation, review -->" in after[chosen.path].decode("utf-8")
        # Planned again: the other sections still have their work to do; the chosen one has none.
        left = {s.path: s for s in screen.plan.sections}
        assert not left[chosen.path].edited and not left[chosen.path].new
        assert all(left[s.path].edited + left[s.path].new for s in changing[:-1])
        assert screen.selected == set()


def test_select_sections_restricts_work_and_cost(tmp_path, sample_book):
    import shutil

    from amts.engine.errors import AmtsError
    from amts.engine.sync import plan_sync

    shutil.copytree(sample_book, tmp_path / "demo")
    plan = plan_sync(tmp_path / "demo" / "zh", tmp_path / "demo" / "en-upstream")
    changing = [s.path for s in plan.sections if s.characters]
    assert len(changing) >= 2
    part = select_sections(plan, changing[:1])
    assert [s.path for s in part.sections] == changing[:1]
    assert 0 < part.characters_to_translate < plan.characters_to_translate
    assert part.cost.usd == pytest.approx(part.characters_to_translate * ACT_USD_PER_MILLION_CHARS / 1e6)
    assert set(units_to_translate(part)) < set(units_to_translate(plan))
    with pytest.raises(AmtsError, match="not sections of this sync plan"):
        select_sections(plan, ["nowhere.md"])


def test_a_dashboard_apply_waits_for_no_one_while_a_terminal_sync_writes_the_book(tmp_path, sample_book):
    """One writer per book: while another writer holds the book (a `sync --write` in a terminal),
    the dashboard's apply is refused at once, naming the book, and writes nothing."""
    import shutil

    from amts.engine.errors import AmtsError
    from amts.engine.sync import plan_sync
    from amts.engine.writer_lock import hold_book
    from amts.tui.service import apply_sync

    shutil.copytree(sample_book, tmp_path / "demo")
    book = tmp_path / "demo" / "zh"
    before = {p: p.read_bytes() for p in book.rglob("*.md")}
    plan = plan_sync(book, tmp_path / "demo" / "en-upstream")
    with hold_book(book, "sync --write"), pytest.raises(AmtsError, match="in use by another amts-tui"):
        apply_sync(plan, tmp_path / "work")
    assert {p: p.read_bytes() for p in book.rglob("*.md")} == before


async def test_a_dashboard_run_is_refused_while_another_run_holds_the_work_directory(tmp_path):
    from amts.engine.errors import AmtsError
    from amts.engine.experiment.config import load_config
    from amts.engine.writer_lock import hold_workdir
    from amts.tui.service import AmtsService, ExperimentRunner

    from conftest import make_config

    config = load_config(make_config(tmp_path))
    events: list = []
    with hold_workdir(config.workdir, "--auto"), pytest.raises(AmtsError, match="work directory"):
        await ExperimentRunner(AmtsService(tmp_path / "ui-work")).run(config, events.append, asyncio.Event())
    assert events == []  # refused before anything started
