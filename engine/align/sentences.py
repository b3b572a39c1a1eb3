"""Sentence alignment inside an aligned paragraph group: a bead DP with length and anchor costs.

Beads go up to 3 sentences on a side (and 3-3 for a translator who reordered sentences inside a
paragraph: no smaller grouping is then correct). 1-0 and 0-1 beads are sentences left untranslated
or added; they come back as beads with an empty side.
"""

from __future__ import annotations

from dataclasses import dataclass

from amts.engine.align.beads import align_beads
from amts.engine.align.evidence import (
    REPEAT_BONUS,
    BeadScorer,
    LengthModel,
    Unit,
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
FULL_SEARCH_CELLS = 2500  # above this many cells, search a corridor around the diagonal
BEAM = 25.0  # long inputs: cells costlier than their row's cheapest by this much are not extended
CORRIDOR = 12


@dataclass(frozen=True, slots=True)
class SentenceBead:
    source: tuple[int, ...]  # indices into the group's source sentences
    target: tuple[int, ...]
    confidence: float


class SentenceCosts:
    """Bead costs over one paragraph group's sentences (without the shape prior)."""

    def __init__(self, source: list[Unit], target: list[Unit], model: LengthModel):
        self.scorer = BeadScorer(source, target, model)
        self.source_blocks = [u.block for u in source]
        self.target_blocks = [u.block for u in target]
        self.source_repeats, self.target_repeats = repeat_flags(source), repeat_flags(target)
        self.any_repeats = any(self.source_repeats) or any(self.target_repeats)

    def _crossing(self, i: int, a: int, j: int, b: int) -> float:
        crossings = ((a > 1 and self.source_blocks[i] != self.source_blocks[i + a - 1])
                     + (b > 1 and self.target_blocks[j] != self.target_blocks[j + b - 1]))
        return BOTH_SIDES_CROSS_COST if crossings == 2 else ONE_SIDE_CROSS_COST if crossings else 0.0

    def bead(self, i: int, a: int, j: int, b: int) -> float:
        """Length mismatch + anchor disagreement (+ block crossings): what confidence is made of."""
        scorer = self.scorer
        if not (a and b):
            return SKIP_LENGTH_COST * scorer.skip_size(i, a, j, b) ** 0.5 + max(0.0, scorer.anchor_cost(i, a, j, b))
        total = scorer.length_cost(i, a, j, b, SENTENCE_VARIANCE) + scorer.anchor_cost(i, a, j, b)
        return total + self._crossing(i, a, j, b) if a > 1 or b > 1 else total

    def cost(self, i: int, a: int, j: int, b: int) -> float:
        if not self.any_repeats:
            return self.bead(i, a, j, b)
        skipped = not (a and b)
        return (self.bead(i, a, j, b) + repeat_cost(self.source_repeats, i, a, skipped)
                + repeat_cost(self.target_repeats, j, b, skipped))

    def bound(self, i: int, a: int, j: int, b: int) -> float:
        """A lower bound of `cost` from prefix sums (no length or anchor arithmetic)."""
        if not (a and b):
            return -REPEAT_BONUS  # a repeated sentence left unaligned earns the bonus
        bound = self.scorer.anchor_bound(i, a, j, b)
        return bound + self._crossing(i, a, j, b) if a > 1 or b > 1 else bound


def align_sentences(source: list[Unit], target: list[Unit], model: LengthModel) -> list[SentenceBead]:
    """Align the sentences of one paragraph group; every sentence lands in exactly one bead."""
    costs = SentenceCosts(source, target, model)
    if len(source) == 1 and len(target) == 1:  # most paragraphs: nothing to decide
        return [SentenceBead((0,), (0,), confidence_of(costs.bead(0, 1, 0, 1)))]
    n, m = len(source), len(target)
    corridor, beam = (None, None) if n * m <= FULL_SEARCH_CELLS else (CORRIDOR, BEAM)
    beads = align_beads(n, m, SENTENCE_SHAPES, costs.cost, corridor=corridor, bound=costs.bound, beam=beam)
    return [SentenceBead(tuple(range(i, i + a)), tuple(range(j, j + b)),
                         confidence_of(costs.cost(i, a, j, b)) if a and b else 0.0)
            for i, a, j, b in beads]
