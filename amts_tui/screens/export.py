"""Modal: choose the format and file for exporting parallel data."""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select


class ExportScreen(ModalScreen[tuple[str, Path] | None]):
    """Returns (format, path), or None when cancelled."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="export.cancel")]

    def __init__(self, formats: list[str], default_path: Path, pair_count: int) -> None:
        super().__init__(id="export-screen")
        self.formats = formats
        self.default_path = default_path
        self.pair_count = pair_count

    def compose(self) -> ComposeResult:
        fmt = self.default_path.suffix.lstrip(".") or self.formats[0]
        with Vertical(id="export-dialog", classes="dialog"):
            yield Label(f"Export {self.pair_count:,} included pairs", classes="dialog-title")
            yield Label("Format", classes="field-label")
            yield Select([(f.upper(), f) for f in self.formats], value=fmt, allow_blank=False,
                         id="export-format")
            yield Label("File", classes="field-label")
            yield Input(str(self.default_path), id="export-path")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Export", variant="primary", id="export-ok")
                yield Button("Cancel", id="export-cancel")

    @on(Select.Changed, "#export-format")
    def _format_changed(self, event: Select.Changed) -> None:
        path_input = self.query_one("#export-path", Input)
        path_input.value = str(Path(path_input.value).with_suffix(f".{event.value}"))

    @on(Button.Pressed, "#export-ok")
    @on(Input.Submitted, "#export-path")
    def _confirm(self) -> None:
        path = self.query_one("#export-path", Input).value.strip()
        if not path:
            self.notify("Name a file to write", severity="warning")
            return
        self.dismiss((str(self.query_one("#export-format", Select).value), Path(path).expanduser()))

    @on(Button.Pressed, "#export-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
