"""What the screens share while the app runs: the open book, its alignment, exclusions, results.

The app owns the open book, the alignment and the last experiment as Textual reactives (see
`amts.tui.app.AmtsApp`); screens watch them. `Session` is the screens' view of that state: it
reads and writes the app's reactives (so every write reaches every watcher). Exclusions live on
disk (the work directory's ExclusionStore); `exclusions` is the copy last read or written.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from amts.engine.align.book_alignment import BookAlignment
from amts.engine.align.pairs import AlignedPair
from amts.engine.book import Book
from amts.engine.experiment.report import ExperimentResult
from amts.engine.paralleldata.exclusions import Exclusions
from amts.tui.long_lived import release_book_data


def pair_key(pair: AlignedPair, index: int) -> str:
    """A row key for a pair within one alignment: granularity, article and position (the table's
    key only: what is excluded is stored by the pair's text, see ExclusionStore)."""
    return f"{pair.granularity[0]}:{pair.path}:{index}"


@dataclass(frozen=True, slots=True, eq=False)
class OpenBook:
    """A book as opened in the UI, with the path the user gave (how it is shown and remembered).
    Compared by identity: re-opening the same folder is a new OpenBook (its files may have changed)."""

    book: Book
    label: str


class SharedState(Protocol):
    """The app's reactives the session reads and writes."""

    current_book: OpenBook | None
    alignment: BookAlignment | None
    experiment: ExperimentResult | None


class Session:
    def __init__(self, state: SharedState) -> None:
        self._state = state
        #: The open book's excluded pairs as last read from (or written to) its ExclusionStore.
        self.exclusions: Exclusions | None = None
        #: The open book's upstream source, once known (Book screen): the Sync screen plans against it.
        self.upstream: Path | None = None
        #: How many books were opened (workers started for one book compare it when they end).
        self.book_version = 0

    @property
    def current(self) -> OpenBook | None:
        return self._state.current_book

    @property
    def book(self) -> Book | None:
        return self._state.current_book.book if self._state.current_book is not None else None

    @property
    def book_label(self) -> str:
        return self._state.current_book.label if self._state.current_book is not None else ""

    @property
    def alignment(self) -> BookAlignment | None:
        """The open book's alignment, once the Align screen has computed it."""
        return self._state.alignment

    @alignment.setter
    def alignment(self, value: BookAlignment | None) -> None:
        self._state.alignment = value

    @property
    def experiment(self) -> ExperimentResult | None:
        """The last experiment's result, for the Results screen."""
        return self._state.experiment

    @experiment.setter
    def experiment(self, value: ExperimentResult | None) -> None:
        self._state.experiment = value

    def open(self, book: Book, label: str) -> None:
        """Share a newly opened book: what belonged to the previous one goes first, so watchers
        of the book never see the old book's alignment or results."""
        self.book_version += 1
        release_book_data()
        self.exclusions = None
        previous = self._state.current_book
        if previous is None or Path(previous.book.root).resolve() != Path(book.root).resolve():
            # The same book re-read (after a sync, or reversed) keeps the upstream the user named.
            self.upstream = None
        self._state.alignment = None
        self._state.experiment = None
        self._state.current_book = OpenBook(book, label)

    def is_excluded(self, pair: AlignedPair) -> bool:
        book = self.book
        return bool(self.exclusions and book and self.exclusions.excludes(pair, book.source_lang, book.target_lang))

    def included_pairs(self, granularity: str) -> list[AlignedPair]:
        """The aligned pairs not excluded by the user, for export or a pipeline run."""
        if self.alignment is None or self.book is None:
            return []
        pairs = [p for section in self.alignment.sections for p in section.pairs(granularity)]
        if not self.exclusions:
            return pairs
        return self.exclusions.apply(pairs, self.book.source_lang, self.book.target_lang).kept
