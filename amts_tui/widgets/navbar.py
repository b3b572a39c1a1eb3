"""The one-line bar at the top: the screens with their keys (clickable, current one highlighted)
and the open book."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Label


class NavTab(Label):
    """One screen's tab; a click shows that screen (plain widgets, no link markup)."""

    def __init__(self, mode: str, title: str, current: bool) -> None:
        super().__init__(Content(f" {title} "), classes="nav-tab -current" if current else "nav-tab")
        self.mode = mode
        self.title = title

    def show_key(self, key: str) -> None:
        self.update(Content(f" {key} {self.title} " if key else f" {self.title} "))

    async def on_click(self) -> None:
        await self.app.run_action(f"show_screen('{self.mode}')")


class NavBar(Horizontal):
    """Screen tabs plus the open book; `current` is the mode of the screen that owns the bar.
    The keys shown are the bound ones (binding ids `screen.MODE`), so a remapped key shows."""

    def __init__(self, current: str) -> None:
        super().__init__(id="navbar")
        self.current = current

    def compose(self) -> ComposeResult:
        yield Label(" AMTS ", classes="nav-title")
        titles: dict[str, str] = getattr(self.app, "screen_titles", {})
        for mode, title in titles.items():
            yield NavTab(mode, title, mode == self.current)
        yield Label("", id="navbar-book")

    def on_mount(self) -> None:
        self.watch(self.app, "current_book", self._show_book)
        self.call_after_refresh(self.show_keys)

    def show_keys(self) -> None:
        """Label each tab with the key bound to its screen (after the user's keymap)."""
        keys: dict[str, str] = {}
        for active in self.screen.active_bindings.values():
            binding_id = active.binding.id or ""
            if binding_id.startswith("screen.") and binding_id[7:] not in keys:
                keys[binding_id[7:]] = self.app.get_key_display(active.binding)
        for tab in self.query(NavTab):
            tab.show_key(keys.get(tab.mode, ""))

    def _show_book(self, opened) -> None:
        label = ""
        if opened is not None:
            service = getattr(self.app, "service", None)
            shown = service.display_path(opened.label) if service is not None else opened.label
            label = f"│ {shown}  {opened.book.source_lang}→{opened.book.target_lang}"
        self.query_one("#navbar-book", Label).update(Content(label))  # a path, not markup
