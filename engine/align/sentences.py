"""Sentence alignment inside an aligned paragraph group: a bead DP with length and anchor costs.

Beads go up to 3 sentences on a side (and 3-3 for a translator who reordered sentences inside a
paragraph: no smaller grouping is then correct). 1-0 and 0-1 beads are sentences left untranslated
or added; they come back as beads with an empty side.
"""

from __future__ import annotations

from dataclasses import dataclass

from amts.engine.align.evidence import (
    LengthModel,
    Unit,
    align_beads,
    anchor_cost,
    confidence_of,
    repeat_cost,
    repeat_flags,
)

# -log prior of each bead shape (source sentences, target sentences).
SENTENCE_SHAPES = {
    (1, 1): 0.0, (1, 0): 4.2, (0, 1): 4.2,
    (2, 1): 3.0, (1, 2): 3.0, (2, 2): 4.2,
    (3, 1): 3.8, (1, 3): 3.8, (3, 2): 5.5, (2, 3): 5.5, (3, 3): 6.5,
    (4, 1): 7.5, (1, 4): 7.5,
}
SENTENCE_VARIANCE = 6.8
SKIP_LENGTH_COST = 0.4  # per sqrt(character) of a sentence left untranslated
BOTH_SIDES_CROSS_COST = 5.0  # a bead crossing a block boundary on both sides at once
ONE_SIDE_CROSS_COST = 2.0  # paragraph splits and merges usually fall between sentences


@dataclass(frozen=True, slots=True)
class SentenceBead:
    source: tuple[int, ...]  # indices into the group's source sentences
    target: tuple[int, ...]
    confidence: float


def _crosses(units: list[Unit]) -> bool:
    return len({u.block for u in units}) > 1


def bead_cost(source: list[Unit], target: list[Unit], model: LengthModel) -> float:
    """Cost of one bead without its shape prior (length mismatch + anchor disagreement)."""
    if not source or not target:
        length = model.size(sum(u.length for u in source), sum(u.length for u in target))
        return SKIP_LENGTH_COST * length ** 0.5 + max(0.0, anchor_cost(source, target)[0])
    total = model.cost(sum(u.length for u in source), sum(u.length for u in target), SENTENCE_VARIANCE)
    total += anchor_cost(source, target)[0]
    crossings = _crosses(source) + _crosses(target)
    if crossings == 2:
        total += BOTH_SIDES_CROSS_COST
    elif crossings == 1:
        total += ONE_SIDE_CROSS_COST
    return total


def align_sentences(source: list[Unit], target: list[Unit], model: LengthModel) -> list[SentenceBead]:
    """Align the sentences of one paragraph group; every sentence lands in exactly one bead."""
    if len(source) == 1 and len(target) == 1:  # most paragraphs: nothing to decide
        return [SentenceBead((0,), (0,), confidence_of(bead_cost(source, target, model)))]
    source_repeats, target_repeats = repeat_flags(source), repeat_flags(target)

    def cost(i: int, a: int, j: int, b: int) -> float:
        skipped = not (a and b)
        return (bead_cost(source[i:i + a], target[j:j + b], model)
                + repeat_cost(source_repeats, i, a, skipped) + repeat_cost(target_repeats, j, b, skipped))

    band = None if len(source) * len(target) <= 2500 else max(12, abs(len(source) - len(target)) + 8)
    beads = align_beads(len(source), len(target), SENTENCE_SHAPES, cost, band)
    result = []
    for i, a, j, b in beads:
        confidence = confidence_of(cost(i, a, j, b)) if a and b else 0.0
        result.append(SentenceBead(tuple(range(i, i + a)), tuple(range(j, j + b)), confidence))
    return result
