"""How far a translated book is behind its upstream source, section by section (SPEC §5: the Book
screen as the maintainer's home).

A section is *unchanged* (its NAME_origin.md is upstream's text already), *behind* (upstream
changed it since), *new upstream* (the book lacks it) or *deleted upstream* (upstream dropped it).
The figures come from the sync plan (amts.engine.sync.plan, cached in the work directory), the
units awaiting review from the review listing, the time of the last sync from the book's record.

    staleness = book_staleness(plan_sync(book, upstream, workdir=w), list_review(book.root))
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from enum import StrEnum

from amts.engine.sync.provenance import read_provenance, section_record
from amts.engine.sync.review import BookReview
from amts.engine.sync.units import SyncPlan


class Staleness(StrEnum):
    UNCHANGED = "unchanged"
    BEHIND = "behind"
    NEW = "new upstream"
    DELETED = "deleted upstream"


@dataclass(frozen=True, slots=True)
class SectionStaleness:
    path: str  # NAME.md, relative to the book
    state: Staleness
    edited: int = 0  # units upstream changed
    new: int = 0  # units new upstream
    deleted: int = 0  # units upstream dropped
    awaiting_review: int = 0  # machine-translated units of earlier syncs not yet reviewed
    synced_at: float | None = None  # when a sync last wrote it (None: never, or before times were kept)


@dataclass(frozen=True, slots=True)
class BookStaleness:
    sections: tuple[SectionStaleness, ...]
    synced_at: float | None  # the last sync of the book

    @property
    def counts(self) -> dict[Staleness, int]:
        """Sections per state (every state present, 0 when none)."""
        found = Counter(s.state for s in self.sections)
        return {state: found.get(state, 0) for state in Staleness}

    @property
    def awaiting_review(self) -> int:
        return sum(s.awaiting_review for s in self.sections)


def section_state(section) -> Staleness:
    """The state of one planned section (a SectionPlan)."""
    if section.status == "new-upstream":
        return Staleness.NEW
    return Staleness.UNCHANGED if section.untouched else Staleness.BEHIND


def book_staleness(plan: SyncPlan, review: BookReview | None = None) -> BookStaleness:
    """Every section of the plan, and every section upstream deleted, with its state."""
    provenance = read_provenance(plan.book_root)
    awaiting = {s.path: len(s.units) for s in review.sections} if review is not None else {}

    def synced_at(path: str) -> float | None:
        value = section_record(provenance, path).get("synced_at")
        return float(value) if isinstance(value, int | float) else None

    rows = [SectionStaleness(s.path, section_state(s), s.edited, s.new, s.deleted,
                             awaiting.get(s.path, s.counts.awaiting_review), synced_at(s.path))
            for s in plan.sections]
    rows += [SectionStaleness(path, Staleness.DELETED, awaiting_review=awaiting.get(path, 0),
                              synced_at=synced_at(path)) for path in plan.deleted_upstream]
    rows.sort(key=lambda r: r.path)
    times = [r.synced_at for r in rows if r.synced_at is not None]
    book_time = provenance.get("synced_at")
    last = float(book_time) if isinstance(book_time, int | float) else max(times, default=None)
    return BookStaleness(tuple(rows), last)
