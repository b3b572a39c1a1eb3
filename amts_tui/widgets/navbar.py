"""The one-line bar at the top: the five screens (clickable, current one highlighted) and the book."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Label

SCREENS = (("book", "Book", "1"), ("align", "Align", "2"), ("jobs", "Jobs", "3"),
           ("results", "Results", "4"), ("sync", "Sync", "5"), ("review", "Review", "6"))


class NavTab(Label):
    """One screen's tab; a click shows that screen (plain widgets, no link markup)."""

    def __init__(self, mode: str, title: str, key: str, current: bool) -> None:
        super().__init__(f" {key} {title} ", classes="nav-tab -current" if current else "nav-tab")
        self.mode = mode

    async def on_click(self) -> None:
        await self.app.run_action(f"show_screen('{self.mode}')")


class NavBar(Horizontal):
    """Screen tabs plus the open book; `current` is the mode of the screen that owns the bar."""

    def __init__(self, current: str) -> None:
        super().__init__(id="navbar")
        self.current = current

    def compose(self) -> ComposeResult:
        yield Label(" AMTS ", classes="nav-title")
        for mode, title, key in SCREENS:
            yield NavTab(mode, title, key, mode == self.current)
        yield Label("", id="navbar-book")

    def show_book(self, label: str) -> None:
        self.query_one("#navbar-book", Label).update(Content(f"│ {label}"))  # a path, not markup
