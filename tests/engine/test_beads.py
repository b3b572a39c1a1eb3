"""The bead DP and the skeleton matching: the corridor DP and the anchored matching agree with full
searches, the DP stores a number of cells that grows linearly, lockstep matching follows drift."""

from __future__ import annotations

import random

import pytest

from amts.engine.align.beads import align_beads, corridor_rows
from amts.engine.align.matching import anchored_matching, lockstep_matching, ordered_matching
from amts.engine.align.sentences import SENTENCE_SHAPES


def _costs(n, m, seed):
    """Random bead costs that favour a monotone path near the diagonal, like real text does."""
    rng = random.Random(seed)
    table = {}

    def cost(i, a, j, b):
        key = (i, a, j, b)
        if key not in table:
            drift = abs((i + a / 2) / max(n, 1) - (j + b / 2) / max(m, 1)) * 40
            table[key] = rng.uniform(0, 3) + drift
        return table[key]

    return cost


@pytest.mark.parametrize("seed", range(20))
def test_corridor_search_finds_the_full_search_path(seed):
    rng = random.Random(seed)
    n = rng.randint(30, 60)
    m = n + rng.randint(-5, 5)
    cost = _costs(n, m, seed)
    full = align_beads(n, m, SENTENCE_SHAPES, cost)
    narrow = align_beads(n, m, SENTENCE_SHAPES, cost, corridor=12)
    assert narrow == full
    assert align_beads(n, m, SENTENCE_SHAPES, cost, corridor=12, beam=25.0) == full
    covered_source = [k for i, a, _, _ in full for k in range(i, i + a)]
    covered_target = [k for _, _, j, b in full for k in range(j, j + b)]
    assert covered_source == list(range(n)) and covered_target == list(range(m))


def test_pruning_by_a_lower_bound_changes_nothing():
    n, m = 40, 37
    cost = _costs(n, m, 7)
    assert align_beads(n, m, SENTENCE_SHAPES, cost, bound=lambda i, a, j, b: 0.0) == align_beads(
        n, m, SENTENCE_SHAPES, cost)


def test_corridor_cells_grow_linearly():
    for n in (1_000, 10_000, 100_000):
        lows, highs = corridor_rows(n, n + n // 10, 12)
        cells = sum(high - low + 1 for low, high in zip(lows, highs))
        assert cells <= 30 * n  # a full table would hold n * 1.1 n cells
        assert lows[0] == 0 and highs[-1] == n + n // 10


def _weights(source, target):
    def weight(i, j):
        if source[i] == target[j]:
            return 2.0
        return 0.5 if source[i][0] == target[j][0] else 0.0
    return weight


def _total(pairs, weight):
    return sum(weight(i, j) for i, j in pairs)


@pytest.mark.parametrize("seed", range(30))
def test_anchored_matching_reaches_the_full_matching_weight(seed):
    rng = random.Random(seed)
    source = [rng.choice("abcdef") + str(rng.randint(0, 30)) for _ in range(rng.randint(0, 60))]
    target = [item for item in source if rng.random() > 0.15]
    for _ in range(rng.randint(0, 6)):
        target.insert(rng.randint(0, len(target)), rng.choice("abcdef") + "x")
    weight = _weights(source, target)
    full = ordered_matching([[weight(i, j) for j in range(len(target))] for i in range(len(source))])
    pairs = anchored_matching(source, target, weight, sure=2.0)
    assert all(a[0] < b[0] and a[1] < b[1] for a, b in zip(pairs, pairs[1:]))
    assert all(weight(i, j) > 0 for i, j in pairs)
    assert _total(pairs, weight) == pytest.approx(_total(full, weight))


def test_anchored_matching_of_long_sequences_pairs_what_corresponds():
    source = [f"block {k}" for k in range(20_000)]
    target = source[:5_000] + ["an added tab"] + source[5_000:12_000] + source[12_050:]
    pairs = anchored_matching(source, target, _weights(source, target), sure=2.0)
    assert len(pairs) == 20_000 - 50
    assert all(source[i] == target[j] for i, j in pairs)


def test_lockstep_matching_follows_any_drift_where_nothing_is_unique():
    """A book repeated twice has no block that occurs once: lockstep still pairs every block
    with its own counterpart, across 300 added blocks and 200 dropped ones."""
    source = [f"block {k % 1000}" for k in range(20_000)]
    kept = list(range(20_000))
    del kept[15_000:15_200]
    target_origin = kept[:5_000] + [None] * 300 + kept[5_000:]
    target = [source[k] if k is not None else f"added {n}" for n, k in enumerate(target_origin)]
    pairs = lockstep_matching(len(source), len(target), _weights(source, target), sure=2.0)
    assert pairs == [(k, j) for j, k in enumerate(target_origin) if k is not None]
