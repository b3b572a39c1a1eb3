"""What every AMTS screen shares: the navigation bar, the footer, and worker failure handling."""

from __future__ import annotations

from collections.abc import Iterable
from typing import cast

from textual import events, on
from textual.app import ComposeResult, SystemCommand
from textual.screen import Screen
from textual.widgets import Footer
from textual.worker import Worker, WorkerState

from amts.engine.credentials import scrub_secrets
from amts.engine.errors import AmtsError
from amts.tui.context import AppContext
from amts.tui.widgets.navbar import NavBar


class AmtsScreen(Screen[None]):
    """A top-level screen (one per mode). Subclasses implement `compose_body` and `book_changed`."""

    MODE = ""

    def __init__(self) -> None:
        super().__init__(id=f"{self.MODE}-screen")
        self.drawn_book_version = -1

    @property
    def amts(self) -> AppContext:
        return cast(AppContext, self.app)

    def compose(self) -> ComposeResult:
        yield NavBar(self.MODE)
        yield from self.compose_body()
        yield Footer()

    def compose_body(self) -> ComposeResult:
        yield from ()

    @on(events.Mount)
    def _subscribe_to_book(self) -> None:
        self.amts.book_signal.subscribe(self, self._book_opened)

    def _book_opened(self, _book) -> None:
        if self.is_current:
            self.on_screen_resume()

    def on_screen_resume(self) -> None:
        session = self.amts.session
        if session.book is not None:
            shown = self.amts.service.display_path(session.book_label)
            self.query_one(NavBar).show_book(
                f"{shown}  {session.book.source_lang}→{session.book.target_lang}")
        if self.drawn_book_version != session.book_version:
            self.drawn_book_version = session.book_version
            self.book_changed()

    def book_changed(self) -> None:
        """The open book changed since this screen last drew it (or it is drawn the first time)."""

    def screen_commands(self) -> Iterable[SystemCommand]:
        """This screen's actions for the command palette."""
        return ()

    @on(Worker.StateChanged)
    def _worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place where worker failures become notifications (never a traceback)."""
        if event.state != WorkerState.ERROR:
            return
        error = event.worker.error
        # An AmtsError is written for users; anything else is a bug, named by its type.
        message = str(error) if isinstance(error, AmtsError) else scrub_secrets(
            f"{type(error).__name__}: {error}")
        self.notify(message, title=event.worker.name or "Background work failed", severity="error",
                    timeout=8)
        self.worker_failed(event.worker, error)

    def worker_failed(self, worker: Worker, error: BaseException | None) -> None:
        """Hook: put the screen back in a usable state after a worker failed."""
