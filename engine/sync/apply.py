"""Apply a sync plan: machine-translate what needs it, write NAME.md and NAME_origin.md.

The translator is any async callable `(texts, source_lang, target_lang) -> texts`. Each text is
one unit as an HTML fragment of the protected-HTML format (amts.engine.markup.protected_html):
protected inline spans (inline code, $math$, roles, link targets, HTML) are `<span translate="no" data-p="K">` elements,
the rest is escaped text. Spans come back from our own table, never from the translator's output,
so they are byte-identical even when a translator mangles them; a span it drops is put back at the
end of the unit. Every machine-translated unit ends with the review marker (an HTML comment), an
edited one also with the old human translation as a suggestion comment. Everything the sync
marked for review is recorded in the book's `.amts/sync-provenance.json` (format:
amts.engine.sync.provenance), with the hash of each section's NAME_origin.md and NAME.md as written.
"""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol

from amts.engine.atomic import write_text_atomic
from amts.engine.cost import estimate_cost
from amts.engine.errors import AmtsError
from amts.engine.markup.protected_html import fragment_markdown, render_fragment
from amts.engine.sync.provenance import (
    PROVENANCE_FILE,
    PROVENANCE_VERSION,
    read_provenance,
    review_entries,
    still_pending,
    text_digest,
)
from amts.engine.sync.units import SectionPlan, SyncPlan, SyncUnit, TextOrigin, UnitAction, UnitStatus

DEFAULT_REVIEW_MARKER = "<!-- amts: machine translation, review -->"
SUGGESTION_COMMENT = "<!-- amts: previous translation: {text} -->"

Translator = Callable[[list[str], str, str], Awaitable[list[str]]]



class TranslationReport(Protocol):
    """What the translator that served an apply says about itself (e.g. its batch job)."""

    def summary_lines(self) -> list[str]: ...


@dataclass(frozen=True, slots=True)
class ApplyResult:
    """What apply wrote: files (relative to the book), units machine-translated, characters."""

    written: tuple[str, ...]
    translated_units: int
    characters: int
    provenance: Path | None
    batch: TranslationReport | None = None  # the batch job, when one translated the units

    def summary_lines(self) -> list[str]:
        lines = [f"{len(self.written)} files written, {self.translated_units} units machine-translated "
                 f"({self.characters} characters)"]
        if self.batch is not None:
            lines += self.batch.summary_lines()
        return lines + [f"  wrote {path}" for path in self.written]


def suggestion_comment(text: str) -> str:
    """The old human translation as a comment (one line; `--` cannot close it early)."""
    flat = " ".join(text.split()).replace("--", "- -")
    return SUGGESTION_COMMENT.format(text=flat)


def select_sections(plan: SyncPlan, paths: Iterable[str]) -> SyncPlan:
    """The plan restricted to some sections (NAME.md paths): what `apply_sync` then translates and
    writes, its characters and cost recomputed; the other sections stay as they are on disk."""
    wanted = set(paths)
    unknown = wanted - {s.path for s in plan.sections}
    if unknown:
        raise AmtsError(f"not sections of this sync plan: {', '.join(sorted(unknown))}", plan.book_root)
    sections = tuple(s for s in plan.sections if s.path in wanted)
    words = sum(s.words for s in sections)
    characters = sum(s.characters for s in sections)
    return replace(plan, sections=sections,
                   workload_saved=sum(s.words_reused for s in sections) / words if words else 1.0,
                   characters_to_translate=characters, cost=estimate_cost({plan.cost.variant: characters})[0],
                   deleted_upstream=tuple(p for p in plan.deleted_upstream if p in wanted))


def units_to_translate(plan: SyncPlan) -> list[str]:
    """The distinct source texts `apply_sync` sends to the translator, in plan order."""
    return list(dict.fromkeys(u.source for s in plan.sections for u in s.units if u.needs_translation))


