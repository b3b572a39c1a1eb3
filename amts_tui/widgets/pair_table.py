"""The aligned pairs of a book as a Line API table: only the rows on screen are ever drawn.

A DataTable measures every cell of every row it is given and re-lays out all rows on each
addition: d2l-zh's 10,896 sentence pairs cost over a second of event-loop time, in batches that
held up keys and screen switches. Here `show_pairs` only stores the rows and sets the virtual
height; `render_line` draws the header and whichever rows are in view, so showing, filtering and
scrolling cost the same for 100 pairs or 100,000.

The text columns share the width the others leave (they follow resizes) and cut long text with
"…". Every colour comes from component classes read when a line is drawn, so switching themes
restyles the table.
"""

from __future__ import annotations

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from amts.engine.align.pairs import AlignedPair
from amts.tui.messages import PairToggled

MIN_TEXT_WIDTH = 8
#: Cells each side of a column's text (as DataTable's default padding).
PADDING = 1
#: The fixed columns: title, width and whether the text is right-aligned. Source and Target
#: (between the mark and Conf) share what is left.
MARK = ("", 1, False)
CONFIDENCE = ("Conf", 4, True)
BEAD = ("Bead", 4, False)
FIXED_WIDTH = sum(width + 2 * PADDING for _, width, _ in (MARK, CONFIDENCE, BEAD))
LOW_CONFIDENCE = 0.5


def cut(text: str, width: int) -> str:
    """`text` in at most `width` cells, cut with "…" if longer."""
    if cell_len(text) > width:
        return set_cell_size(text, width - 1) + "…"
    return text


