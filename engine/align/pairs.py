"""What alignment produces: an aligned source/target pair, the pairs of one section, and warnings
about what could not be aligned cleanly, each naming its side, file and line."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from amts.engine.markup.review_comments import has_review_comment


@dataclass(frozen=True, slots=True)
class AlignedPair:
    """A source text and its translation, with where they came from and how sure we are.

    `bead` is the alignment shape ("1-1", "2-1", "1-0", ...: source units - target units);
    `granularity` is "sentence" or "paragraph". Lines are 1-based lines in each file.
    """

    source: str
    target: str
    confidence: float = 1.0
    bead: str = "1-1"
    granularity: str = "sentence"
    path: str = ""
    source_line: int = 0
    target_line: int = 0

    @property
    def awaiting_review(self) -> bool:
        """Whether a side holds a sync's review comment: machine text (or a merge conflict) that
        nobody has reviewed yet, shown but never used as parallel data."""
        return has_review_comment(self.target) or has_review_comment(self.source)


class Side(StrEnum):
    """Which file of a section pair: the source (`NAME_origin.md`) or the translation (`NAME.md`)."""

    SOURCE = "source"
    TARGET = "target"


@dataclass(frozen=True, slots=True)
class AlignmentWarning:
    """Something alignment could not do cleanly: on which side, at which line of that side's file
    (0: the file as a whole), what. `file` is that side's file once the book names it."""

    side: Side
    line: int
    message: str
    file: str = ""

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.file and self.line else self.file
        return f"{where}: {self.message}" if where else self.message


@dataclass(frozen=True, slots=True)
class SectionAlignmentResult:
    """One section's paragraph and sentence pairs, with warnings that name the file and line."""

    name: str
    paragraph_pairs: tuple[AlignedPair, ...]
    sentence_pairs: tuple[AlignedPair, ...]
    warnings: tuple[AlignmentWarning, ...] = ()
    cached: bool = False

    def pairs(self, granularity: str) -> tuple[AlignedPair, ...]:
        return self.sentence_pairs if granularity == "sentence" else self.paragraph_pairs
