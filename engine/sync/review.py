"""Review of what a sync machine-translated (issue 14, SPEC §5): list, accept, edit, reject.

    review = list_review(book_root)              # every unit awaiting review, in document order
    unit = review.next()                         # the first; review.next(unit) / review.previous(unit)
    result = accept_unit(book_root, unit)        # or edit_unit(book_root, unit, text), reject_unit(...)
    result.outcome, result.message, result.next  # what happened, one line for the user, what follows

Sync writes each machine-translated unit into NAME.md followed by its review marker, and each
conflict of a code cell (math, table, directive) as a marker line after the block; it records
them in `.amts/sync-provenance.json` (amts.engine.sync.provenance). Whether a unit still awaits
review is read from NAME.md: it does while NAME.md holds what the sync wrote (`machine text +
marker`, or the marker line). The record only says what the unit is (old and new source, the
previous translation). So every action writes NAME.md first and then the record, both
atomically: a crash between the two leaves an entry that NAME.md no longer holds, which listing
ignores and the next write drops, as the next sync's apply does.

- **accept**: the marker goes, the machine text stays (a conflict: its marker line goes, the
  lines the sync wrote into the block stay).
- **edit**: the reviewer's text replaces the machine text and the marker goes (a conflict: it
  replaces the lines the sync wrote into the block: upstream's lines, or the kept comment).
- **reject**: the previous human translation is put back in place of machine text and marker
  (a conflict: the translator's lines in place of upstream's). A unit new upstream had no
  translation before: rejecting it removes it, the line it filled with it when nothing else was
  on it (and the blank line of a paragraph it made). NAME.md then lacks that sentence, as it
  did before the sync, rather than keep unreviewed machine text that reads like a person's; a
  reviewer who wants it translated edits it instead.

A unit that NAME.md no longer holds as the sync wrote it (changed by hand since it was listed)
is not touched: the result's outcome is UNTOUCHED and its message says why. Line endings and a
byte-order mark of NAME.md are kept; text put in takes the file's line ending.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from amts.engine.atomic import write_bytes_atomic, write_text_atomic
from amts.engine.errors import AmtsError
from amts.engine.markup.review_comments import REVIEW_COMMENT, has_review_comment
from amts.engine.safe_paths import safe_destination
from amts.engine.sync.edits import line_ending
from amts.engine.sync.provenance import (
    INLINE_KINDS,
    PROVENANCE_FILE,
    PROVENANCE_VERSION,
    read_provenance,
    review_entries,
    text_digest,
)
from amts.engine.sync.review_text import (
    LineIndex,
    Spans,
    conflict_lines,
    locate_entries,
    remove_unit,
    with_eol,
    without_marker_line,
)
from amts.engine.sync.translation_map import normalise
from amts.engine.textfile import read_utf8

_BOM = "\ufeff"


class ReviewOutcome(StrEnum):
    ACCEPTED = "accepted"
    EDITED = "edited"
    REJECTED = "rejected"
    UNTOUCHED = "untouched"  # nothing written: the unit is not in NAME.md as the sync wrote it


@dataclass(frozen=True, slots=True)
class ReviewUnit:
    """One unit awaiting review, as NAME.md holds it now."""

    section: str  # NAME.md, relative to the book
    kind: str  # sentence | heading | caption (machine text) | code | math | table | ... (a conflict)
    status: str  # edited | new (upstream's change to the source)
    action: str  # translate (machine-translated) | conflict (upstream and the translator both changed it)
    line: int  # 1-based line of NAME.md where it starts (a conflict: its marker line)
    old_source: str  # the source before upstream's change ("" for a new unit)
    source: str  # the source now
    previous: str  # the human translation the sync replaced ("" when there was none)
    machine: str  # what the sync wrote, awaiting review (a conflict: the lines it left in the block)
    marker: str  # the comment(s) that mark it
    start: int  # where `machine + marker` (a conflict: the marker) starts in NAME.md, in characters
    end: int
    file_digest: str  # NAME.md's hash when listed: where it still matches, `start` is exact

    @property
    def is_conflict(self) -> bool:
        """A merge conflict in a block (marker on a line of its own), not machine-translated prose."""
        return self.kind not in INLINE_KINDS

    @property
    def left_in_source_language(self) -> bool:
        """The machine text is the source itself (the translator returned it unchanged)."""
        return not self.is_conflict and normalise(self.machine) == normalise(self.source)

    @property
    def reject_restores(self) -> bool:
        """Whether reject puts a previous translation back (otherwise it removes the unit)."""
        return self.is_conflict or bool(self.previous.strip())


@dataclass(frozen=True, slots=True)
class ReviewSection:
    """A section's units awaiting review, in the order of NAME.md."""

    path: str
    units: tuple[ReviewUnit, ...]
    #: Lines of NAME.md holding an amts comment that no pending unit accounts for (a marker left
    #: behind by a hand edit): their pairs stay out of the parallel data until someone removes it.
    unrecorded_markers: tuple[int, ...] = ()


