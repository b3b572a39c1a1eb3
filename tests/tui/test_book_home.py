"""The Book screen as the maintainer's home: per-section staleness against the upstream English
book (the engine's sync plan), units awaiting review, the last sync, and a folder of editions."""

from __future__ import annotations

from pathlib import Path

import pytest
from dashboard_support import SIZE, settle, wait_until
from textual.widgets import DataTable, Input, OptionList

from amts.engine.sync import list_review, plan_sync
from amts.tui.app import make_app


def staleness_text(app) -> str:
    return str(app.screen.query_one("#book-staleness").render())


async def test_d2l_zh_staleness_equals_the_sync_plan(settings, d2l_zh, d2l_en):
    app = make_app(settings=settings, book_path=d2l_zh)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await wait_until(pilot, lambda: screen.staleness is not None, timeout=600)
        await settle(app, pilot)
        assert Path(screen.query_one("#book-upstream", Input).value).expanduser().resolve() == d2l_en.resolve()
        plan = plan_sync(d2l_zh, d2l_en, workdir=Path(settings.work_dir))  # the app's cache: quick
        counts = {str(k): v for k, v in screen.staleness.counts.items()}
        shared = [s for s in plan.sections if s.status == "shared"]
        assert counts["behind"] == sum(not s.untouched for s in shared) > 10
        assert counts["unchanged"] == sum(s.untouched for s in shared)
        assert counts["new upstream"] == sum(s.status == "new-upstream" for s in plan.sections)
        assert counts["deleted upstream"] == len(plan.deleted_upstream) > 0
        table = screen.query_one("#book-sections", DataTable)
        assert table.row_count == len(plan.sections) + len(plan.deleted_upstream)
        behind = next(s for s in shared if s.edited)
        assert str(table.get_cell(behind.path, "state")) == "behind"
        assert str(table.get_cell(behind.path, "edited")) == str(behind.edited)
        assert f"{counts['behind']} sections behind" in staleness_text(app)
        assert "last sync: never" in staleness_text(app)  # d2l-zh was never synced by AMTS
        # The Sync screen plans against the same upstream.
        assert app.session.upstream.resolve() == d2l_en.resolve()


async def test_demo_home_counts_review_and_last_sync_after_a_sync(settings):
    app = make_app(settings=settings, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await wait_until(pilot, lambda: screen.staleness is not None, timeout=120)
        assert screen.staleness.awaiting_review == 0 and screen.staleness.synced_at is None
        behind = screen.staleness.counts
        # Apply the sync on the Sync screen, then come home.
        await pilot.press("5")
        await settle(app, pilot)
        sync_screen = app.screen
        plan = sync_screen.plan
        await pilot.press("w", "y")
        await wait_until(pilot, lambda: sync_screen.plan is not plan, timeout=120)
        await settle(app, pilot)
        await pilot.press("1")
        await settle(app, pilot)
        home = app.screen
        await home.query_one("#book-upstream", Input).action_submit()
        await settle(app, pilot)
        review = list_review(Path(app.session.book.root))
        assert home.staleness.awaiting_review == len(review) > 0
        assert home.staleness.synced_at is not None and "last sync: never" not in staleness_text(app)
        assert sum(home.staleness.counts.values()) == sum(behind.values())
        table = home.query_one("#book-sections", DataTable)
        for section in review.sections:
            assert str(table.get_cell(section.path, "review")) == str(len(section.units))
            assert str(table.get_cell(section.path, "synced")) != "—"


async def test_a_folder_of_editions_lists_its_books_with_their_languages(settings, d2l_zh):
    editions = d2l_zh.parent / "editions"
    if not editions.is_dir():
        pytest.skip(f"{editions} is absent")
    app = make_app(settings=settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.screen.query_one("#book-path", Input).value = str(editions)
        await app.screen.query_one("#book-path", Input).action_submit()
        await settle(app, pilot)
        books = app.screen.query_one("#book-list", OptionList)
        shelf = [books.get_option_at_index(i) for i in range(books.option_count)
                 if (books.get_option_at_index(i).id or "").startswith("shelf:")]
        expected = sorted(p.name for p in editions.iterdir() if (p / "config.ini").is_file())
        assert [Path(o.id.split(":", 1)[1]).name for o in shelf] == expected and len(expected) >= 2
        assert all(f"en→{name.removeprefix('d2l-')}" in str(o.prompt) for o, name in zip(shelf, expected))
        assert app.session.book is None  # nothing opened until the user picks one
