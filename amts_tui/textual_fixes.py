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
- The command palette acts on Enter later than it closes on Escape: Enter in its input posts the
  highlighted hit's selection, and the palette runs the command and dismisses itself only when
  that message arrives. An Escape typed meanwhile (a fast typist, a paste, a busy app) has closed
  the palette already, so the late selection dismisses it again, and `Screen.dismiss` pops
  whatever is on top of the current mode's stack: the mode's own screen (ScreenStackError, the
  app exits), or a dialog opened since. A second Enter typed meanwhile does the same (Textual
  8.2; a plain App shows it: Ctrl+P, a letter, Enter, Escape, one event-loop turn per key). The
  palette the app opens is a subclass that ignores a selection, an Enter or a button press
  arriving once it is no longer the screen on top: the user closed it, the choice is void.
"""

from __future__ import annotations

import asyncio
from contextlib import suppress

from textual import on
from textual.app import App
from textual.command import CommandPalette
from textual.message import Message
from textual.widgets import Button, Input, OptionList

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


class CommandPaletteIgnoringLateInput(CommandPalette):
    """Textual's command palette, deaf once closed (see the module docstring)."""

    @on(OptionList.OptionSelected)
    @on(Input.Submitted)
    @on(Button.Pressed)
    def _drop_when_closed(self, event: Message) -> None:
        if not self.is_active:
            # Textual's own handlers (the base class's) run after this one unless prevented.
            event.stop()
            event.prevent_default()


def _open_command_palette(self: App) -> None:
    """`App.action_command_palette` of Textual 8.2, opening the palette above."""
    if self.use_command_palette and not CommandPalette.is_open(self):
        self.push_screen(CommandPaletteIgnoringLateInput(id="--command-palette"))


def apply() -> None:
    OptionList._move_page = _move_page_when_laid_out  # type: ignore[method-assign]
    App._shutdown = _shutdown_when_built  # type: ignore[method-assign]
    App._close_all = _close_all_walking_copies  # type: ignore[method-assign]
    App.action_command_palette = _open_command_palette  # type: ignore[method-assign]