@dataclass(frozen=True)
class BookReview:
    """Every unit awaiting review in a book, section by section in book order."""

    book_root: Path
    sections: tuple[ReviewSection, ...]

    @property
    def units(self) -> list[ReviewUnit]:
        """All units in document order: sections in book order, units in file order."""
        return [u for s in self.sections for u in s.units]

    def __len__(self) -> int:
        return sum(len(s.units) for s in self.sections)

    def section(self, path: str) -> ReviewSection | None:
        return next((s for s in self.sections if s.path == path), None)

    def next(self, current: ReviewUnit | None = None) -> ReviewUnit | None:
        """The unit after `current` in document order (the first without one); None at the end.
        `current` may come from an earlier listing."""
        if current is None:
            return self.units[0] if len(self) else None
        here = (_section_order(current.section), current.start)
        return next((u for u in self.units if (_section_order(u.section), u.start) > here), None)

    def previous(self, current: ReviewUnit | None = None) -> ReviewUnit | None:
        """The unit before `current` in document order (the last without one); None at the start."""
        units = self.units
        if current is None:
            return units[-1] if units else None
        here = (_section_order(current.section), current.start)
        return next((u for u in reversed(units) if (_section_order(u.section), u.start) < here), None)

    def updated(self, result: ReviewResult) -> BookReview:
        """This listing after an action: the acted section as the result read it back."""
        sections = [s for s in self.sections if s.path != result.unit.section]
        if result.section.units or result.section.unrecorded_markers:
            sections.append(result.section)
        return BookReview(self.book_root, tuple(sorted(sections, key=lambda s: _section_order(s.path))))


@dataclass(frozen=True)
class ReviewResult:
    """What an action did: its outcome, one line for the user, the acted section as it is now and
    the unit that follows (where the reviewer goes next; None when none does). An action reads
    back that section only: `BookReview.updated(result)` keeps a listing current."""

    outcome: ReviewOutcome
    unit: ReviewUnit
    message: str
    section: ReviewSection
    next: ReviewUnit | None

    @property
    def written(self) -> bool:
        return self.outcome != ReviewOutcome.UNTOUCHED


# --- listing ------------------------------------------------------------------------------------


def list_review(book_root: Path) -> BookReview:
    """Every unit awaiting review in the book, read from NAME.md and the sync's record."""
    book_root = Path(book_root)
    provenance = read_provenance(book_root)
    sections = (_list_section(book_root, provenance, path) for path in _section_paths(provenance))
    return BookReview(book_root, tuple(s for s in sections if s.units or s.unrecorded_markers))


def _section_paths(provenance: dict) -> list[str]:
    return sorted(provenance.get("sections", {}), key=_section_order)


def _list_section(book_root: Path, provenance: dict, path: str) -> ReviewSection:
    """One section's units awaiting review (none when its NAME.md cannot be read)."""
    try:
        text, _ = _read_target(book_root, path)
    except AmtsError:
        return ReviewSection(path, ())  # a section gone since the sync (or a record naming no file of the book)
    located = locate_entries(_entries(provenance, path, provenance.get("review_marker", "")), text)
    lines, digest = LineIndex(text), text_digest(text)
    units = tuple(_unit(path, entry, start, end, lines, digest) for entry, start, end in located)
    covered = Spans()
    for unit in units:
        covered.add(unit.start, unit.end)
    stray = sorted({lines.line(m.start()) for m in REVIEW_COMMENT.finditer(text)
                    if not covered.overlaps(m.start(), m.start() + 1)})
    return ReviewSection(path, units, tuple(stray))


