"""A DataTable of aligned pairs that fills in batches, so 12k rows never freeze the UI."""

from __future__ import annotations

import asyncio

from rich.text import Text
from textual import work
from textual.binding import Binding
from textual.color import Color
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey

from amts.engine.align.pairs import AlignedPair
from amts.tui.messages import PairToggled

#: Rows added per event-loop turn: small enough that keys stay responsive while filling.
BATCH_ROWS = 400


def clip(text: str, width: int) -> str:
    """One line of at most `width` cells' worth of characters (CJK counts double, roughly)."""
    text = " ".join(text.split())
    out, used = [], 0
    for ch in text:
        used += 2 if ord(ch) > 0x2E80 else 1
        if used > width:
            out.append("…")
            break
        out.append(ch)
    return "".join(out)


class PairTable(DataTable):
    """Source, target, confidence and bead of each pair; `x` excludes or includes the pair."""

    BINDINGS = [
        Binding("x", "toggle_exclude", "Exclude/include", id="align.toggle-exclude"),
    ]

    def __init__(self, **kwargs) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)
        self.rows_shown: list[tuple[str, AlignedPair]] = []
        self.excluded: set[str] = set()

    def show_pairs(self, rows: list[tuple[str, AlignedPair]], excluded: set[str]) -> None:
        """Replace the table's contents with `rows` (key, pair), filled in batches."""
        self.rows_shown = rows
        self.excluded = excluded
        self.clear(columns=True)
        text_width = max(12, (self.size.width or 100) - 22) // 2
        self.add_column("", key="mark", width=1)
        self.add_column("Source", key="source", width=text_width)
        self.add_column("Target", key="target", width=text_width)
        self.add_column("Conf", key="confidence", width=4)
        self.add_column("Bead", key="bead", width=4)
        self._fill(rows, text_width)

    @work(exclusive=True, group="pair-table", name="Fill pair table", exit_on_error=False)
    async def _fill(self, rows: list[tuple[str, AlignedPair]], text_width: int) -> None:
        for start in range(0, len(rows), BATCH_ROWS):
            for key, pair in rows[start:start + BATCH_ROWS]:
                self.add_row(*self._cells(key, pair, text_width), key=key)
            await asyncio.sleep(0)  # let input and painting through between batches

    def _cells(self, key: str, pair: AlignedPair, text_width: int) -> list:
        excluded = key in self.excluded
        dim = self._variable_style("pair-excluded") if excluded else ""
        low = self._variable_style("confidence-low") if pair.confidence < 0.5 else ""
        return [
            Text("✗" if excluded else " ", style=dim),
            Text(clip(pair.source, text_width), style=dim, no_wrap=True),
            Text(clip(pair.target, text_width), style=dim, no_wrap=True),
            Text(f"{pair.confidence:.2f}", style=dim or low, justify="right"),
            Text(pair.bead, style=dim),
        ]

    def _variable_style(self, name: str) -> str:
        value = self.app.theme_variables.get(name)
        return Color.parse(value).hex if value else ""

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
        for column_key, cell in zip(("mark", "source", "target", "confidence", "bead"),
                                    self._cells(key, pair, self._text_width())):
            self.update_cell(key, column_key, cell)
        self.post_message(PairToggled(key, excluded))

    def mark_excluded(self, excluded: set[str]) -> None:
        """Show these row keys as excluded (and the others as included), redrawing only the rows
        whose mark changes (excluding a paragraph marks the sentence pairs inside it too)."""
        changed = (excluded ^ self.excluded) & {key for key, _ in self.rows_shown}
        self.excluded = set(excluded)
        pairs = dict(self.rows_shown)
        for key in changed:
            if key not in self.rows:
                continue  # not added yet: the batch fill draws it with the new mark
            for column_key, cell in zip(("mark", "source", "target", "confidence", "bead"),
                                        self._cells(key, pairs[key], self._text_width())):
                self.update_cell(key, column_key, cell)

    def _text_width(self) -> int:
        return self.columns[ColumnKey("source")].width
