"""The Align screen's pair table: a Line API view that draws only the rows in view, on the demo book
and on the whole shared d2l-zh book (10,000+ sentence pairs, all reachable at once)."""

from __future__ import annotations

from pathlib import Path

from dashboard_support import SIZE, settle, wait_until
from rich.cells import cell_len
from textual import events
from textual.widgets import Input, OptionList, Static

from amts.tui.app import make_app
from amts.tui.widgets.pair_table import PairTable


def line_text(table: PairTable, y: int) -> str:
    """What the table shows on its line `y` (0 is the header)."""
    return "".join(segment.text for segment in table.render_line(y))


def screen_line(table: PairTable, row: int) -> int:
    """The line of the table that shows `row` (which must be in view)."""
    y = row + 1 - table.scroll_offset.y
    assert 1 <= y <= table.rows_in_view, f"row {row} is not in view"
    return y


def words(text: str) -> str:
    return " ".join(text.split())


async def open_align(app, pilot) -> PairTable:
    await settle(app, pilot)
    await pilot.press("2")
    await settle(app, pilot)
    await settle(app, pilot)
    return app.screen.query_one(PairTable)


async def test_header_stays_on_top_and_the_cursor_in_view(settings):
    app = make_app(settings=settings, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        table = await open_align(app, pilot)
        assert table.has_focus and table.row_count > table.rows_in_view
        await pilot.press("end")
        await pilot.pause()
        assert table.scroll_offset.y > 0  # scrolled to the last row...
        header = line_text(table, 0)
        assert header.split() == ["Source", "Target", "Conf", "Bead"]  # ...the titles stay on top
        last = table.rows_shown[-1][1]
        shown = line_text(table, screen_line(table, table.row_count - 1))
        assert f"{last.confidence:.2f}" in shown and last.bead in shown
        await pilot.press("home", "pagedown")
        await pilot.pause()
        page = table.cursor_row
        assert page == table.rows_in_view and table.scroll_offset.y > 0
        assert line_text(table, screen_line(table, page))  # the cursor's row is drawn
        await pilot.press("pageup")
        assert table.cursor_row == 0 and table.scroll_offset.y == 0


async def test_click_selects_a_row_and_the_wheel_scrolls(settings):
    app = make_app(settings=settings, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        table = await open_align(app, pilot)
        await pilot.click(PairTable, offset=(12, 4))  # line 4: the fourth row under the header
        await pilot.pause()
        assert table.cursor_row == 3
        _, pair = table.current
        detail = app.screen.query_one("#align-detail", Static)
        assert words(pair.source) in words(str(detail.render()))
        await pilot.click(PairTable, offset=(12, 0))  # the header: not a row
        assert table.cursor_row == 3
        for _ in range(3):
            table.post_message(events.MouseScrollDown(table, 12, 5, 0, 1, 0, False, False, False))
            await pilot.pause()
        assert table.scroll_offset.y > 0 and table.cursor_row == 3  # scrolling leaves the cursor
        top = table.scroll_offset.y
        await pilot.click(PairTable, offset=(12, 1))
        assert table.cursor_row == top

        def background(y: int):
            return next(iter(table.render_line(y))).style.bgcolor

        await pilot.hover(PairTable, offset=(12, 5))  # the mouse over a row highlights it...
        await pilot.pause()
        hovered = background(5)
        await pilot.press("down")  # ...until keys move the cursor
        await pilot.pause()
        assert table.cursor_row == top + 1 and background(5) != hovered


async def test_text_columns_share_the_width_follow_resizes_and_cut_with_ellipsis(settings):
    app = make_app(settings=settings, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        table = await open_align(app, pilot)

        def source_cells() -> list[tuple[str, str]]:
            """(shown, full) source text of each row in view."""
            header = line_text(table, 0)
            start, end = header.index("Source"), header.index("Target")
            top = table.scroll_offset.y
            return [(line_text(table, y)[start:end].strip(), words(table.rows_shown[top + y - 1][1].source))
                    for y in range(1, table.rows_in_view + 1)]

        def source_width() -> int:
            header = line_text(table, 0)
            return header.index("Target") - header.index("Source")

        wide = source_width()
        lines = [line_text(table, y) for y in range(1, table.rows_in_view + 1)]
        assert {cell_len(line) for line in lines} == {table.scrollable_content_region.width}
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert source_width() < wide
        assert line_text(table, 0).rstrip().endswith("Bead")  # every column still fits
        cells = source_cells()
        assert any(shown.endswith("…") for shown, _ in cells)
        for shown, full in cells:  # long sentences cut with "…", one line each
            assert shown == full or (shown.endswith("…") and full.startswith(shown[:-1].rstrip()))

async def test_excluded_row_is_marked_and_struck_through(settings):
    app = make_app(settings=settings, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        table = await open_align(app, pilot)
        await pilot.press("down", "x", "down")
        line = table.render_line(screen_line(table, 1))
        mark = next(segment for segment in line if segment.text.strip())
        assert mark.text == "✗" and mark.style.strike
        assert not any(segment.style.strike for segment in table.render_line(screen_line(table, 2)))


# -- the whole shared d2l-zh book -------------------------------------------------------------------
async def test_every_d2l_zh_pair_is_reachable_excludable_and_filtered(settings, d2l_zh, d2l_zh_aligned):
    d2l_zh_aligned.seed(Path(settings.work_dir))  # aligned once per session: the table is what is tested
    app = make_app(settings=settings, book_path=d2l_zh)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await wait_until(pilot, lambda: app.session.alignment is not None, timeout=300)
        await pilot.pause()
        alignment = app.session.alignment
        pairs = alignment.pairs("sentence")
        assert len(alignment.sections) > 100 and len(pairs) > 10_000
        table = app.screen.query_one(PairTable)
        assert [pair for _, pair in table.rows_shown] == pairs  # every pair at once: no batches
        detail = app.screen.query_one("#align-detail", Static)

        # End reaches the very last pair, drawn on screen and shown in the detail pane.
        await pilot.press("end")
        await pilot.pause()
        last = alignment.sections[-1].sentence_pairs[-1]
        assert table.cursor_row == len(pairs) - 1 and table.current[1] is last
        assert f"{last.path}:{last.source_line}" in str(detail.render())
        assert f"{last.confidence:.2f}" in line_text(table, screen_line(table, table.cursor_row))

        # `x` far down excludes exactly that pair (one whose text occurs once in the book).
        counts: dict[tuple[str, str], int] = {}
        for pair in pairs:
            counts[(pair.source, pair.target)] = counts.get((pair.source, pair.target), 0) + 1
        row = next(i for i in range(len(pairs) * 3 // 4, len(pairs))
                   if counts[(pairs[i].source, pairs[i].target)] == 1 and len(pairs[i].source) > 40)
        table.move_cursor(row)
        await pilot.press("x")
        await pilot.pause()
        key, pair = table.current
        assert pair is pairs[row] and table.excluded == {key}
        assert len(app.service.read_exclusions(app.session.book)) == 1
        assert [p for p in pairs if app.session.is_excluded(p)] == [pair]
        assert "✗" in line_text(table, screen_line(table, row))

        # Search, then the confidence filter on top, then one article: fewer rows each time.
        await pilot.press("slash", *"gradient", "enter")
        await wait_until(pilot, lambda: table.row_count < len(pairs), timeout=5)
        found = [p for p in pairs if "gradient" in p.source.lower() or "gradient" in p.target.lower()]
        assert [p for _, p in table.rows_shown] == found and 0 < len(found) < len(pairs)
        await pilot.press("f")  # ≥ 0.9
        await pilot.pause()
        assert [p for _, p in table.rows_shown] == [p for p in found if p.confidence >= 0.9] != found
        app.screen.query_one("#align-search", Input).value = ""
        await wait_until(pilot, lambda: table.row_count > len(found), timeout=5)
        # Rows drawn afresh keep their marks: the excluded pair, if it passes the filter, and no other.
        assert table.excluded == {k for k, p in table.rows_shown if app.session.is_excluded(p)}
        assert table.excluded == ({key} if pair.confidence >= 0.9 else set())
        articles = app.screen.query_one("#align-article-list", OptionList)
        articles.highlighted = articles.option_count - 1
        await pilot.pause()
        section = alignment.sections[-1]
        assert [p for _, p in table.rows_shown] == [p for p in section.sentence_pairs if p.confidence >= 0.9]
        assert table.cursor_row == 0 and table.current[1] is table.rows_shown[0][1]

        # The doubtful pairs of the whole book: their confidence in bold, in the theme's colour.
        articles.highlighted = 0
        await pilot.press("f", "f")  # ≥ 0.9 → 0.5 – 0.9 → < 0.5
        await pilot.pause()
        doubtful = [p for p in pairs if p.confidence < 0.5]
        assert [p for _, p in table.rows_shown] == doubtful and doubtful
        await pilot.press("down")
        row_pair = table.rows_shown[2][1]  # off the cursor and not excluded
        assert row_pair is not pair
        confidence = next(segment for segment in table.render_line(screen_line(table, 2))
                          if segment.text == f"{row_pair.confidence:.2f}")
        assert confidence.style.bold
        assert confidence.style.color.triplet.hex == app.theme_variables["confidence-low"]
