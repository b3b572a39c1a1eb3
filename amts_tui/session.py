"""What the screens share while the app runs: the open book, its alignment, exclusions, results.

Screens read it when they are shown (`on_screen_resume`) and compare `book_version` with the
version they last drew, so a book opened on one screen refreshes the others lazily. Exclusions
live on disk (the work directory's ExclusionStore); `exclusions` is the copy last read or written.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from amts.engine.align.book_alignment import BookAlignment
from amts.engine.align.pairs import AlignedPair
from amts.engine.book import Book
from amts.engine.experiment.report import ExperimentResult
from amts.engine.paralleldata.exclusions import Exclusions


def pair_key(pair: AlignedPair, index: int) -> str:
    """A row key for a pair within one alignment: granularity, article and position (the table's
    key only: what is excluded is stored by the pair's text, see ExclusionStore)."""
    return f"{pair.granularity[0]}:{pair.path}:{index}"


@dataclass
class Session:
    book: Book | None = None
    book_label: str = ""
    book_version: int = 0
    #: The open book's alignment, once the Align screen has computed it.
    alignment: BookAlignment | None = None
    #: The open book's excluded pairs as last read from (or written to) its ExclusionStore.
    exclusions: Exclusions | None = None
    #: The open book's upstream source, once known (Book screen): the Sync screen plans against it.
    upstream: Path | None = None
    #: The last experiment's result, for the Results screen.
    experiment: ExperimentResult | None = None
    experiment_version: int = 0

    def open(self, book: Book, label: str) -> None:
        self.book, self.book_label = book, label
        self.book_version += 1
        self.alignment = None
        self.exclusions = None
        self.upstream = None
        self.experiment = None
        self.experiment_version += 1

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