def text_width(width: int) -> int:
    """The width each of Source and Target gets in a table `width` cells wide."""
    return max(MIN_TEXT_WIDTH, (width - FIXED_WIDTH - 4 * PADDING) // 2)


class PairTable(ScrollView, can_focus=True, inherit_bindings=False):
    """Source, target, confidence and bead of each pair; `x` excludes or includes the pair."""

    DEFAULT_CSS = """
    PairTable {
        background: $surface;
        color: $foreground;
        overflow-x: hidden;
        overflow-y: auto;
        &:focus {
            background-tint: $foreground 5%;
            & > .pair-table--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
            & > .pair-table--header { background-tint: $foreground 5%; }
        }
        &:dark > .pair-table--even-row { background: $surface-darken-1 40%; }
        & > .pair-table--header { text-style: bold; background: $panel; color: $foreground; }
        &:ansi > .pair-table--header { background: ansi_bright_blue; color: ansi_default; }
        & > .pair-table--even-row { background: $surface-lighten-1 50%; }
        & > .pair-table--hover { background: $block-hover-background; }
        & > .pair-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        & > .pair-table--excluded { color: $pair-excluded; text-style: strike; }
        & > .pair-table--low-confidence { color: $confidence-low; text-style: bold; }
    }
    """
    COMPONENT_CLASSES = {
        "pair-table--header", "pair-table--cursor", "pair-table--even-row", "pair-table--hover",
        "pair-table--excluded", "pair-table--low-confidence",
    }
    # Not ScrollView's keys: left/right would scroll nothing, and the help panel lists bindings.
    BINDINGS = [
        Binding("up", "cursor_up", "Cursor up", show=False),
        Binding("down", "cursor_down", "Cursor down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("home,ctrl+home", "first_row", "First pair", show=False),
        Binding("end,ctrl+end", "last_row", "Last pair", show=False),
        Binding("x", "toggle_exclude", "Exclude/include", id="align.toggle-exclude"),
    ]

    class RowHighlighted(Message):
        """The cursor moved to another pair (or the table was given new rows)."""

        def __init__(self, pair_table: PairTable, cursor_row: int) -> None:
            super().__init__()
            self.pair_table = pair_table
            self.cursor_row = cursor_row

        @property
        def control(self) -> PairTable:
            return self.pair_table

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.rows_shown: list[tuple[str, AlignedPair]] = []
        self.excluded: set[str] = set()
        self._cursor_row = 0
        self._hover_row = -1  # the row under the mouse, -1 when none is (or keys moved the cursor)

    # -- contents -------------------------------------------------------------------------------
    def show_pairs(self, rows: list[tuple[str, AlignedPair]], excluded: set[str]) -> None:
        """Show `rows` (key, pair), the cursor on the first; instant for any number of rows."""
        self.rows_shown = rows
        self.excluded = excluded
        self._cursor_row = 0
        self._hover_row = -1
        self.virtual_size = Size(0, len(rows) + 1)  # + the header line
        self.scroll_to(y=0, animate=False)
        self.refresh()
        if rows:
            self.post_message(self.RowHighlighted(self, 0))

    @property
    def row_count(self) -> int:
        return len(self.rows_shown)

    @property
    def current(self) -> tuple[str, AlignedPair] | None:
        """The (key, pair) under the cursor, if any."""
        if not self.rows_shown:
            return None
        return self.rows_shown[self._cursor_row]

    def mark_excluded(self, excluded: set[str]) -> None:
        """Show these row keys as excluded (and the others as included)."""
        self.excluded = set(excluded)
        self.refresh()  # only the rows in view are drawn again

    # -- the cursor -----------------------------------------------------------------------------
    @property
    def cursor_row(self) -> int:
        return self._cursor_row

    @cursor_row.setter
    def cursor_row(self, row: int) -> None:
        self.move_cursor(row)

    @property
    def rows_in_view(self) -> int:
        """How many rows fit under the header."""
        return max(1, self.scrollable_content_region.height - 1)

    def move_cursor(self, row: int) -> None:
        """Put the cursor on `row` (kept inside the table) and scroll it into view."""
        row = max(0, min(row, self.row_count - 1))
        if row != self._cursor_row:
            self.refresh_line(self._cursor_row + 1)
            self.refresh_line(row + 1)
            self._cursor_row = row
            self.post_message(self.RowHighlighted(self, row))
        top = self.scroll_offset.y
        if row < top:
            self.scroll_to(y=row, animate=False)
        elif row >= top + self.rows_in_view:
            self.scroll_to(y=row - self.rows_in_view + 1, animate=False)

    def _move_by_key(self, row: int) -> None:
        self._hover(-1)  # the keyboard has the cursor now: no second highlight where the mouse is
        self.move_cursor(row)

    def action_cursor_up(self) -> None:
        self._move_by_key(self._cursor_row - 1)

    def action_cursor_down(self) -> None:
        self._move_by_key(self._cursor_row + 1)

    def action_page_up(self) -> None:
        page = self.rows_in_view
        self.scroll_to(y=self.scroll_y - page, animate=False)
        self._move_by_key(self._cursor_row - page)

    def action_page_down(self) -> None:
        page = self.rows_in_view
        self.scroll_to(y=self.scroll_y + page, animate=False)
        self._move_by_key(self._cursor_row + page)

    def action_first_row(self) -> None:
        self._move_by_key(0)

    def action_last_row(self) -> None:
        self._move_by_key(self.row_count - 1)

    # -- the mouse ------------------------------------------------------------------------------
    def _row_at(self, event: events.MouseEvent) -> int:
        """The row under the mouse, or -1 (the header, or below the last row)."""
        offset = event.get_content_offset(self)
        if offset is None or offset.y == 0:
            return -1
        row = self.scroll_offset.y + offset.y - 1
        return row if row < self.row_count else -1

    def on_click(self, event: events.Click) -> None:
        row = self._row_at(event)
        if row >= 0:
            self.move_cursor(row)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        self._hover(self._row_at(event))

    def on_leave(self, event: events.Leave) -> None:
        self._hover(-1)

    def _hover(self, row: int) -> None:
        if row != self._hover_row:
            for changed in (self._hover_row, row):
                if changed >= 0:
                    self.refresh_line(changed + 1)
            self._hover_row = row

    # -- exclusion ------------------------------------------------------------------------------
    def action_toggle_exclude(self) -> None:
        current = self.current
        if current is None:
            return
        key, _ = current
        excluded = key not in self.excluded
        if excluded:
            self.excluded.add(key)
        else:
            self.excluded.discard(key)
        self.refresh_line(self._cursor_row + 1)
        self.post_message(PairToggled(key, excluded))

    # -- drawing --------------------------------------------------------------------------------
    @property
    def columns_width(self) -> int:
        """The width the columns share: the scrollbar's is kept free, shown or not, so the
        columns stay put when a filter leaves fewer rows than fit."""
        return self.size.width - self.styles.scrollbar_size_vertical

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if y == 0:
            return self._header_line(width)
        row = self.scroll_offset.y + y - 1
        if row >= self.row_count:
            return Strip.blank(width, self.rich_style)
        return self._row_line(row, width)

    def _header_line(self, width: int) -> Strip:
        style = self.rich_style + self.get_component_rich_style("pair-table--header")
        texts = text_width(self.columns_width)
        titles = [MARK, ("Source", texts, False), ("Target", texts, False), CONFIDENCE, BEAD]
        return self._line([(title, size, right, style) for title, size, right in titles], width, style)

    def _row_line(self, row: int, width: int) -> Strip:
        key, pair = self.rows_shown[row]
        style = self.rich_style
        if row % 2 == 0:
            style += self.get_component_rich_style("pair-table--even-row")
        if row == self._hover_row:
            style += self.get_component_rich_style("pair-table--hover")
        cursor_colours = Style()
        if row == self._cursor_row:
            cursor = self.get_component_rich_style("pair-table--cursor")
            style += cursor
            # The cursor's colours win over the cells' own, as in DataTable ("css" priority).
            cursor_colours = Style.from_color(cursor.color, cursor.bgcolor)
        text_style = conf_style = style
        if key in self.excluded:
            text_style = conf_style = style + self.get_component_rich_style("pair-table--excluded", partial=True)
        elif pair.confidence < LOW_CONFIDENCE:
            conf_style = style + self.get_component_rich_style("pair-table--low-confidence", partial=True)
        texts = text_width(self.columns_width)
        text_style, conf_style = text_style + cursor_colours, conf_style + cursor_colours
        cells = [
            ("✗" if key in self.excluded else "", MARK[1], False, text_style),
            (" ".join(pair.source.split()), texts, False, text_style),
            (" ".join(pair.target.split()), texts, False, text_style),
            (f"{pair.confidence:.2f}", CONFIDENCE[1], True, conf_style),
            (pair.bead, BEAD[1], False, text_style),
        ]
        return self._line(cells, width, style)

    def _line(self, cells: list[tuple[str, int, bool, Style]], width: int, fill: Style) -> Strip:
        """One line of cells (text, width, right-aligned, style), each cut to its width and
        padded in the row's own style (a strike-through covers the text only), then extended to
        `width`."""
        segments: list[Segment] = []
        for text, size, right, style in cells:
            text = cut(text, size)
            space = size - cell_len(text)
            before, after = PADDING + (space if right else 0), PADDING + (0 if right else space)
            segments += [Segment(" " * before, fill), Segment(text, style), Segment(" " * after, fill)]
        return Strip(segments).adjust_cell_length(width, fill).simplify()
