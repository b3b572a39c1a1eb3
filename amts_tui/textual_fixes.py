"""Work-arounds for Textual bugs that the monkey test found, kept in one place (drop each when
Textual fixes it). Applied once, when `amts.tui.app` is imported.

- PageUp/PageDown in an OptionList whose lines are not laid out yet (the command palette just
  opened, a Select's overlay just shown) raise KeyError in `OptionList._move_page` (Textual 8.2).
  With no lines there is no page to move: the key does nothing.
"""

from __future__ import annotations

from textual.widgets import OptionList

_move_page = OptionList._move_page


def _move_page_when_laid_out(self: OptionList, direction) -> None:
    try:
        _move_page(self, direction)
    except KeyError:
        pass  # the lines are not laid out yet (see the module docstring)


def apply() -> None:
    OptionList._move_page = _move_page_when_laid_out  # type: ignore[method-assign]
