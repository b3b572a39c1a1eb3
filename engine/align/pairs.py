"""What alignment produces: an aligned source/target pair, and the pairs of one section."""

from __future__ import annotations

from dataclasses import dataclass

from amts.engine.book import SkippedFile
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


@dataclass(frozen=True, slots=True)
class SectionAlignmentResult:
    """One section's paragraph and sentence pairs, with warnings that name the file and line."""

    name: str
    paragraph_pairs: tuple[AlignedPair, ...]
    sentence_pairs: tuple[AlignedPair, ...]
    warnings: tuple[SkippedFile, ...] = ()
    cached: bool = False

    def pairs(self, granularity: str) -> tuple[AlignedPair, ...]:
        return self.sentence_pairs if granularity == "sentence" else self.paragraph_pairs