async def apply_sync(plan: SyncPlan, translator: Translator, review_marker: str = DEFAULT_REVIEW_MARKER,
                     ) -> ApplyResult:
    """Translate the plan's units that need it and write every section that changes."""
    if not (review_marker.startswith("<!--") and review_marker.endswith("-->") and "amts:" in review_marker):
        raise AmtsError("the review marker must be an HTML comment starting with '<!-- amts:'")
    todo = units_to_translate(plan)
    machine: dict[str, str] = {}
    if todo:
        fragments = [render_fragment(text) for text in todo]
        outputs = await translator([f.html for f in fragments], plan.source_lang, plan.target_lang)
        if len(outputs) != len(todo):
            raise AmtsError(f"the translator returned {len(outputs)} texts for {len(todo)}")
        for text, fragment, output in zip(todo, fragments, outputs):
            machine[text] = fragment_markdown(output, fragment.spans, source=text,
                                              target_lang=plan.target_lang) or text  # never an empty unit
    written: list[str] = []
    synced_at = round(time.time(), 3)  # the Book screen's "last sync"
    provenance = read_provenance(plan.book_root)
    rendered = [(section, render_section_units(section, machine, review_marker))
                for section in plan.sections if section.has_work]
    # The record goes first, naming every unit the files will mark (and still those they mark
    # now): a kill between the files and the record would leave markers nobody tracks. Whether a
    # unit awaits review is read from NAME.md, so entries of a file not yet written are inert;
    # the record is written again, pruned, once the files are.
    pending = dict(provenance.get("sections", {}))
    for section, units in rendered:
        pending[section.path] = {"written": _digests(section, units.text),
                                 "review": review_entries(provenance, section.path) + units.review}
    record = plan.book_root / PROVENANCE_FILE
    if rendered:
        _write_provenance(record, review_marker, pending)
    sections = dict(provenance.get("sections", {}))
    for section, units in rendered:
        text = units.text
        if text != section.target_text:
            write_text_atomic(plan.book_root / section.path, text)
            written.append(section.path)
        if section.upstream_text != section.origin_text:
            write_text_atomic(plan.book_root / section.origin_path, section.upstream_text)
            written.append(section.origin_path)
        kept = still_pending(review_entries(provenance, section.path), text)
        sections[section.path] = {"written": _digests(section, text), "synced_at": synced_at,
                                  "review": kept + units.review}
    provenance_path = None
    if sections or provenance:
        _write_provenance(record, review_marker, sections, synced_at)
        provenance_path = record
    return ApplyResult(tuple(written), len(todo), sum(len(t) for t in todo), provenance_path)


def _digests(section: SectionPlan, text: str) -> dict[str, str]:
    return {"origin_sha256": text_digest(section.upstream_text), "target_sha256": text_digest(text)}


def _write_provenance(path: Path, review_marker: str, sections: dict, synced_at: float | None = None) -> None:
    record = {"version": PROVENANCE_VERSION, "review_marker": review_marker, "sections": sections}
    if synced_at is not None:  # the Book screen's "last sync"
        record["synced_at"] = synced_at
    write_text_atomic(path, json.dumps(record, ensure_ascii=False, indent=1) + "\n")


def machine_text(unit: SyncUnit, machine: dict[str, str]) -> str:
    """The machine translation of a unit as written into NAME.md (without the marker)."""
    text = machine.get(unit.source, unit.source)
    if unit.kind == "caption":  # a bracket from the translator would end `[caption](...)` early
        text = text.replace("[", "(").replace("]", ")")
    return text


@dataclass(frozen=True)
class RenderedSection:
    text: str  # the new NAME.md
    review: list[dict]  # provenance entries of the units it marks for review


def render_section_units(section: SectionPlan, machine: dict[str, str] | None = None,
                         review_marker: str = DEFAULT_REVIEW_MARKER) -> RenderedSection:
    """The new NAME.md: the old one with the plan's edits applied, machine text rendered with its
    review marker (and the previous translation of an edited unit attached once per edit).
    Without `machine`, units needing translation show their source text (a preview)."""
    machine = machine or {}
    out: list[str] = []
    review: list[dict] = []
    offsets: list[int] = []  # where each review entry's text starts in the output
    length = position = 0
    for edit in sorted(section.edits, key=lambda e: (e.start, e.end > e.start)):
        start = max(edit.start, position)  # never replace text twice
        out.append(section.target_text[position:start])
        length += start - position
        suggested: set[str] = set()
        for part in edit.parts:
            if isinstance(part, str):
                out.append(part)
                length += len(part)
                continue
            unit = section.units[part]
            if unit.action == UnitAction.REUSE:
                out.append(unit.translation)
                length += len(unit.translation)
                continue
            if not unit.needs_translation:
                continue
            text = machine_text(unit, machine)
            marker = review_marker
            previous = ""
            if unit.status == UnitStatus.EDITED and unit.translation.strip() and unit.translation not in suggested:
                marker += suggestion_comment(unit.translation)
                previous = unit.translation
                suggested.add(unit.translation)
            review.append({"kind": unit.kind, "status": str(unit.status), "action": str(unit.action),
                           "source": unit.source, "old_source": unit.old_source, "translation": text,
                           "marker": marker, "previous": previous})
            offsets.append(length)
            out.append(text + marker)
            length += len(text) + len(marker)
        position = max(position, edit.end)
    out.append(section.target_text[position:])
    text = "".join(out)
    line, counted = 1, 0
    for entry, offset in zip(review, offsets):
        line += text.count("\n", counted, offset)
        counted = offset
        entry["line"] = line
    for unit in section.units:
        if unit.action == UnitAction.CONFLICT and unit.marker:
            at = text.find(unit.marker)
            review.append({"kind": unit.kind, "status": str(unit.status), "action": str(unit.action),
                           "source": unit.source, "old_source": unit.old_source,
                           "translation": unit.source if unit.origin == TextOrigin.MACHINE else unit.translation,
                           "marker": unit.marker, "previous": unit.translation,
                           "line": text.count("\n", 0, at) + 1 if at >= 0 else 0})
    return RenderedSection(text, review)


def render_section(section: SectionPlan, machine: dict[str, str] | None = None,
                   review_marker: str = DEFAULT_REVIEW_MARKER) -> str:
    """The new NAME.md of a planned section, given the machine translations of its units."""
    return render_section_units(section, machine, review_marker).text
