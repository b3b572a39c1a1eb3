"""What screens may ask of the app, as a Protocol: screens depend on this, not on `AmtsApp`,
so that the app can import its screens without an import circle."""

from __future__ import annotations

from typing import Protocol

from textual.signal import Signal

from amts.tui.service import AmtsService
from amts.tui.session import Session
from amts.tui.settings import Settings


class AppContext(Protocol):
    settings: Settings
    service: AmtsService
    session: Session
    initial_book: str | None
    book_signal: Signal[object]
    experiment_signal: Signal[object]
