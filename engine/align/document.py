"""Align one section and its translation: paragraph pairs and sentence pairs, with warnings.

`align_document` is a pure function of its inputs (no I/O, no global state beyond caches of
pure functions), so callers may cache it by content hash and run it in worker processes; its
result pickles.

Pipeline: parse both files (amts.engine.markup.markdown) → paragraph alignment by structure
(amts.engine.align.paragraphs) → sentence segmentation of each prose block (amts.engine.markup.segment) →
sentence alignment inside each aligned paragraph group (amts.engine.align.sentences).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace

from amts.engine.align.evidence import LengthModel, Unit, confidence_of, make_unit, merge_units
from amts.engine.align.pairs import AlignedPair, AlignmentWarning, Side
from amts.engine.align.paragraphs import Region, align_region, align_structure
from amts.engine.align.sentences import align_sentences
from amts.engine.markup.markdown import Block, BlockKind, Document, parse_markdown
from amts.engine.markup.segment import base_lang, split_sentences

UNBALANCED_REGION_WARNING = 2  # warn when a region's paragraph counts differ by this much or more
SPILLED_HEADING = "spilled heading"  # a heading holding a whole sentence or more, aligned as prose
_ENDS_SENTENCE = re.compile(r"[.?!。？！]\**$")


@dataclass(frozen=True)
class SectionAlignment:
    """What one section pair yields; each warning names its side and that side's line."""

    paragraph_pairs: list[AlignedPair] = field(default_factory=list)
    sentence_pairs: list[AlignedPair] = field(default_factory=list)
    warnings: list[AlignmentWarning] = field(default_factory=list)


def joiner(lang: str) -> str:
    """How sentences and paragraphs of a language are glued into one text."""
    return "" if base_lang(lang) in ("zh", "ja") else " "


@dataclass(frozen=True, slots=True)
class _Side:
    lang: str
    blocks: list[Block]
    texts: list[str]
    block_units: list[Unit]
    sentence_units: list[list[Unit]]  # per prose block


def _prepare(text: str, lang: str, warnings: list[AlignmentWarning], side: Side) -> tuple[_Side, Document]:
    document = parse_markdown(text)
    for warning in document.warnings:
        warnings.append(AlignmentWarning(side, warning.line, warning.message))
    blocks = document.prose_blocks
    texts, block_units, sentence_units = [], [], []
    for index, block in enumerate(blocks):
        prose = block.prose(lang)
        kind = str(block.kind)
        texts.append(prose)
        sentences = split_sentences(prose, lang) or [prose]
        if block.kind == BlockKind.HEADING and (len(sentences) > 1 or _ENDS_SENTENCE.search(prose)):
            kind = SPILLED_HEADING  # a machine translation ran the next paragraph into the heading
        units = [make_unit(s, lang, block.start_line, index, kind) for s in sentences]
        sentence_units.append(units)
        block_units.append(merge_units(units, prose))
    return _Side(lang, blocks, texts, block_units, sentence_units), document


def align_document(source_text: str, target_text: str, source_lang: str, target_lang: str,
                   path: str = "") -> SectionAlignment:
    """Align a section (source Markdown) with its translation (target Markdown)."""
    warnings: list[AlignmentWarning] = []
    source, source_doc = _prepare(source_text, source_lang, warnings, Side.SOURCE)
    target, target_doc = _prepare(target_text, target_lang, warnings, Side.TARGET)
    regions = _absorb_spilled_headings(align_structure(source_doc, target_doc), source, target)
    first_guess = LengthModel.estimate(source.block_units, target.block_units)
    groups = [group for region in regions
              for group in _paragraph_groups(region, source, target, first_guess, warnings)]
    model = first_guess.learned(
        (source.block_units[s[0]].length, target.block_units[t[0]].length, confidence_of(cost))
        for s, t, cost in groups if len(s) == 1 and len(t) == 1)
    paragraph_pairs: list[AlignedPair] = []
    sentence_pairs: list[AlignedPair] = []
    for source_blocks, target_blocks, _ in groups:
        _emit_group(source_blocks, target_blocks, source, target, model, path,
                    paragraph_pairs, sentence_pairs, warnings)
    return SectionAlignment(paragraph_pairs, sentence_pairs, warnings)


Group = tuple[tuple[int, ...], tuple[int, ...], float]  # source blocks, target blocks, bead cost


def _absorb_spilled_headings(regions: list[Region], source: _Side, target: _Side) -> list[Region]:
    """A matched heading pair of which one side holds more than a heading (the ko edition's machine
    translation writes "## 고유값 찾기 고유값을 찾는 방법을 알아보겠습니다.…" for a heading and the
    paragraph under it) is aligned together with the region that follows it, sentence by sentence
    in one group, so that the heading and the first sentence can pair with that one line (a 2-1
    bead across the heading) and the rest of the line with the paragraphs it swallowed."""
    merged: list[Region] = []
    spill_next = False
    for region in regions:
        if spill_next and not region.heading:
            last = merged.pop()
            region = Region(last.source + region.source, last.target + region.target, spilled=True)
        spill_next = False
        if region.heading and any(side.block_units[k].kind == SPILLED_HEADING
                                  for side, blocks in ((source, region.source), (target, region.target))
                                  for k in blocks):
            for side, blocks in ((source, region.source), (target, region.target)):
                for k in blocks:  # prose now, on both sides: the region DP pairs headings only 1-1
                    side.block_units[k] = replace(side.block_units[k], kind=SPILLED_HEADING)
            region = Region(region.source, region.target, spilled=True)
            spill_next = True
        merged.append(region)
    return merged


