"""A DataTable of aligned pairs that fills in batches, so 12k rows never freeze the UI.

The text columns share the width the table has (they follow resizes) and cut long text with
"…"; the colours of excluded and doubtful pairs are component classes styled by the theme's
variables, so switching themes restyles the table.
"""

from __future__ import annotations

import asyncio

from rich.text import Text
from textual import work
from textual.binding import Binding

from amts.engine.align.pairs import AlignedPair
from amts.tui.long_lived import settle_book_data
from amts.tui.messages import PairToggled
from amts.tui.widgets.table import MIN_FLEXIBLE_WIDTH, Table, one_line

#: Rows added per event-loop turn: small enough that keys stay responsive while filling.
BATCH_ROWS = 400
COLUMNS = ("mark", "source", "target", "confidence", "bead")


class PairTable(Table):
    """Source, target, confidence and bead of each pair; `x` excludes or includes the pair."""

    DEFAULT_CSS = """
    PairTable > .pair-table--excluded { color: $pair-excluded; text-style: strike; }
    PairTable > .pair-table--low-confidence { color: $confidence-low; text-style: bold; }
    """
    COMPONENT_CLASSES = {"pair-table--excluded", "pair-table--low-confidence"}
    flexible_columns = ("source", "target")
    BINDINGS = [
        Binding("x", "toggle_exclude", "Exclude/include", id="align.toggle-exclude"),
    ]

    def __init__(self, **kwargs) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)
        self.rows_shown: list[tuple[str, AlignedPair]] = []
        self.excluded: set[str] = set()

    def on_mount(self) -> None:
        self.watch(self.app, "theme", lambda _theme: self.call_after_refresh(self._restyle), init=False)

    def show_pairs(self, rows: list[tuple[str, AlignedPair]], excluded: set[str]) -> None:
        """Replace the table's contents with `rows` (key, pair), filled in batches."""
        self.rows_shown = rows
        self.excluded = excluded
        self.clear(columns=True)
        self.add_column("", key="mark", width=1)
        self.add_column("Source", key="source", width=MIN_FLEXIBLE_WIDTH)
        self.add_column("Target", key="target", width=MIN_FLEXIBLE_WIDTH)
        self.add_column("Conf", key="confidence", width=4)
        self.add_column("Bead", key="bead", width=4)
        self.fit_columns()
        self._fill(rows)

    @work(exclusive=True, group="pair-table", name="Fill pair table", exit_on_error=False)
    async def _fill(self, rows: list[tuple[str, AlignedPair]]) -> None:
        for start in range(0, len(rows), BATCH_ROWS):
            for key, pair in rows[start:start + BATCH_ROWS]:
                self.add_row(*self._cells(key, pair), key=key)
            await asyncio.sleep(0)  # let input and painting through between batches
        settle_book_data()  # the rows live as long as the book's alignment

    def _cells(self, key: str, pair: AlignedPair) -> list[Text]:
        excluded = key in self.excluded
        dim = self.get_component_rich_style("pair-table--excluded", partial=True) if excluded else ""
        low = (self.get_component_rich_style("pair-table--low-confidence", partial=True)
               if pair.confidence < 0.5 else "")
        return [
            Text("✗" if excluded else " ", style=dim),
            one_line(pair.source, dim),
            one_line(pair.target, dim),
            Text(f"{pair.confidence:.2f}", style=dim or low, justify="right"),
            Text(pair.bead, style=dim),
        ]

    def _restyle(self) -> None:
        """Re-draw the rows whose colours come from the theme (after a theme switch)."""
        for key, pair in self.rows_shown:
            if (key in self.excluded or pair.confidence < 0.5) and key in self.rows:
                self._update_row(key, pair)

    def _update_row(self, key: str, pair: AlignedPair) -> None:
        for column_key, cell in zip(COLUMNS, self._cells(key, pair)):
            self.update_cell(key, column_key, cell)

    @property
    def current(self) -> tuple[str, AlignedPair] | None:
        """The (key, pair) under the cursor, if any."""
        if not self.row_count or self.cursor_row >= len(self.rows_shown):
            return None
        return self.rows_shown[self.cursor_row]

    def action_toggle_exclude(self) -> None:
        current = self.current
        if current is None:
            return
        key, pair = current
        excluded = key not in self.excluded
        if excluded:
            self.excluded.add(key)
        else:
            self.excluded.discard(key)
        self._update_row(key, pair)
        self.post_message(PairToggled(key, excluded))

    def mark_excluded(self, excluded: set[str]) -> None:
        """Show these row keys as excluded (and the others as included), redrawing only the rows
        whose mark changes (excluding a paragraph marks the sentence pairs inside it too)."""
        changed = (excluded ^ self.excluded) & {key for key, _ in self.rows_shown}
        self.excluded = set(excluded)
        pairs = dict(self.rows_shown)
        for key in changed:
            if key in self.rows:  # a row not added yet is drawn with the new mark by the batch fill
                self._update_row(key, pairs[key])
