"""The book's memory for a sync: human translations of sentences anywhere in the aligned book.

A sentence new upstream may be one the book already translates elsewhere (it moved): that
translation is reused. Otherwise the closest one above `MEMORY_MIN_SCORE` is attached as a
suggestion. Fuzzy lookups are the slow part of a plan, so with a work directory their answers
are kept per memory content (`WORKDIR/cache/sync/memory-<hash>.json`): a warm plan asks again
only for sentences it has not seen.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from amts.engine.paralleldata.memory import TmMatch, TranslationMemory, normalize_whitespace
from amts.engine.sync.prepare import SyncCache

MEMORY_MIN_SCORE = 85.0  # a suggestion from elsewhere in the book must be close to be useful


class BookMemory:
    """Exact and fuzzy lookup of human sentence translations, fuzzy answers cached."""

    def __init__(self, pairs: Iterable[tuple[str, str]], cache: SyncCache | None = None):
        pairs = list(pairs)
        self.memory = TranslationMemory(pairs, min_score=MEMORY_MIN_SCORE)
        digest = hashlib.sha256()
        for source, target in pairs:
            digest.update(f"{source}\0{target}\0".encode())
        self.key = digest.hexdigest()
        self.cache = cache
        loaded = cache.get("memory", self.key) if cache is not None else None
        self.answers: dict[str, list | None] = loaded if isinstance(loaded, dict) else {}
        self.asked = 0  # lookups the cache did not answer

    def exact(self, text: str) -> TmMatch | None:
        return self.memory.exact(text)

    def closest(self, text: str) -> TmMatch | None:
        """The closest human translation of a similar sentence (None below the threshold)."""
        key = normalize_whitespace(text)
        if key in self.answers:
            answer = self.answers[key]
            return TmMatch(answer[0], answer[1], float(answer[2]), False) if answer else None
        self.asked += 1
        hit = self.memory.lookup(text)
        self.answers[key] = [hit.source, hit.target, hit.score] if hit is not None else None
        return hit

    def save(self) -> None:
        if self.cache is not None and self.asked:
            self.cache.put("memory", self.key, self.answers)