def _paragraph_groups(region: Region, source: _Side, target: _Side, model: LengthModel,
                      warnings: list[AlignmentWarning]) -> list[Group]:
    if region.heading:  # matched by structure: as sure as a pair can be, but no length evidence
        return [(region.source, region.target, math.inf)]
    if region.spilled and region.source and region.target:
        # Its paragraph breaks are the machine translation's, not the author's: sentences decide.
        return [(region.source, region.target, math.inf)]
    beads = align_region([source.block_units[k] for k in region.source],
                         [target.block_units[k] for k in region.target], model)
    groups = [(tuple(region.source[k] for k in bead.source), tuple(region.target[k] for k in bead.target),
               bead.cost) for bead in beads]
    if abs(len(region.source) - len(region.target)) >= UNBALANCED_REGION_WARNING or not (
            region.source and region.target):
        line = source.blocks[region.source[0]].start_line if region.source else 0
        target_line = target.blocks[region.target[0]].start_line if region.target else 0
        warnings.append(AlignmentWarning(
            Side.SOURCE, line, f"{len(region.source)} source paragraphs vs {len(region.target)} target "
                               f"paragraphs (target line {target_line}): aligned as merges/splits/omissions"))
    return groups


def _emit_group(source_blocks: tuple[int, ...], target_blocks: tuple[int, ...], source: _Side,
                target: _Side, model: LengthModel, path: str,
                paragraph_pairs: list[AlignedPair], sentence_pairs: list[AlignedPair],
                warnings: list[AlignmentWarning]) -> None:
    source_sentences = [u for k in source_blocks for u in source.sentence_units[k]]
    target_sentences = [u for k in target_blocks for u in target.sentence_units[k]]
    if source_sentences and target_sentences:
        beads = align_sentences(source_sentences, target_sentences, model)
    else:
        beads = []
    pairs = []
    if beads:
        for bead in beads:
            src = [source_sentences[i] for i in bead.source]
            tgt = [target_sentences[j] for j in bead.target]
            pairs.append(AlignedPair(
                joiner(source.lang).join(u.text for u in src), joiner(target.lang).join(u.text for u in tgt),
                bead.confidence, f"{len(src)}-{len(tgt)}", "sentence", path,
                src[0].line if src else 0, tgt[0].line if tgt else 0))
    else:  # a paragraph with no counterpart: each sentence is a 1-0 or 0-1 pair
        for u in source_sentences:
            pairs.append(AlignedPair(u.text, "", 0.0, "1-0", "sentence", path, u.line, 0))
        for u in target_sentences:
            pairs.append(AlignedPair("", u.text, 0.0, "0-1", "sentence", path, 0, u.line))
    sentence_pairs.extend(pairs)
    _warn_unmatched_blocks(pairs, source_blocks, target_blocks, source, target, warnings)
    weight = sum(max(1, len(p.source) + len(p.target)) for p in pairs)
    confidence = sum(p.confidence * max(1, len(p.source) + len(p.target)) for p in pairs) / max(1, weight)
    paragraph_pairs.append(AlignedPair(
        joiner(source.lang).join(source.texts[k] for k in source_blocks),
        joiner(target.lang).join(target.texts[k] for k in target_blocks),
        round(confidence, 4), f"{len(source_blocks)}-{len(target_blocks)}", "paragraph", path,
        source.blocks[source_blocks[0]].start_line if source_blocks else 0,
        target.blocks[target_blocks[0]].start_line if target_blocks else 0))


def _warn_unmatched_blocks(pairs: list[AlignedPair], source_blocks: tuple[int, ...], target_blocks: tuple[int, ...],
                           source: _Side, target: _Side, warnings: list[AlignmentWarning]) -> None:
    """A whole paragraph whose sentences all stayed unaligned is worth a warning (with its line)."""
    matched_source_lines = {p.source_line for p in pairs if p.source and p.target}
    matched_target_lines = {p.target_line for p in pairs if p.source and p.target}
    for k in source_blocks:
        line = source.blocks[k].start_line
        if line not in matched_source_lines and not any(
                u.line == line and _covered(u.text, pairs, "source") for u in source.sentence_units[k]):
            warnings.append(AlignmentWarning(Side.SOURCE, line,
                                             "source paragraph has no counterpart in the translation"))
    for k in target_blocks:
        line = target.blocks[k].start_line
        if line not in matched_target_lines and not any(
                u.line == line and _covered(u.text, pairs, "target") for u in target.sentence_units[k]):
            warnings.append(AlignmentWarning(Side.TARGET, line, "target paragraph has no counterpart in the source"))


def _covered(text: str, pairs: list[AlignedPair], side: str) -> bool:
    """Whether a sentence ended up in a pair with both sides (possibly inside a larger bead)."""
    return any(p.source and p.target and text in getattr(p, side) for p in pairs)
