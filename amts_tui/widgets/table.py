"""The app's DataTable: Home/End reach the first/last row, and text columns share the width.

Textual's DataTable moves Home/End between columns, which in a row-cursor table (or one without
a cursor) only scrolls sideways: nothing a user sees. And a column of long text either takes a
fixed width or grows with its longest cell, pushing the other columns off a narrow terminal.
Here the columns named in `flexible_columns` share what the other columns leave, following
resizes; their cells are `one_line` texts, cut with "…".
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey

MIN_FLEXIBLE_WIDTH = 8
#: Kept free on the right for the vertical scrollbar, shown or not (the widths stay put).
SCROLLBAR = 2


def one_line(text: str, style: Style | str = "") -> Text:
    """The text on one line, cut with "…" at whatever width its column has."""
    return Text(" ".join(text.split()), style=style, no_wrap=True, overflow="ellipsis", end="")


class Table(DataTable):
    """A DataTable whose Home/End reach the top/bottom unless the cursor moves between cells,
    and whose `flexible_columns` share the width left by the others."""

    flexible_columns: tuple[str, ...] = ()

    def action_scroll_home(self) -> None:
        if self.show_cursor and self.cursor_type in ("cell", "column"):
            super().action_scroll_home()
        elif self.show_cursor and self.cursor_type == "row":
            self.action_scroll_top()
        else:
            self.scroll_home(animate=False)

    def action_scroll_end(self) -> None:
        if self.show_cursor and self.cursor_type in ("cell", "column"):
            super().action_scroll_end()
        elif self.show_cursor and self.cursor_type == "row":
            self.action_scroll_bottom()
        else:
            self.scroll_end(animate=False)

    def flexible_width(self) -> int:
        """The width each flexible column gets at the table's current size."""
        flexible = [key for key in self.flexible_columns if ColumnKey(key) in self.columns]
        fixed = sum(column.get_render_width(self) for key, column in self.columns.items()
                    if key.value not in flexible)
        free = (self.size.width or 100) - SCROLLBAR - fixed - 2 * self.cell_padding * len(flexible)
        return max(MIN_FLEXIBLE_WIDTH, free // max(1, len(flexible)))

    def fit_columns(self) -> None:
        """Give the flexible columns the width the others leave (after adding columns, on resize)."""
        width = self.flexible_width()
        changed = False
        for key in self.flexible_columns:
            column = self.columns.get(ColumnKey(key))
            if column is not None and (column.width != width or column.auto_width):
                column.width, column.auto_width = width, False
                changed = True
        if changed:
            # DataTable has no public call to resize a column: mark its layout stale.
            self._require_update_dimensions = True
            self._clear_caches()
            self.refresh()

    def on_resize(self) -> None:
        self.fit_columns()

    def show_rows(self, headers: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
        """Replace a small table's contents, every column as wide as its widest cell.

        Widths are fixed before the rows go in: a DataTable that sizes columns from their
        cells does so on its next idle, and a header drawn in between kept the old widths
        (seen as a header narrower than its rows)."""
        self.clear(columns=True)
        for index, header in enumerate(headers):
            width = max([cell_len(header), *(cell_len(row[index]) for row in rows)])
            self.add_column(header, width=width)
        for row in rows:
            self.add_row(*row)
