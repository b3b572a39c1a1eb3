"""Side-by-side diff of machine output and reference, unit by unit, differences highlighted."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.color import Color
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Label, Static


def highlight(ops, side: str, style: Style) -> Text:
    """The hypothesis (side="hyp") or reference (side="ref") text with changed tokens styled."""
    text = Text()
    for op in ops:
        piece = op.hyp_text if side == "hyp" else op.ref_text
        if not piece:
            continue
        text.append(piece, style if op.kind != "equal" else None)
    return text


PLACEHOLDER = "Select an article's score (Enter) to compare its output with the reference."


class DiffView(VerticalScroll):
    """Rows of (machine output | reference) per prose unit. Colours: $diff-delete, $diff-insert."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.units: list = []
        self.shown = False
        self.heading = ("Machine output", "Reference")

    def compose(self) -> ComposeResult:
        yield Static(PLACEHOLDER, classes="diff-placeholder")

    def clear(self) -> None:
        """Back to the placeholder: the results whose diff it showed are gone."""
        if not self.shown:
            return
        self.units, self.shown = [], False
        self.heading = ("Machine output", "Reference")
        with self.app.batch_update():
            self.remove_children()
            self.mount(Static(PLACEHOLDER, classes="diff-placeholder"))

    def show(self, units: list, hyp_title: str, ref_title: str) -> None:
        """Replace the view with `units` (service.DiffUnit) under the two column titles."""
        self.units = units
        self.heading = (hyp_title, ref_title)
        self.shown = True
        self._rebuild()

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self._rebuild())

    def _style(self, variable: str) -> Style:
        value = self.app.theme_variables.get(variable, "")
        color = Color.parse(value).rich_color if value else None
        return Style(color=color, bold=True, underline=True)

    def _rebuild(self) -> None:
        if not self.shown:
            return
        delete, insert = self._style("diff-delete"), self._style("diff-insert")
        rows = [Horizontal(Label(self.heading[0], classes="diff-heading diff-column", markup=False),
                           Label(self.heading[1], classes="diff-heading diff-column", markup=False),
                           classes="diff-title")]
        for unit in self.units:
            rows.append(Horizontal(
                Static(highlight(unit.ops, "hyp", delete), classes="diff-column diff-hyp"),
                Static(highlight(unit.ops, "ref", insert), classes="diff-column diff-ref"),
                classes="diff-unit"))
        if not self.units:
            rows.append(Static("No prose units in this article."))
        with self.app.batch_update():
            self.remove_children()
            self.mount_all(rows)
