"""The results of sync planning: the units of the new source, the edits to the translation, counts.

A sync is a patch of `NAME.md`: `SectionPlan.edits` are character ranges of the translation as it
is on disk and what replaces each. Text that only machine translation can supply is a unit index
in an edit's parts, rendered at apply time. Frozen dataclasses only, so that a plan can be shown,
diffed, saved as JSON and applied later.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from amts.engine.book import SkippedFile
from amts.engine.cost import CostEstimate


class UnitStatus(StrEnum):
    UNCHANGED = "unchanged"  # its source did not change: the translation's bytes stay
    EDITED = "edited"  # its source changed
    NEW = "new"  # new upstream
    DELETED = "deleted"  # in the old source only: its translation is dropped


class TextOrigin(StrEnum):
    HUMAN = "human"  # the translator's text, kept in place
    MEMORY = "memory"  # a human translation of the same sentence found elsewhere in the book
    MACHINE = "machine"  # machine translation (new now, or from an earlier sync, not yet reviewed)


class UnitAction(StrEnum):
    """What the sync does to a unit's text in NAME.md."""

    KEEP = "keep"  # nothing: the translation stays as it is
    PATCH = "patch"  # the change is applied to the translation itself, no machine translation
    TRANSLATE = "translate"  # machine-translated and marked for review (edited: previous text attached)
    REUSE = "reuse"  # a human translation of the same sentence elsewhere in the book is copied
    MERGE = "merge"  # a code cell, math, table, directive or path: upstream's change merged in
    INSERT = "insert"  # a block new upstream with nothing to translate: copied as it is
    CONFLICT = "conflict"  # upstream and the translator changed the same lines: marked for review
    DROP = "drop"  # deleted upstream: removed from the translation
    SKIP = "skip"  # changed upstream, but the translation never had it: left alone


@dataclass(frozen=True, slots=True)
class SyncUnit:
    """One sentence, heading, caption or block of the new source (of the old source when deleted)."""

    status: UnitStatus
    source: str  # the new source text this unit translates
    translation: str = ""  # unchanged: the text kept; edited: the previous translation (a suggestion)
    origin: TextOrigin = TextOrigin.MACHINE
    old_source: str = ""  # the old source text it replaces or repeats ("" for new)
    score: float = 0.0  # rapidfuzz similarity to old_source, 0..100
    line: int = 0  # line in the new source (in the old source for deleted units)
    words: int = 0  # words a translator would write for it (prose, captions, translated comments)
    kind: str = "sentence"  # sentence | heading | caption | code | math | directive | image | ...
    action: UnitAction = UnitAction.KEEP
    why: str = ""  # one line for the plan: why this action
    marker: str = ""  # a conflict's review comment, as written after its block

    @property
    def needs_translation(self) -> bool:
        return self.action == UnitAction.TRANSLATE

    @property
    def changed(self) -> bool:
        """Whether the plan lists it: its source changed, or the sync does something to it."""
        return self.status != UnitStatus.UNCHANGED or self.action != UnitAction.KEEP

    def to_json(self) -> dict:
        return {"kind": self.kind, "status": str(self.status), "action": str(self.action), "why": self.why,
                "line": self.line, "old_source": self.old_source, "source": self.source,
                "old_translation": self.translation, "origin": str(self.origin), "words": self.words,
                **({"score": round(self.score, 1)} if self.score else {})}


@dataclass(frozen=True, slots=True)
class TextEdit:
    """Replace `target_text[start:end]` with `parts`: strings as they are, an int is the rendered
    text of that unit (machine translation plus review marker). Insertions have start == end."""

    start: int
    end: int
    parts: tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class UnitCounts:
    unchanged: int = 0  # kept as they are
    edited: int = 0  # machine-translated, the previous translation attached
    new: int = 0  # machine-translated (or reused from elsewhere in the book)
    deleted: int = 0  # dropped
    awaiting_review: int = 0  # review markers already in NAME.md from an earlier sync
    patched: int = 0  # changed upstream, patched into the translation without machine translation
    merged: int = 0  # code cells, math, paths, directives merged or inserted
    conflicts: int = 0  # lines upstream and the translator both changed: marked for review
    skipped: int = 0  # changed upstream in text the translation never had


@dataclass(frozen=True)
class SectionPlan:
    """What a sync does to one section (`path` is NAME.md relative to the book)."""

    path: str
    units: tuple[SyncUnit, ...]
    counts: UnitCounts
    edits: tuple[TextEdit, ...]
    upstream_text: str  # the new source: written as NAME_origin.md
    target_text: str = ""  # NAME.md as it is now ("" for a section new upstream)
    origin_text: str = ""  # NAME_origin.md as it is now
    status: str = "shared"  # shared | new-upstream
    words: int = 0  # words of the new source a translator writes (prose, captions, comments)
    words_reused: int = 0  # of which the sync keeps a human translation
    characters: int = 0  # characters to machine-translate
    warnings: tuple[str, ...] = ()
    translator_blocks: tuple[str, ...] = ()  # blocks only the translation has, kept: "line N: ..."
    eol: str = "\n"  # the translation's line ending, which everything written in it uses

    @property
    def name(self) -> str:
        return self.path

    @property
    def origin_path(self) -> str:
        return self.path[: -len(".md")] + "_origin.md"

    @property
    def untouched(self) -> bool:
        """NAME_origin.md is upstream already: the section is left exactly as it is."""
        return self.status == "shared" and self.origin_text == self.upstream_text

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
        """Whether applying it changes a file (NAME.md, or NAME_origin.md)."""
        return bool(self.edits) or not self.untouched

    @property
    def changed_units(self) -> list[SyncUnit]:
        return sorted((u for u in self.units if u.changed), key=lambda u: u.line)


@dataclass(frozen=True)
class SyncPlan:
    """A whole-book sync plan: sections, the workload saved, and what machine translation costs."""

    book_root: Path
    upstream_root: Path
    source_lang: str
    target_lang: str
    sections: tuple[SectionPlan, ...]
    workload_saved: float  # reused words / all words of the new source a translator writes, 0..1
    characters_to_translate: int
    cost: CostEstimate
    deleted_upstream: tuple[str, ...] = ()  # sections of the book that upstream no longer has
    skipped: tuple[SkippedFile, ...] = ()

    @property
    def counts(self) -> UnitCounts:
        return UnitCounts(*(sum(getattr(s.counts, f) for s in self.sections)
                            for f in UnitCounts.__dataclass_fields__))

    @property
    def has_work(self) -> bool:
        return any(s.has_work for s in self.sections)

    def to_json(self) -> dict:
        """The plan as JSON-ready data: totals, and per section its counts and every changed unit
        (old source, new source, old translation, action and why)."""
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
                {"path": s.path, "status": s.status, "untouched": s.untouched, **vars_of(s.counts),
                 "words": s.words, "words_reused": s.words_reused, "characters": s.characters,
                 "workload_saved": round(s.workload_saved, 4),
                 "units": [u.to_json() for u in s.changed_units],
                 "translator_blocks": list(s.translator_blocks), "warnings": list(s.warnings)}
                for s in self.sections
            ],
            "deleted_upstream": list(self.deleted_upstream),
            "skipped": [str(s) for s in self.skipped],
        }


def vars_of(counts: UnitCounts) -> dict[str, int]:
    return {name: getattr(counts, name) for name in UnitCounts.__dataclass_fields__}
