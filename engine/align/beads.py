"""The bead dynamic program: the cheapest monotone sequence of beads (a source units ↔ b target units).

Used by paragraph and sentence alignment with their own shapes and costs. Two things keep it fast
on real books and linear on huge inputs:

* **A corridor**: for long inputs only the cells within `corridor` of the straight line from
  (0, 0) to (n, m) are searched, and only those cells are stored, so time and memory grow with
  (n + m) × corridor instead of n × m. Callers cut documents at structural anchors first (matched
  headings, code, math), so the path never strays far from that line inside one piece.
* **Pruning by a lower bound**: a caller may pass `bound(i, a, j, b)`, a cheap lower bound of
  `cost` (from prefix sums); a shape whose bound cannot beat the cell's best so far is never costed
  exactly. Shapes are tried cheapest prior first, so the 1-1 bead usually sets that best.
* **A beam** for long inputs: cells far costlier than their row's cheapest are dropped, so that
  along a long document only the few cells near the path are extended.
"""

from __future__ import annotations

import math
from collections.abc import Callable

Bead = tuple[int, int, int, int]  # source start, source count, target start, target count
CostFunction = Callable[[int, int, int, int], float]


def corridor_rows(n: int, m: int, corridor: int | None) -> tuple[list[int], list[int]]:
    """For each row i (0..n), the first and last column searched."""
    if corridor is None or n == 0:
        return [0] * (n + 1), [m] * (n + 1)
    lows, highs = [], []
    for i in range(n + 1):
        # The line through (0, 0) and (n, m), widened so that consecutive rows overlap.
        lows.append(max(0, math.floor((i - 1) * m / n) - corridor))
        highs.append(min(m, math.ceil((i + 1) * m / n) + corridor))
    return lows, highs


def align_beads(n: int, m: int, shapes: dict[tuple[int, int], float], cost: CostFunction,
                *, corridor: int | None = None, bound: CostFunction | None = None,
                beam: float | None = None) -> list[Bead]:
    """The cheapest bead sequence covering n source and m target units (shape prior + `cost`).

    `shapes` maps (a, b) to its prior (-log probability); it must hold (1, 0) and (0, 1) so that
    every cell of a corridor is reachable. With a `beam`, a finished row keeps only the cells
    within `beam` of its cheapest: the others are never extended (no bead is costed from them).
    """
    ordered = sorted(((a, b, prior) for (a, b), prior in shapes.items()), key=lambda shape: shape[2])
    inf = math.inf
    lows, highs = corridor_rows(n, m, corridor)
    values: list[list[float]] = []
    steps: list[list[int]] = []
    for i in range(n + 1):
        low, high = lows[i], highs[i]
        row = [inf] * (high - low + 1)
        step_row = [-1] * (high - low + 1)
        for j in range(low, high + 1):
            if i == 0 and j == 0:
                row[0] = 0.0
                continue
            best, best_step = inf, -1
            for index, (a, b, prior) in enumerate(ordered):
                pi, pj = i - a, j - b
                if pi < 0 or pj < 0:
                    continue
                if a == 0:
                    if pj < low:
                        continue
                    previous = row[pj - low]
                else:
                    previous_low = lows[pi]
                    if pj < previous_low or pj > highs[pi]:
                        continue
                    previous = values[pi][pj - previous_low]
                if previous == inf:
                    continue
                base = previous + prior
                if bound is not None and base + bound(pi, a, pj, b) >= best:
                    continue
                total = base + cost(pi, a, pj, b)
                if total < best:
                    best, best_step = total, index
            row[j - low] = best
            step_row[j - low] = best_step
        if beam is not None and i < n:
            limit = min(row) + beam
            row = [value if value <= limit else inf for value in row]
        values.append(row)
        steps.append(step_row)
    if values[n][m - lows[n]] == inf:
        if beam is not None:  # the beam cut every way to the end (a very lopsided corridor)
            return align_beads(n, m, shapes, cost, corridor=corridor, bound=bound)
        return []  # unreachable: only when shapes lack (1, 0) or (0, 1)
    beads: list[Bead] = []
    i, j = n, m
    while i or j:
        a, b, _ = ordered[steps[i][j - lows[i]]]
        beads.append((i - a, a, j - b, b))
        i, j = i - a, j - b
    beads.reverse()
    return beads
