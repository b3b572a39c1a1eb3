"""Work-arounds for Textual bugs that the monkey test found, kept in one place (drop each when
Textual fixes it). Applied once, when `amts.tui.app` is imported.

- PageUp/PageDown in an OptionList whose lines are not laid out yet (the command palette just
  opened, a Select's overlay just shown) raise KeyError in `OptionList._move_page` (Textual 8.2).
  With no lines there is no page to move: the key does nothing.
- Shutting the app down while a screen is still being built (its first visit: the key was
  handled, its widgets are mounting) closes the screen's widgets before its Mount handlers run.
  Those handlers, Textual's own (a Select sets its label) and ours (a screen hides its progress
  bar), then query children that are gone: NoMatches, and the exit ends in a traceback (Textual
  8.2; a plain App with one Select shows it). And `App._close_all` walks the dict of mode stacks
  while awaiting, so a mode first shown meanwhile (a key still queued) raises "dictionary changed
  size during iteration". Closing here lets each screen being built finish first and walks
  copies.
"""

from __future__ import annotations

import asyncio
from contextlib import suppress

from textual.app import App
from textual.widgets import OptionList

_move_page = OptionList._move_page
_shutdown = App._shutdown

#: Longest wait for a screen being built before shutting down anyway (a screen's mount handler
#: that waited on the app's own message loop, which has stopped, would otherwise hang the exit).
BUILDING_SCREENS_WAIT = 5.0


def _move_page_when_laid_out(self: OptionList, direction) -> None:
    try:
        _move_page(self, direction)
    except KeyError:
        pass  # the lines are not laid out yet (see the module docstring)


async def _built(screen) -> None:
    """Wait (bounded) until a screen being built has run its Mount handlers."""
    if screen.is_running and not screen._mounted_event.is_set():
        with suppress(asyncio.TimeoutError):
            await asyncio.wait_for(screen._mounted_event.wait(), BUILDING_SCREENS_WAIT)


async def _shutdown_when_built(self: App) -> None:
    # Before Textual's shutdown stops the app: a widget mounted after that never starts.
    for stack in list(self._screen_stacks.values()):
        for screen in list(stack):
            await _built(screen)
    await _shutdown(self)


async def _close_all_walking_copies(self: App) -> None:
    """`App._close_all` of Textual 8.2, walking copies of what it closes."""
    for stack in list(self._screen_stacks.values()):
        for stack_screen in reversed(list(stack)):
            if stack_screen._running:
                await self._prune(stack_screen)
        stack.clear()
    self._installed_screens.clear()
    self._modes.clear()
    for child in list(self._registry):
        await child._close_messages()


def apply() -> None:
    OptionList._move_page = _move_page_when_laid_out  # type: ignore[method-assign]
    App._shutdown = _shutdown_when_built  # type: ignore[method-assign]
    App._close_all = _close_all_walking_copies  # type: ignore[method-assign]