def _first_from(book_root: Path, provenance: dict, section: ReviewSection, offset: int) -> ReviewUnit | None:
    """The first unit at or after `offset` of `section`, else the first of a later section."""
    here = next((u for u in section.units if u.start >= offset), None)
    if here is not None:
        return here
    for path in _section_paths(provenance):
        if _section_order(path) > _section_order(section.path):
            later = _list_section(book_root, provenance, path)
            if later.units:
                return later.units[0]
    return None


def _entries(provenance: dict, path: str, default_marker: str) -> list[dict]:
    return [entry if entry.get("marker") else {**entry, "marker": default_marker}
            for entry in review_entries(provenance, path)]


def _unit(path: str, entry: dict, start: int, end: int, lines: LineIndex, digest: str) -> ReviewUnit:
    def field(name: str) -> str:
        value = entry.get(name, "")
        return value if isinstance(value, str) else ""

    return ReviewUnit(path, field("kind") or "sentence", field("status"), field("action"),
                      lines.line(start), field("old_source"), field("source"), field("previous"),
                      field("translation"), field("marker"), start, end, digest)


# --- actions ------------------------------------------------------------------------------------


def accept_unit(book_root: Path, unit: ReviewUnit) -> ReviewResult:
    """Keep the unit's text as the sync wrote it; its marker goes."""
    def accept(text: str, found: ReviewUnit, eol: str) -> tuple[str, int, str] | str:
        if found.is_conflict:
            return without_marker_line(text, found.start, found.end), found.start, "accepted: the review note is gone"
        at = found.start + len(found.machine)
        return text[:at] + text[found.end:], at, "accepted: the machine translation stays, its marker is gone"
    return _act(book_root, unit, ReviewOutcome.ACCEPTED, accept)


def edit_unit(book_root: Path, unit: ReviewUnit, text: str) -> ReviewResult:
    """Put the reviewer's `text` in place of what the sync wrote; the marker goes."""
    where = (unit.section, unit.line or None)
    if not text.strip():
        raise AmtsError("the reviewed text is empty (to remove the unit, reject it)", *where)
    if has_review_comment(text):
        raise AmtsError("the reviewed text holds an '<!-- amts:' comment, which would keep it awaiting review",
                        *where)
    if unit.kind in ("heading", "caption") and "\n" in text.strip():
        raise AmtsError(f"a {unit.kind} is one line: the reviewed text has line breaks", *where)

    def edit(current: str, found: ReviewUnit, eol: str) -> tuple[str, int, str] | str:
        reviewed = with_eol(text.strip() if not found.is_conflict else text.rstrip("\r\n"), eol)
        if not found.is_conflict:
            return current[:found.start] + reviewed + current[found.end:], found.start, "edited: your text is in"
        lines = conflict_lines(current, found.start, found.machine, eol)
        if isinstance(lines, str):
            return lines
        a, b = lines
        without = without_marker_line(current, found.start, found.end)
        return without[:a] + reviewed + eol + without[b:], a, "edited: your lines are in the block"
    return _act(book_root, unit, ReviewOutcome.EDITED, edit)


def reject_unit(book_root: Path, unit: ReviewUnit) -> ReviewResult:
    """Put the previous translation back (remove a unit that had none); the marker goes."""
    def reject(text: str, found: ReviewUnit, eol: str) -> tuple[str, int, str] | str:
        if found.is_conflict:
            without = without_marker_line(text, found.start, found.end)
            if with_eol(found.machine, eol) == with_eol(found.previous, eol):
                return without, found.start, "rejected: the translator's text stays, the review note is gone"
            lines = conflict_lines(text, found.start, found.machine, eol)
            if isinstance(lines, str):
                return lines
            a, b = lines
            previous = with_eol(found.previous, eol) + eol if found.previous else ""
            return without[:a] + previous + without[b:], a, "rejected: the translator's lines are back"
        if found.previous.strip():
            return (text[:found.start] + with_eol(found.previous, eol) + text[found.end:], found.start,
                    "rejected: the previous translation is back")
        removed, at = remove_unit(text, found.start, found.end)
        return removed, at, "rejected: removed (the translation had nothing here before the sync)"
    return _act(book_root, unit, ReviewOutcome.REJECTED, reject)


