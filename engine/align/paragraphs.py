"""Paragraph alignment by document structure: skeleton first, then prose inside each region.

1. The *skeleton* of a document is its sequence of structural blocks: headings, code cells,
   display math, images, directive lines (:label:`x`, :begin_tab:`pytorch`), tables, link lines.
   The two skeletons usually match one for one; when a translation adds or drops some (an extra
   framework tab, a missing figure), they are aligned by kind and content similarity with an
   order-preserving DP, so one stray block shifts nothing else.
2. Matched skeleton blocks cut both files into corresponding *regions*. The prose blocks
   (paragraphs, list items, unmatched headings) of each region are aligned with `align_beads` over
   1-1, 1-2, 2-1, 2-2, 1-3, 3-1, 1-0 and 0-1 beads: Gale-Church length cost plus anchor evidence.
   Matched headings are 1-1 pairs of their own.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from rapidfuzz.distance import Indel

from amts.engine.align.beads import align_beads
from amts.engine.align.evidence import REPEAT_BONUS, BeadScorer, LengthModel, Unit, repeat_cost, repeat_flags
from amts.engine.align.matching import anchored_matching
from amts.engine.markup.markdown import Block, BlockKind, Document

# Shape priors (-log probability) for paragraph beads.
PARAGRAPH_SHAPES = {
    (1, 1): 0.0, (1, 0): 4.5, (0, 1): 4.5, (2, 1): 3.0, (1, 2): 3.0,
    (2, 2): 7.0, (3, 1): 5.0, (1, 3): 5.0,
}
KIND_MISMATCH_COST = 2.0  # a paragraph aligned with a list item
SKIP_LENGTH_COST = 0.2  # per sqrt(character) of a paragraph left untranslated
LIST_MERGE_COST = 3.0  # per extra list item in a group: translators keep list items apart
PARAGRAPH_VARIANCE = 4.5
FULL_SEARCH_CELLS = 2500  # above this many cells, search a corridor around the diagonal
BEAM = 25.0  # long inputs: cells costlier than their row's cheapest by this much are not extended
CORRIDOR = 15
_SKELETON_KINDS = frozenset({
    BlockKind.HEADING, BlockKind.CODE, BlockKind.MATH, BlockKind.IMAGE, BlockKind.TABLE,
    BlockKind.DIRECTIVE, BlockKind.LINK, BlockKind.HTML,
})


@dataclass(frozen=True, slots=True)
class ParagraphBead:
    """Prose blocks (indices into each document's prose list) that translate each other."""

    source: tuple[int, ...]
    target: tuple[int, ...]
    cost: float


@dataclass(frozen=True, slots=True)
class Region:
    """Prose blocks between two matched skeleton blocks (indices into the prose lists)."""

    source: tuple[int, ...]
    target: tuple[int, ...]
    heading: bool = False
    spilled: bool = False  # starts with a heading that holds its paragraph: align its sentences as one group


def _heading_level(block: Block) -> int:
    return len(block.prefix.strip())


def _skeleton_score(a: Block, b: Block) -> float:
    """How strongly two structural blocks correspond (0: never match them)."""
    if a.kind != b.kind:
        return 0.0
    if a.kind == BlockKind.HEADING:
        return 2.0 if _heading_level(a) == _heading_level(b) else 0.3
    raw_a, raw_b = a.raw.strip(), b.raw.strip()
    if raw_a == raw_b:
        return 3.0
    if a.kind == BlockKind.DIRECTIVE:
        name_a, name_b = raw_a.split("`")[0], raw_b.split("`")[0]
        return 1.0 if name_a == name_b else 0.0
    if a.kind in (BlockKind.LINK, BlockKind.IMAGE):
        return 0.8
    similarity = Indel.normalized_similarity(raw_a, raw_b, score_cutoff=0.3)
    return 0.5 + 2.5 * similarity if similarity else 0.2


def _align_skeletons(source: list[tuple[int, Block]], target: list[tuple[int, Block]]) -> list[tuple[int, int]]:
    """Order-preserving matching that maximises the total similarity (gaps are free); blocks that
    appear once on each side unchanged (a label, a code cell) anchor it, so it stays about linear."""
    n, m = len(source), len(target)
    if n == m and all(_skeleton_score(a, b) >= 2.0 for (_, a), (_, b) in zip(source, target)):
        return list(zip(range(n), range(m)))  # the usual case: identical structure
    return anchored_matching([(a.kind, a.raw.strip()) for _, a in source], [(b.kind, b.raw.strip()) for _, b in target],
                             lambda i, j: _skeleton_score(source[i][1], target[j][1]), sure=2.0)


def align_structure(source: Document, target: Document) -> list[Region]:
    """The document pair cut into regions, in order: matched headings and the prose between them.

    Indices are into each document's `prose_blocks`. A matched heading pair is a region of its
    own with `heading=True`.
    """
    def skeleton_and_prose(doc: Document):
        skeleton, prose_index_of, prose_count = [], {}, 0
        for index, block in enumerate(doc.blocks):
            if block.is_prose:
                prose_index_of[index] = prose_count
                prose_count += 1
            if block.kind in _SKELETON_KINDS:
                skeleton.append((index, block))
        return skeleton, prose_index_of

    source_skeleton, source_prose = skeleton_and_prose(source)
    target_skeleton, target_prose = skeleton_and_prose(target)
    matches = _align_skeletons(source_skeleton, target_skeleton)
    regions = []
    source_start = target_start = 0  # block indices where the current region starts
    for i, j in matches + [(None, None)]:
        source_end = source_skeleton[i][0] if i is not None else len(source.blocks)
        target_end = target_skeleton[j][0] if j is not None else len(target.blocks)
        region = Region(
            tuple(source_prose[k] for k in range(source_start, source_end) if k in source_prose),
            tuple(target_prose[k] for k in range(target_start, target_end) if k in target_prose),
        )
        if region.source or region.target:
            regions.append(region)
        if i is None:
            break
        if source_skeleton[i][1].kind == BlockKind.HEADING:
            regions.append(Region((source_prose[source_end],), (target_prose[target_end],), heading=True))
        source_start, target_start = source_end + 1, target_end + 1
    return regions


class RegionCosts:
    """Bead costs over one region's prose blocks (without the shape prior)."""

    def __init__(self, source: list[Unit], target: list[Unit], model: LengthModel):
        self.scorer = BeadScorer(source, target, model)
        self.source_kinds = [u.kind for u in source]
        self.target_kinds = [u.kind for u in target]
        self.source_repeats, self.target_repeats = repeat_flags(source), repeat_flags(target)

    def _shape_cost(self, i: int, a: int, j: int, b: int) -> float:
        """Headings pair only 1-1 and with headings; other kinds mix at a price; lists stay apart."""
        kinds_a, kinds_b = self.source_kinds[i:i + a], self.target_kinds[j:j + b]
        heading_a, heading_b = "heading" in kinds_a, "heading" in kinds_b
        if (heading_a or heading_b) and (a, b) != (1, 1) or heading_a != heading_b:
            return math.inf
        total = 0.0 if set(kinds_a) == set(kinds_b) else KIND_MISMATCH_COST
        for kinds in (kinds_a, kinds_b):
            items = kinds.count("list_item")
            total += LIST_MERGE_COST * max(0, items - 1)
        return total

    def bead(self, i: int, a: int, j: int, b: int) -> float:
        scorer = self.scorer
        if not (a and b):
            return SKIP_LENGTH_COST * scorer.skip_size(i, a, j, b) ** 0.5 + max(0.0, scorer.anchor_cost(i, a, j, b))
        shape = self._shape_cost(i, a, j, b)
        if shape == math.inf:
            return shape
        return scorer.length_cost(i, a, j, b, PARAGRAPH_VARIANCE) + scorer.anchor_cost(i, a, j, b) + shape

    def cost(self, i: int, a: int, j: int, b: int) -> float:
        skipped = not (a and b)
        return (self.bead(i, a, j, b) + repeat_cost(self.source_repeats, i, a, skipped)
                + repeat_cost(self.target_repeats, j, b, skipped))

    def bound(self, i: int, a: int, j: int, b: int) -> float:
        if not (a and b):
            return -REPEAT_BONUS
        return self.scorer.anchor_bound(i, a, j, b) + self._shape_cost(i, a, j, b)


def align_region(source: list[Unit], target: list[Unit], model: LengthModel) -> list[ParagraphBead]:
    """Align the prose blocks of one region (units carry block kinds)."""
    if not source or not target:
        return [ParagraphBead((k,), (), 0.0) for k in range(len(source))] + [
            ParagraphBead((), (k,), 0.0) for k in range(len(target))]
    costs = RegionCosts(source, target, model)
    n, m = len(source), len(target)
    corridor, beam = (None, None) if n * m <= FULL_SEARCH_CELLS else (CORRIDOR, BEAM)
    beads = align_beads(n, m, PARAGRAPH_SHAPES, costs.cost, corridor=corridor, bound=costs.bound, beam=beam)
    return [ParagraphBead(tuple(range(i, i + a)), tuple(range(j, j + b)), costs.cost(i, a, j, b))
            for i, a, j, b in beads]
