"""The Review screen on a book synced for real (`amts-tui sync --write` of the demo copy, zh
against en-upstream, local backend): accept, edit and reject each write exactly the right bytes."""

from __future__ import annotations

import asyncio
import io
from contextlib import redirect_stdout
from pathlib import Path

from dashboard_support import NARROW, SIZE, settle
from textual.widgets import OptionList, TextArea

from amts.tui import cli
from amts.tui.app import make_app
from amts.tui.screens.confirm import ConfirmScreen
from amts.tui.screens.review import ReviewScreen


async def sync_write(book: Path, work: Path) -> None:
    """`amts-tui sync BOOK --upstream en-upstream --write` on the local backend (its own loop: a thread)."""
    def run() -> int:
        with redirect_stdout(io.StringIO()):
            return cli.main(["sync", str(book), "--upstream", str(book.parent / "en-upstream"), "--write",
                             "--workdir", str(work)])
    assert await asyncio.to_thread(run) == 0


async def open_review(app, pilot) -> ReviewScreen:
    await pilot.press("6")
    await settle(app, pilot)
    assert isinstance(app.screen, ReviewScreen)
    return app.screen


def spliced(before: str, unit, text: str) -> bytes:
    """NAME.md with the unit's machine text and marker replaced by `text`."""
    assert before[unit.start:unit.end] == unit.machine + unit.marker  # what the sync wrote
    return (before[:unit.start] + text + before[unit.end:]).encode("utf-8")


async def test_accept_edit_reject_write_the_right_bytes(settings, tmp_path, sample_book):
    app = make_app(settings=settings, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        root = Path(app.session.book.root)
        assert not root.resolve().is_relative_to(sample_book.resolve())  # the demo copy
        await sync_write(root, tmp_path / "sync-work")
        screen = await open_review(app, pilot)
        review = screen.review
        assert review is not None and len(review) >= 4 and len(review.sections) >= 2
        units = app.screen.query_one("#review-units", OptionList)
        assert units.option_count == len(review) + len(review.sections)  # a heading per section
        first = review.next()
        assert screen.current == first
        assert str(screen.query_one("#review-new").render()).strip() != ""

        # Accept: the marker goes, the machine text stays.
        path = root / first.section
        before = path.read_text(encoding="utf-8")
        await pilot.press("a")
        await settle(app, pilot)
        assert path.read_bytes() == spliced(before, first, first.machine)
        assert len(screen.review) == len(review) - 1 and screen.current.start != first.start

        # Edit in place: the typed text replaces machine text and marker.
        unit = screen.current
        path = root / unit.section
        before = path.read_text(encoding="utf-8")
        await pilot.press("e")
        await pilot.pause()
        editor = screen.query_one("#review-editor", TextArea)
        assert editor.has_focus and editor.text == unit.machine
        editor.text = ""
        await pilot.press(*"Reviewed: ")  # typed; the CJK text pasted (no key for 。 in a pilot)
        editor.insert("审校后的译文。")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert path.read_bytes() == spliced(before, unit, "Reviewed: 审校后的译文。")
        assert not screen.editing and len(screen.review) == len(review) - 2

        # Reject a unit that had a translation: the previous translation comes back.
        unit = next(u for u in screen.review.units if u.previous.strip() and not u.is_conflict)
        screen._select(unit)
        path = root / unit.section
        before = path.read_text(encoding="utf-8")
        await pilot.press("r")
        await settle(app, pilot)
        assert path.read_bytes() == spliced(before, unit, unit.previous)
        assert len(screen.review) == len(review) - 3

        # Next / previous walk the listing in document order.
        await pilot.press("n")
        after_next = screen.current
        await pilot.press("p")
        assert after_next is not None and screen.review.previous(after_next) == screen.current

        # Rejecting a unit new upstream removes it: only after a yes.
        new = next(u for u in screen.review.units if not u.reject_restores)
        screen._select(new)
        before = (root / new.section).read_bytes()
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await settle(app, pilot)
        assert (root / new.section).read_bytes() == before

    # A new app reads what is left from disk.
    again = make_app(settings=settings, demo=True)
    async with again.run_test(size=NARROW) as pilot:
        await settle(again, pilot)
        screen = await open_review(again, pilot)
        assert len(screen.review) == len(review) - 3
        assert screen.query_one("#review-panes").has_class("-narrow")  # stacked at 80 columns