#: An action: (NAME.md, the unit as found in it, line ending) → (new NAME.md, the offset where
#: the change starts, message), or why it cannot be done (nothing is written then).
_Change = Callable[[str, ReviewUnit, str], tuple[str, int, str] | str]


def _act(book_root: Path, unit: ReviewUnit, outcome: ReviewOutcome, change: _Change) -> ReviewResult:
    book_root = Path(book_root)
    provenance = read_provenance(book_root)
    text, bom = _read_target(book_root, unit.section)
    entries = _entries(provenance, unit.section, provenance.get("review_marker", ""))
    located = locate_entries(entries, text)
    found = _find(located, unit, text)
    if found is None:
        return _untouched(book_root, provenance, unit,
                          "NAME.md no longer holds it as the sync wrote it (changed by hand?)")
    entry, start, end = found
    current = _unit(unit.section, entry, start, end, LineIndex(text), text_digest(text))
    changed = change(text, current, line_ending(text))
    if isinstance(changed, str):
        return _untouched(book_root, provenance, current, changed)
    new_text, position, message = changed
    write_bytes_atomic(safe_destination(book_root, unit.section), ((_BOM if bom else "") + new_text).encode("utf-8"))
    provenance = _record(book_root, provenance, unit.section, [e for e in entries if e is not entry], new_text)
    section = _list_section(book_root, provenance, unit.section)
    return ReviewResult(outcome, current, f"{unit.section}:{current.line}: {message}", section,
                        _first_from(book_root, provenance, section, position))


def _find(located: list[tuple[dict, int, int]], unit: ReviewUnit, text: str) -> tuple[dict, int, int] | None:
    """The located entry that is `unit`: at its very offset while NAME.md is as listed, else
    the one with its texts nearest to where it was."""
    same = [item for item in located if item[0].get("kind", "sentence") == unit.kind
            and item[0].get("source", "") == unit.source and item[0].get("translation", "") == unit.machine
            and item[0].get("marker") == unit.marker]
    if text_digest(text) == unit.file_digest:
        exact = [item for item in same if item[1] == unit.start]
        if exact:
            return exact[0]
    return min(same, key=lambda item: abs(item[1] - unit.start), default=None)


def _untouched(book_root: Path, provenance: dict, unit: ReviewUnit, why: str) -> ReviewResult:
    section = _list_section(book_root, provenance, unit.section)
    return ReviewResult(ReviewOutcome.UNTOUCHED, unit, f"{unit.section}:{unit.line}: not touched: {why}", section,
                        _first_from(book_root, provenance, section, unit.end))


def _record(book_root: Path, provenance: dict, path: str, entries: list[dict], text: str) -> dict:
    """Write the section's record: the entries NAME.md still holds, with the lines they are on
    now. Returns the whole record as written."""
    lines = LineIndex(text)
    pending = [{**entry, "line": lines.line(start)} for entry, start, _ in locate_entries(entries, text)]
    sections = dict(provenance.get("sections", {}))
    record = {k: v for k, v in sections.get(path, {}).items() if k != "machine"}  # version 1's name
    sections[path] = {**record, "review": pending}
    data = {**provenance, "version": PROVENANCE_VERSION, "sections": sections}
    # Without indentation: json's C encoder only serves that, and a whole book's record (a few MB)
    # is then written in milliseconds on every action instead of a quarter of a second.
    write_text_atomic(Path(book_root) / PROVENANCE_FILE, json.dumps(data, ensure_ascii=False) + "\n")
    return data


# --- files --------------------------------------------------------------------------------------


def _read_target(book_root: Path, path: str) -> tuple[str, bool]:
    """NAME.md's text, and whether it starts with a byte-order mark (kept when written back)."""
    file = safe_destination(Path(book_root), path)
    text = read_utf8(file, path)
    return text, file.read_bytes().startswith(_BOM.encode("utf-8"))


def _section_order(path: str) -> tuple[str, ...]:
    """Book order: as the book lists its sections (by the path of NAME_origin.md)."""
    origin = path[: -len(".md")] + "_origin.md" if path.endswith(".md") else path
    return Path(origin).parts
