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


#: Above this many cells a piece between anchors is matched in lockstep instead of by a full search.
FULL_MATCHING_CELLS = 250_000
RESYNC_WINDOW = 40  # how far lockstep matching looks ahead for the next sure pair


def anchored_matching(source_keys: Sequence[object], target_keys: Sequence[object],
                      weight: Callable[[int, int], float], sure: float) -> list[tuple[int, int]]:
    """`ordered_matching` in about linear time for long sequences that mostly correspond.

    Items whose key occurs exactly once on each side (a `:label:`, an unchanged code cell) are
    paired first, keeping the longest chain that preserves order (patience diff); the pieces
    between those anchors are matched by `ordered_matching`, or in lockstep (`lockstep_matching`)
    when a piece is too large for a full search. `weight(i, j)` as in `ordered_matching`; a
    weight of at least `sure` means "these two certainly correspond".
    """
    anchors = [(i, j) for i, j in _unique_pairs(source_keys, target_keys) if weight(i, j) > 0]
    pairs: list[tuple[int, int]] = []
    previous_i = previous_j = -1
    for i, j in _longest_chain(anchors) + [(len(source_keys), len(target_keys))]:
        rows, columns = range(previous_i + 1, i), range(previous_j + 1, j)
        shifted = _shifted(weight, rows.start, columns.start)
        if len(rows) * len(columns) <= FULL_MATCHING_CELLS:
            piece = ordered_matching([[shifted(r, c) for c in range(len(columns))] for r in range(len(rows))])
        else:
            piece = lockstep_matching(len(rows), len(columns), shifted, sure)
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


def lockstep_matching(n: int, m: int, weight: Callable[[int, int], float], sure: float,
                      window: int = RESYNC_WINDOW) -> list[tuple[int, int]]:
    """Walk both sequences together while items surely correspond; at a difference, find the
    nearest place ahead where two sure pairs follow each other again and match the gap before it
    fully. Linear in n + m for sequences that mostly correspond, whatever their drift.

    The search looks `window` items ahead on each side, then twice as far, up to
    `MAX_RESYNC_WINDOW`: beyond that nothing is paired any more (the rest does not correspond).
    """
    pairs: list[tuple[int, int]] = []
    i = j = 0
    while i < n and j < m:
        if weight(i, j) >= sure:
            pairs.append((i, j))
            i, j = i + 1, j + 1
            continue
        resync, searched, reach = None, 0, window
        while resync is None and searched < min(MAX_RESYNC_WINDOW, max(n - i, m - j)):
            resync = _resync(i, j, n, m, weight, sure, searched, reach)
            searched, reach = reach, reach * 2
        if resync is None:
            break
        rows, columns = resync[0] - i, resync[1] - j
        if rows * columns <= FULL_MATCHING_CELLS:
            gap = ordered_matching([[weight(i + r, j + c) for c in range(columns)] for r in range(rows)])
            pairs.extend((i + r, j + c) for r, c in gap)
        i, j = resync
    return pairs


MAX_RESYNC_WINDOW = 2_000


def _resync(i: int, j: int, n: int, m: int, weight: Callable[[int, int], float], sure: float,
            done: int, window: int) -> tuple[int, int] | None:
    """The nearest (i', j') ahead, closest first, where a sure pair is followed by another, with
    at most `window` items skipped on a side (pairs within `done` were searched already)."""
    for distance in range(1, 2 * window + 1):
        for di in range(max(0, distance - window), min(distance, window) + 1):
            dj = distance - di
            if di <= done and dj <= done:
                continue
            r, c = i + di, j + dj
            if r < n and c < m and weight(r, c) >= sure and (
                    r + 1 >= n or c + 1 >= m or weight(r + 1, c + 1) >= sure):
                return r, c
    return None
