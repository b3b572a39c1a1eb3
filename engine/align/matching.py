"""Order-preserving matching of two sequences that maximises the total weight (gaps are free).

Used wherever two versions of a document's blocks must be paired without reordering: the
skeletons of a source and its translation, the old and new source of a sync.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Sequence


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


#: Above this many cells a piece between anchors is matched inside a corridor around its diagonal.
FULL_MATCHING_CELLS = 250_000
MATCHING_CORRIDOR = 50


def anchored_matching(source_keys: Sequence[object], target_keys: Sequence[object],
                      weight: Callable[[int, int], float]) -> list[tuple[int, int]]:
    """`ordered_matching` in about linear time for long sequences that mostly correspond.

    Items whose key occurs exactly once on each side (a `:label:`, an unchanged code cell) are
    paired first, keeping the longest chain that preserves order (patience diff); the pieces
    between those anchors are matched by `ordered_matching`, or inside a corridor around their
    diagonal when a piece is too large for a full search. `weight(i, j)` as in `ordered_matching`.
    """
    anchors = [(i, j) for i, j in _unique_pairs(source_keys, target_keys) if weight(i, j) > 0]
    pairs: list[tuple[int, int]] = []
    previous_i = previous_j = -1
    for i, j in _longest_chain(anchors) + [(len(source_keys), len(target_keys))]:
        rows, columns = range(previous_i + 1, i), range(previous_j + 1, j)
        if len(rows) * len(columns) <= FULL_MATCHING_CELLS:
            piece = ordered_matching([[weight(r, c) for c in columns] for r in rows])
        else:
            piece = corridor_matching(len(rows), len(columns), _shifted(weight, rows.start, columns.start))
        pairs.extend((rows[r], columns[c]) for r, c in piece)
        if i < len(source_keys):
            pairs.append((i, j))
        previous_i, previous_j = i, j
    return pairs


def _shifted(weight: Callable[[int, int], float], row: int, column: int) -> Callable[[int, int], float]:
    return lambda r, c: weight(row + r, column + c)


def _unique_pairs(source_keys: Sequence[object], target_keys: Sequence[object]) -> list[tuple[int, int]]:
    def once(keys: Sequence[object]) -> dict[object, int]:
        seen: dict[object, int] = {}
        for index, key in enumerate(keys):
            seen[key] = -1 if key in seen else index
        return {key: index for key, index in seen.items() if index >= 0}

    target_once = once(target_keys)
    return sorted((i, target_once[key]) for key, i in once(source_keys).items() if key in target_once)


def _longest_chain(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The longest subsequence of (i, j) pairs (sorted by i) whose j increase too."""
    tail_js: list[int] = []  # tail_js[k]: the smallest j that ends a chain of length k + 1
    tails: list[int] = []  # the index into pairs of that chain's last pair
    before = [-1] * len(pairs)
    for index, (_, j) in enumerate(pairs):
        k = bisect_left(tail_js, j)
        if k > 0:
            before[index] = tails[k - 1]
        if k == len(tails):
            tail_js.append(j)
            tails.append(index)
        else:
            tail_js[k], tails[k] = j, index
    chain, index = [], tails[-1] if tails else -1
    while index >= 0:
        chain.append(pairs[index])
        index = before[index]
    return chain[::-1]


def corridor_matching(n: int, m: int, weight: Callable[[int, int], float],
                      corridor: int = MATCHING_CORRIDOR) -> list[tuple[int, int]]:
    """`ordered_matching` restricted to cells near the diagonal (time and memory linear in n + m).

    A cell outside the corridor counts as no pairs at all, which only ever loses pairs, never
    breaks the order.
    """
    if not n or not m:
        return []
    width = corridor + abs(n - m) // 8
    score: list[dict[int, float]] = [dict.fromkeys(range(0, min(m, width) + 1), 0.0)]
    for i in range(1, n + 1):
        row: dict[int, float] = {}
        previous_row = score[i - 1]
        for j in range(max(0, (i - 1) * m // n - width), min(m, -(-(i + 1) * m // n) + width) + 1):
            best = max(previous_row.get(j, 0.0), row.get(j - 1, 0.0))
            if j:
                w = weight(i - 1, j - 1)
                if w > 0 and previous_row.get(j - 1, 0.0) + w > best:
                    best = previous_row.get(j - 1, 0.0) + w
            row[j] = best
        score.append(row)
    pairs = []
    i, j = n, m
    while i and j and score[i].get(j, 0.0) > 0:
        here, w = score[i][j], weight(i - 1, j - 1)
        if w > 0 and abs(here - (score[i - 1].get(j - 1, 0.0) + w)) < 1e-9:
            pairs.append((i - 1, j - 1))
            i, j = i - 1, j - 1
        elif score[i].get(j - 1, -1.0) == here:
            j -= 1
        else:
            i -= 1
    pairs.reverse()
    return pairs
