"""A Footer that rebuilds its keys only when the keys it shows change.

Textual's Footer recomposes (removes and mounts a widget per key) whenever its screen's bindings
may have changed: every focus move and every time the screen is shown again. Each AMTS screen
has its own footer and stays mounted, so on a screen switch the keys are nearly always the same
ones, yet rebuilding them was a third of a switch (about 17 widgets mounted and styled, and their
predecessors left to the garbage collector).
"""

from __future__ import annotations

from typing import Any

from textual.screen import Screen
from textual.widgets import Footer


class KeyFooter(Footer):
    """The screen's keys, rebuilt only when what it would show differs from what it shows."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._composed_keys: tuple | None = None

    def shown_keys(self) -> tuple:
        """What compose draws from the active bindings: key, its display, text, state, group."""
        app = self.app
        return tuple(
            (binding.key, app.get_key_display(binding), binding.description, binding.action,
             enabled, tooltip, binding.group, binding.show)
            for (_, binding, enabled, tooltip) in self.screen.active_bindings.values()
            if binding.show or binding.key == app.COMMAND_PALETTE_BINDING)

    def compose(self):
        if self._bindings_ready:
            self._composed_keys = self.shown_keys()
        return super().compose()

    def bindings_changed(self, screen: Screen) -> None:
        if self._composed_keys is not None and self.is_attached and screen is self.screen \
                and self.shown_keys() == self._composed_keys:
            return
        super().bindings_changed(screen)
