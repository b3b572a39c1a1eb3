"""What every AMTS screen shares: the navigation bar, the footer, the open book, keys that leave
inputs, and worker failure handling."""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import suppress
from typing import cast

from rich.markup import escape
from textual import events, on
from textual._context import NoActiveAppError
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Input
from textual.worker import Worker, WorkerState

from amts.engine.credentials import scrub_secrets
from amts.engine.errors import AmtsError
from amts.tui.context import AppContext
from amts.tui.widgets.key_footer import KeyFooter
from amts.tui.widgets.navbar import NavBar


class AmtsScreen(Screen[None]):
    """A top-level screen (one per mode, built once and kept). Subclasses implement `compose_body`
    and `book_changed`; `AUTO_FOCUS` names the screen's main widget, where Escape and Enter in
    an input return to."""

    MODE = ""
    BINDINGS = [
        Binding("escape", "leave_input", "Leave field", show=False, id="screen.leave-input"),
    ]

    def __init__(self) -> None:
        super().__init__(id=f"{self.MODE}-screen")
        #: The app's open book changed since this screen drew it (screens off display draw when
        #: shown, so opening a book never makes every screen redraw at once).
        self.book_stale = True
        self.styled_once = False
        # A new screen counts as styled with the app's current CSS: it is styled as its widgets
        # mount. Textual marks it out of date instead (-1), so its first showing re-parsed the
        # whole stylesheet twice, about 0.3 s of every first visit; a later theme change still
        # bumps the app's count and restyles the screen when it is shown.
        with suppress(NoActiveAppError):
            self._css_update_count = self.app._css_update_count

    @property
    def amts(self) -> AppContext:
        return cast(AppContext, self.app)

    def compose(self) -> ComposeResult:
        yield NavBar(self.MODE)
        yield from self.compose_body()
        yield KeyFooter()

    def compose_body(self) -> ComposeResult:
        yield from ()

    @on(events.Mount)
    def _watch_book(self) -> None:
        self.watch(self.app, "current_book", self._book_watched, init=False)

    def _book_watched(self, _book) -> None:
        self.book_stale = True
        if self.is_current:
            self._draw_book()

    @on(events.ScreenResume)
    def _skip_restyle(self, event: events.ScreenResume) -> None:
        # Textual restyles every node of a screen each time it is shown (switch_mode always asks),
        # a large part of a switch. Our screens stay mounted, so a theme switch restyles them
        # where they are: showing one again needs no restyle. (Runs before Screen's handler.)
        if self.styled_once:
            event.refresh_styles = False
        self.styled_once = True

    def on_screen_resume(self) -> None:
        if self.book_stale:
            self._draw_book()

    def _draw_book(self) -> None:
        self.book_stale = False
        self.book_changed()

    def book_changed(self) -> None:
        """The open book changed since this screen last drew it (or it is drawn the first time)."""

    def screen_commands(self) -> Iterable[SystemCommand]:
        """This screen's actions for the command palette."""
        return ()

    # -- size ----------------------------------------------------------------------------------
    def on_resize(self, event: events.Resize) -> None:
        """Size classes for the sheets (Textual has no media queries): `-narrow` under 100
        columns, `-tiny` under 70, `-short` under 30 rows."""
        width, height = event.size
        self.set_class(width < 100, "-narrow")
        self.set_class(width < 70, "-tiny")
        self.set_class(height < 30, "-short")

    # -- focus ---------------------------------------------------------------------------------
    def focus_main(self) -> None:
        """Focus the screen's main widget (its AUTO_FOCUS), so single-letter keys are commands."""
        if self.AUTO_FOCUS:
            targets = self.query(self.AUTO_FOCUS)
            if targets:
                targets.first().focus()
                return
        self.set_focus(None)

    def action_leave_input(self) -> None:
        """Escape: out of an input (or wherever the focus is) back to the main widget."""
        self.focus_main()

    @on(Input.Submitted)
    def _input_submitted(self, event: Input.Submitted) -> None:
        # Enter submits and gives the keys back to the screen: a letter after it is a command,
        # never more text in the field. (Handlers of the field ran first: this is the bubble.)
        if self.focused is event.input:
            self.focus_main()

    # -- workers -------------------------------------------------------------------------------
    @on(Worker.StateChanged)
    def _worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place where worker failures become notifications (never a traceback)."""
        if event.state != WorkerState.ERROR:
            return
        error = event.worker.error
        if not isinstance(error, AmtsError) and error is not None:
            self.amts.unexpected_errors.append(error)
        # An AmtsError is written for users; anything else is a bug, named by its type.
        message = str(error) if isinstance(error, AmtsError) else scrub_secrets(
            f"{type(error).__name__}: {error}")
        self.notify(escape(message), title=escape(event.worker.name or "Background work failed"),
                    severity="error", timeout=8)
        self.worker_failed(event.worker, error)

    def worker_failed(self, worker: Worker, error: BaseException | None) -> None:
        """Hook: put the screen back in a usable state after a worker failed."""
