"""What the screens share while the app runs: the open book, its alignment, exclusions, results.

Screens read it when they are shown (`on_screen_resume`) and compare `book_version` with the
version they last drew, so a book opened on one screen refreshes the others lazily.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from amts.engine.align.book_alignment import BookAlignment
from amts.engine.align.pairs import AlignedPair
from amts.engine.book import Book
from amts.engine.experiment.report import ExperimentResult


def pair_key(pair: AlignedPair, index: int) -> str:
    """A stable key for a pair within one alignment: granularity, article and position."""
    return f"{pair.granularity[0]}:{pair.path}:{index}"


@dataclass
class Session:
    book: Book | None = None
    book_label: str = ""
    book_version: int = 0
    #: The open book's alignment, once the Align screen has computed it.
    alignment: BookAlignment | None = None
    excluded: set[str] = field(default_factory=set)
    #: The last experiment's result, for the Results screen.
    experiment: ExperimentResult | None = None
    experiment_version: int = 0

    def open(self, book: Book, label: str) -> None:
        self.book, self.book_label = book, label
        self.book_version += 1
        self.alignment = None
        self.excluded.clear()
        self.experiment = None
        self.experiment_version += 1

    def included_pairs(self, granularity: str) -> list[AlignedPair]:
        """The aligned pairs not excluded by the user, for export or a pipeline run."""
        if self.alignment is None:
            return []
        out = []
        for section in self.alignment.sections:
            for i, pair in enumerate(section.pairs(granularity)):
                if pair_key(pair, i) not in self.excluded:
                    out.append(pair)
        return out
