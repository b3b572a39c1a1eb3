"""What a section's units add up to: counts, the words a translator keeps, untouched sections.

Workload saved (SPEC §3) counts what a translator would otherwise redo: sentences and headings,
figure captions, and the comments (and own lines) the translator changed in code cells. A unit
counts as saved when the translator's text stays: kept, patched without machine translation, or
a human translation copied from elsewhere in the book; machine text awaiting review does not.
"""

from __future__ import annotations

from difflib import SequenceMatcher

from amts.engine.markup.markdown import BlockKind, parse_markdown
from amts.engine.sync.block_diff import word_count
from amts.engine.sync.edits import line_ending
from amts.engine.sync.structure import code_lines, structure_counterparts
from amts.engine.sync.translation_map import caption_parts, normalise, strip_review_comments
from amts.engine.sync.units import SectionPlan, SyncUnit, TextOrigin, UnitAction, UnitCounts, UnitStatus


def reused(unit: SyncUnit) -> bool:
    """Whether a translator's work is kept: human text kept, patched, or copied from elsewhere."""
    if unit.status == UnitStatus.DELETED:
        return False
    return unit.action in (UnitAction.KEEP, UnitAction.PATCH, UnitAction.REUSE) and unit.origin != TextOrigin.MACHINE


def count_units(units: tuple[SyncUnit, ...], target_text: str) -> UnitCounts:
    counts = dict.fromkeys(UnitCounts.__dataclass_fields__, 0)
    for u in units:
        if u.action == UnitAction.SKIP:
            counts["skipped"] += 1
        elif u.action == UnitAction.CONFLICT:
            counts["conflicts"] += 1
        elif u.action in (UnitAction.MERGE, UnitAction.INSERT):
            counts["merged"] += 1
        elif u.status == UnitStatus.DELETED:
            counts["deleted"] += 1
        elif u.action == UnitAction.PATCH:
            counts["patched"] += 1
        elif u.action == UnitAction.TRANSLATE:
            counts["edited" if u.status == UnitStatus.EDITED else "new"] += 1
        elif u.action == UnitAction.REUSE:
            counts["new"] += 1
        elif u.action == UnitAction.KEEP and u.status != UnitStatus.UNCHANGED:
            counts["patched"] += 1
        else:
            counts["unchanged"] += 1
    counts["awaiting_review"] = review_markers(target_text)
    return UnitCounts(**counts)


def review_markers(text: str) -> int:
    """Units awaiting review in NAME.md: sync comments other than attached previous translations."""
    return text.count("<!-- amts:") - text.count("<!-- amts: previous translation:")


def untouched_section_plan(path: str, origin_text: str, target_text: str, new_sentences: dict[int, tuple[str, ...]],
                           source_lang: str, pending: dict[str, str]) -> SectionPlan:
    """The plan of a section whose NAME_origin.md is upstream already: nothing is done to it.

    Its units are upstream's sentences, headings and captions, all unchanged (machine text
    awaiting review where the provenance says so), and the translated comments of its code cells.
    """
    new = parse_markdown(origin_text)
    units: list[SyncUnit] = []
    for j, block in enumerate(new.blocks):
        if block.is_prose:
            kind = "heading" if block.kind == BlockKind.HEADING else "sentence"
            for source in new_sentences.get(j, ()):
                machine = pending.get(normalise(source))
                units.append(SyncUnit(UnitStatus.UNCHANGED, source, machine or "",
                                      TextOrigin.MACHINE if machine is not None else TextOrigin.HUMAN, source, 100.0,
                                      block.start_line, word_count(source, source_lang), kind))
        elif block.kind == BlockKind.IMAGE:
            parts = caption_parts(block.raw)
            if parts and normalise(parts[1]):
                units.append(SyncUnit(UnitStatus.UNCHANGED, normalise(parts[1]), "", TextOrigin.HUMAN,
                                      normalise(parts[1]), 100.0, block.start_line,
                                      word_count(parts[1], source_lang), "caption"))
    target = parse_markdown(strip_review_comments(target_text))
    for i, t in structure_counterparts(new, target).items():
        if new.blocks[i].kind == BlockKind.CODE and code_lines(new.blocks[i]) != code_lines(target.blocks[t]):
            unit = comment_unit(new.blocks[i].raw, target.blocks[t].raw, new.blocks[i].start_line, source_lang)
            if unit is not None:
                units.append(unit)
    result = tuple(units)
    return SectionPlan(path, result, count_units(result, target_text), (), origin_text, target_text, origin_text,
                       words=sum(u.words for u in result), words_reused=sum(u.words for u in result if reused(u)),
                       eol=line_ending(target_text))


def comment_unit(old: str, target: str, line: int, lang: str, lost: frozenset[str] = frozenset()) -> SyncUnit | None:
    """The lines of a code cell that the translator changed (translated comments and docstrings,
    own fixes) and that stay, as one unchanged unit; None when there are none. `lost`: old lines
    whose translation does not stay."""
    o, t = [x.rstrip() for x in old.splitlines()], [x.rstrip() for x in target.splitlines()]
    kept = [x for tag, i1, i2, j1, j2 in SequenceMatcher(None, o, t, autojunk=False).get_opcodes()
            if tag in ("replace", "delete") and j2 > j1 for x in o[i1:i2] if x not in lost]
    words = word_count(" ".join(x.strip().lstrip("#") for x in kept), lang)
    if not words:
        return None
    return SyncUnit(UnitStatus.UNCHANGED, "\n".join(kept), "", TextOrigin.HUMAN, "", 100.0, line, words, "comments")
