"""Apply a sync plan: machine-translate what needs it, write NAME.md and NAME_origin.md.

The translator is any async callable `(texts, source_lang, target_lang) -> texts`. Each text is
one unit as an HTML fragment of the protected-HTML format (amts.engine.markup.protected_html): protected inline spans
(inline code, $math$, roles, link targets, HTML) are `<span translate="no" data-p="K">` elements,
the rest is escaped text. Spans come back from our own table, never from the translator's output,
so they are byte-identical even when a translator mangles them; a span it drops is put back at the
end of the unit. Every machine-translated unit ends with the review marker (an HTML comment), an
edited one also with the old human translation as a suggestion comment; the units awaiting review
are recorded in the book's `.amts/sync-provenance.json` so that the next sync knows them, with the
hash of each section's NAME_origin.md and NAME.md as written (amts.engine.sync.plan: a section still
as written is settled, not re-aligned).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from amts.engine.atomic import write_text_atomic
from amts.engine.errors import AmtsError
from amts.engine.markup.markdown import BlockKind, parse_markdown
from amts.engine.markup.protected_html import fragment_markdown, render_fragment
from amts.engine.sync.plan import PROVENANCE_FILE, read_provenance, text_digest
from amts.engine.sync.units import SectionPlan, SyncPlan, SyncUnit, TextOrigin, UnitStatus

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


async def apply_sync(plan: SyncPlan, translator: Translator, review_marker: str = DEFAULT_REVIEW_MARKER,
                     ) -> ApplyResult:
    """Translate the plan's edited and new units and write every section that changes."""
    if not (review_marker.startswith("<!--") and review_marker.endswith("-->") and "amts:" in review_marker):
        raise AmtsError("the review marker must be an HTML comment starting with '<!-- amts:'")
    todo = list(dict.fromkeys(u.source for s in plan.sections for u in s.units if u.needs_translation))
    machine: dict[str, str] = {}
    if todo:
        fragments = [render_fragment(text) for text in todo]
        outputs = await translator([f.html for f in fragments], plan.source_lang, plan.target_lang)
        if len(outputs) != len(todo):
            raise AmtsError(f"the translator returned {len(outputs)} texts for {len(todo)}")
        for text, fragment, output in zip(todo, fragments, outputs):
            machine[text] = fragment_markdown(output, fragment.spans) or text  # never an empty unit
    written: list[str] = []
    provenance = read_provenance(plan.book_root)
    sections = dict(provenance.get("sections", {}))
    for section in plan.sections:
        text = render_section(section, machine, review_marker)
        if text != section.target_text:
            write_text_atomic(plan.book_root / section.path, text)
            written.append(section.path)
        if section.upstream_text != section.origin_text:
            write_text_atomic(plan.book_root / section.origin_path, section.upstream_text)
            written.append(section.origin_path)
        # The hashes of both files as written let the next plan trust this section's units
        # instead of re-aligning it, for as long as neither file nor upstream changes.
        record = {"machine": _provenance_entries(section, machine),
                  "written": {"origin_sha256": text_digest(section.upstream_text),
                              "target_sha256": text_digest(text)}}
        if section.merged:
            record["merged"] = list(section.merged)
        sections[section.path] = record
    provenance_path = None
    if sections or provenance:
        provenance_path = plan.book_root / PROVENANCE_FILE
        write_text_atomic(provenance_path, json.dumps(
            {"version": 1, "review_marker": review_marker, "sections": sections},
            ensure_ascii=False, indent=1) + "\n")
    return ApplyResult(tuple(written), len(todo), sum(len(t) for t in todo), provenance_path)


def machine_text(unit: SyncUnit, machine: dict[str, str]) -> str:
    """The machine translation of a unit as written into NAME.md (without the marker)."""
    text = machine.get(unit.source, unit.source)
    if unit.kind == "caption":  # a bracket from the translator would end `[caption](...)` early
        text = text.replace("[", "(").replace("]", ")")
    return text


def render_unit(unit: SyncUnit, machine: dict[str, str], review_marker: str,
                suggested: set[str] | None = None) -> str:
    """A unit's text in the new NAME.md; `suggested` holds suggestions already shown nearby."""
    if unit.status == UnitStatus.UNCHANGED:
        marker = review_marker if unit.origin == TextOrigin.MACHINE and unit.translation else ""
        return unit.translation + marker
    text = machine_text(unit, machine) + review_marker
    if unit.status == UnitStatus.EDITED and unit.translation.strip():
        if suggested is None or unit.translation not in suggested:
            text += suggestion_comment(unit.translation)
        if suggested is not None:
            suggested.add(unit.translation)  # one human sentence that covered two new ones
    return text


def render_section(section: SectionPlan, machine: dict[str, str], review_marker: str = DEFAULT_REVIEW_MARKER) -> str:
    """The new NAME.md of a planned section, given the machine translations of its units."""
    out: list[str] = []
    for block in section.blocks:
        if not block.units and not block.composed:
            out.append(block.head)
            continue
        suggested: set[str] = set()
        texts = [render_unit(section.units[k], machine, review_marker, suggested) for k in block.units]
        texts = [t for t in texts if t]
        if block.composed and not texts:
            if out and not out[-1].strip():
                out.pop()  # the paragraph is gone: so is the blank line before it
            continue
        text = block.head + block.separator.join(texts) + block.tail
        if block.separator != block.joiner and not _one_block(text):
            text = block.head + block.joiner.join(texts) + block.tail
        out.append(text)
    return "".join(out)


def _one_block(text: str) -> bool:
    """Whether composed prose still parses as one block (a line may look like a list marker)."""
    blocks = [b for b in parse_markdown(text).blocks if b.kind != BlockKind.BLANK]
    return len(blocks) == 1 and blocks[0].is_prose


def _provenance_entries(section: SectionPlan, machine: dict[str, str]) -> list[dict]:
    entries = []
    for unit in section.units:
        if unit.needs_translation:
            entry = {"source": unit.source, "translation": machine_text(unit, machine),
                     "status": str(unit.status), "origin": "machine"}
            if unit.status == UnitStatus.EDITED and unit.translation:
                entry["suggestion"] = unit.translation
            entries.append(entry)
        elif unit.status == UnitStatus.UNCHANGED and unit.origin == TextOrigin.MACHINE:
            entries.append({"source": unit.source, "translation": unit.translation,
                            "status": "awaiting-review", "origin": "machine"})
    return entries
