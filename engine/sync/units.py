"""The results of sync planning: units of the new source, how each block is written, counts.

Frozen dataclasses only, so that a plan can be shown, saved as JSON, and applied later.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from amts.engine.book import SkippedFile
from amts.engine.cost import CostEstimate


class UnitStatus(StrEnum):
    UNCHANGED = "unchanged"  # reuse the existing translation verbatim
    EDITED = "edited"  # machine-translate; the old human translation is a suggestion; review
    NEW = "new"  # machine-translate; review
    DELETED = "deleted"  # in the old source only: its translation is dropped


class TextOrigin(StrEnum):
    HUMAN = "human"  # the translator's text, reused in place
    MEMORY = "memory"  # a human translation of the same sentence found elsewhere in the book
    MACHINE = "machine"  # machine translation (new now, or from an earlier sync, not yet reviewed)


@dataclass(frozen=True, slots=True)
class SyncUnit:
    """One sentence, heading or caption of the new source (of the old source when deleted)."""

    status: UnitStatus
    source: str  # the source text this unit translates
    translation: str = ""  # unchanged: the reused text; edited: the old translation (a suggestion)
    origin: TextOrigin = TextOrigin.MACHINE
    old_source: str = ""  # the old source text it replaces or repeats ("" for new)
    score: float = 0.0  # rapidfuzz similarity to old_source, 0..100
    line: int = 0  # line in the new source (in the old source for deleted units)
    words: int = 0
    kind: str = "sentence"  # sentence | heading | caption

    @property
    def needs_translation(self) -> bool:
        return self.status in (UnitStatus.EDITED, UnitStatus.NEW)


@dataclass(frozen=True, slots=True)
class BlockOutput:
    """How one block of the new source is written: `head` + the units' texts joined + `tail`.

    A block copied verbatim (code, or a paragraph whose translation is reused whole) has the
    whole text in `head` and no units.
    """

    head: str
    units: tuple[int, ...] = ()  # indices into SectionPlan.units
    tail: str = ""
    separator: str = ""  # between units: a line break (semantic lines) or the language's joiner
    joiner: str = ""  # the language's joiner, used when a line break would start another block
    composed: bool = False  # prose written from units (dropped when it comes out empty)


@dataclass(frozen=True, slots=True)
class UnitCounts:
    unchanged: int = 0
    edited: int = 0
    new: int = 0
    deleted: int = 0
    awaiting_review: int = 0  # unchanged units whose text is machine output not yet reviewed


@dataclass(frozen=True)
class SectionPlan:
    """What a sync does to one section (`path` is NAME.md relative to the book)."""

    path: str
    units: tuple[SyncUnit, ...]
    counts: UnitCounts
    blocks: tuple[BlockOutput, ...]
    upstream_text: str  # the new source: written as NAME_origin.md
    target_text: str = ""  # NAME.md as it is now ("" for a section new upstream)
    origin_text: str = ""  # NAME_origin.md as it is now
    status: str = "shared"  # shared | new-upstream
    words: int = 0  # prose words of the new source
    words_reused: int = 0  # of which a translator no longer has to write
    characters: int = 0  # characters to machine-translate
    warnings: tuple[str, ...] = ()
    # Unchanged paragraphs whose translation the translator merged into the paragraph before:
    # recorded so that the next sync does not take them for untranslated.
    merged: tuple[str, ...] = ()
    # Both files are as the last sync wrote them and upstream has not moved: planned from the
    # sidecar (every unit unchanged), not re-aligned.
    settled: bool = False

    @property
    def name(self) -> str:
        return self.path

    @property
    def origin_path(self) -> str:
        return self.path[: -len(".md")] + "_origin.md"

    @property
    def unchanged(self) -> int:
        return self.counts.unchanged

    @property
    def edited(self) -> int:
        return self.counts.edited

    @property
    def new(self) -> int:
        return self.counts.new

    @property
    def deleted(self) -> int:
        return self.counts.deleted

    @property
    def workload_saved(self) -> float:
        return self.words_reused / self.words if self.words else 1.0

    @property
    def has_work(self) -> bool:
        """Whether units change (edited, new, deleted): what a second sync must not find."""
        return bool(self.counts.edited or self.counts.new or self.counts.deleted)


@dataclass(frozen=True)
class SyncPlan:
    """A whole-book sync plan: sections, the workload saved, and what machine translation costs."""

    book_root: Path
    upstream_root: Path
    source_lang: str
    target_lang: str
    sections: tuple[SectionPlan, ...]
    workload_saved: float  # reused words / all prose words of the new source, 0..1
    characters_to_translate: int
    cost: CostEstimate
    deleted_upstream: tuple[str, ...] = ()  # sections of the book that upstream no longer has
    skipped: tuple[SkippedFile, ...] = ()

    @property
    def counts(self) -> UnitCounts:
        return UnitCounts(*(sum(getattr(s.counts, f) for s in self.sections)
                            for f in ("unchanged", "edited", "new", "deleted", "awaiting_review")))

    @property
    def has_work(self) -> bool:
        return any(s.has_work for s in self.sections)

    def to_json(self) -> dict:
        """The plan as JSON-ready data (`workload_saved`, per-section counts, characters, cost)."""
        return {
            "book": str(self.book_root),
            "upstream": str(self.upstream_root),
            "source_lang": self.source_lang,
            "target_lang": self.target_lang,
            "workload_saved": round(self.workload_saved, 4),
            "characters_to_translate": self.characters_to_translate,
            "cost": {"variant": self.cost.variant, "usd": round(self.cost.usd, 4),
                     "usd_per_million_chars": self.cost.usd_per_million_chars},
            "totals": vars_of(self.counts),
            "sections": [
                {"path": s.path, "status": s.status, **vars_of(s.counts), "words": s.words,
                 "words_reused": s.words_reused, "characters": s.characters,
                 "workload_saved": round(s.workload_saved, 4), "settled": s.settled}
                for s in self.sections
            ],
            "deleted_upstream": list(self.deleted_upstream),
            "skipped": [str(s) for s in self.skipped],
        }


def vars_of(counts: UnitCounts) -> dict[str, int]:
    return {"unchanged": counts.unchanged, "edited": counts.edited, "new": counts.new,
            "deleted": counts.deleted, "awaiting_review": counts.awaiting_review}
