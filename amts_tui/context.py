"""What screens may ask of the app, as a Protocol: screens depend on this, not on `AmtsApp`,
so that the app can import its screens without an import circle."""

from __future__ import annotations

from typing import Protocol

from amts.engine.align.book_alignment import BookAlignment
from amts.engine.experiment.report import ExperimentResult
from amts.tui.service import AmtsService
from amts.tui.session import OpenBook, Session
from amts.tui.settings import Settings


class AppContext(Protocol):
    settings: Settings
    service: AmtsService
    session: Session
    initial_book: str | None
    #: Mode → title, in navigation order (the nav bar shows them with their bound keys).
    screen_titles: dict[str, str]
    #: Worker failures that were not AmtsErrors: bugs (the monkey test asserts there are none).
    unexpected_errors: list[BaseException]
    # The app's reactives (watch them with `screen.watch(app, name, callback)`).
    current_book: OpenBook | None
    alignment: BookAlignment | None
    experiment: ExperimentResult | None
