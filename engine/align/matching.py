"""Order-preserving matching of two sequences that maximises the total weight (gaps are free).

Used wherever two versions of a document's blocks must be paired without reordering: the
skeletons of a source and its translation, the old and new source of a sync.
"""

from __future__ import annotations

from collections.abc import Sequence


def ordered_matching(weights: Sequence[Sequence[float]]) -> list[tuple[int, int]]:
    """Pairs (i, j), increasing in both, maximising the sum of `weights[i][j]`.

    A weight of 0 (or less) means "never pair these two". `weights` is n rows of m values.
    """
    n = len(weights)
    m = len(weights[0]) if n else 0
    score = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(1, n + 1):
        row, previous_row, weight_row = score[i], score[i - 1], weights[i - 1]
        for j in range(1, m + 1):
            best = max(previous_row[j], row[j - 1])
            weight = weight_row[j - 1]
            if weight > 0 and previous_row[j - 1] + weight > best:
                best = previous_row[j - 1] + weight
            row[j] = best
    pairs = []
    i, j = n, m
    while i and j:
        weight = weights[i - 1][j - 1]
        if weight > 0 and abs(score[i][j] - (score[i - 1][j - 1] + weight)) < 1e-9:
            pairs.append((i - 1, j - 1))
            i, j = i - 1, j - 1
        elif score[i][j] == score[i - 1][j]:
            i -= 1
        else:
            j -= 1
    pairs.reverse()
    return pairs
