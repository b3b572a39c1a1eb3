"""Textual's command palette, less one crash.

PageUp/PageDown pressed while the palette's list is still being laid out raise KeyError inside
Textual's OptionList (`_move_page`, Textual 8.2; found by the monkey test). Until the list has
lines there is no page to move, so those keys then do nothing.
"""

from __future__ import annotations

from textual.command import CommandPalette


class AmtsCommandPalette(CommandPalette):
    def _action_command_list(self, action: str) -> None:
        try:
            super()._action_command_list(action)
        except KeyError:
            if action not in ("page_up", "page_down"):
                raise
