"""Translation memory: exact, then fuzzy (rapidfuzz) lookup of sentences and paragraphs."""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from amts.engine.align.pairs import AlignedPair

DEFAULT_MIN_SCORE = 85.0


@dataclass(frozen=True, slots=True)
class TmMatch:
    """A memory entry that answers a lookup; `score` is 100 for exact matches."""

    source: str
    target: str
    score: float
    exact: bool


# Invisible characters that change no rendering (the parallel-data exporter puts U+2060 before a
# field starting with + - = @ to satisfy Amazon's CSV-injection rule).
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))


def normalize_whitespace(text: str) -> str:
    """Collapse runs of whitespace to one space, drop zero-width characters, strip the ends:
    the key of every entry."""
    return " ".join(text.translate(_INVISIBLE).split())


class TranslationMemory:
    """Source → target entries; a later entry with the same source replaces an earlier one.

    Fuzzy lookup only scores entries whose length makes the threshold reachable: `fuzz.ratio`
    is at most 200·min(a, b)/(a + b), so a window of lengths around the query suffices.
    """

    def __init__(
        self,
        pairs: Iterable[tuple[str, str] | AlignedPair],
        min_score: float = DEFAULT_MIN_SCORE,
    ):
        self.min_score = min_score
        self._entries: dict[str, tuple[str, str]] = {}
        for pair in pairs:
            source, target = (pair.source, pair.target) if isinstance(pair, AlignedPair) else pair
            key = normalize_whitespace(source)
            if key and target.strip():
                self._entries[key] = (source, target)
        by_length = sorted(self._entries, key=len)
        self._keys_by_length = by_length
        self._lengths = [len(key) for key in by_length]

    def __len__(self) -> int:
        return len(self._entries)

    def exact(self, text: str) -> TmMatch | None:
        """The entry for `text` itself (whitespace-normalised), if there is one."""
        entry = self._entries.get(normalize_whitespace(text))
        return TmMatch(entry[0], entry[1], 100.0, True) if entry is not None else None

    def lookup(self, text: str, min_score: float | None = None) -> TmMatch | None:
        """The exact entry for `text` (whitespace-normalised), else the best fuzzy one above
        `min_score` (0–100, default the memory's threshold), else None."""
        key = normalize_whitespace(text)
        if not key:
            return None
        exact = self._entries.get(key)
        if exact is not None:
            return TmMatch(exact[0], exact[1], 100.0, True)
        cutoff = self.min_score if min_score is None else min_score
        candidates = self._candidates(len(key), cutoff)
        if not candidates:
            return None
        best = process.extractOne(key, candidates, scorer=fuzz.ratio, score_cutoff=cutoff)
        if best is None:
            return None
        source, target = self._entries[best[0]]
        return TmMatch(source, target, float(best[1]), False)

    def _candidates(self, length: int, cutoff: float) -> list[str]:
        ratio = min(max(cutoff / 100.0, 0.0), 1.0)
        if ratio <= 0.0:
            return self._keys_by_length
        shortest = ratio * length / (2.0 - ratio)
        longest = length * (2.0 - ratio) / ratio
        low = bisect.bisect_left(self._lengths, shortest - 1e-9)
        high = bisect.bisect_right(self._lengths, longest + 1e-9)
        return self._keys_by_length[low:high]
