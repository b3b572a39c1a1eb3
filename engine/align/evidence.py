"""What makes two pieces of text likely translations of each other, and the bead DP that uses it.

Two kinds of evidence, shared by paragraph and sentence alignment:

* **Length**: a Gale-Church model. Lengths count the characters outside protected spans (a CJK
  character and a Latin letter count one each); the expected target/source ratio is estimated per
  document pair, so zh (≈0.35 of English) and es (≈1.1) need no tables.
* **Anchors**: things a translator carries over unchanged — inline code, `$math$`, roles such as
  :numref:`x` and :cite:`y`, numbers, *emphasis* markers, and Latin words inside CJK text
  ("*查询*（query）" anchors "queries"). A bead whose anchors agree costs less; anchors that
  end up in different beads cost more, which is what resolves merges and reordered sentences.

`align_beads` is the dynamic program: the cheapest monotone sequence of beads (a source units ↔ b
target units) under a caller's cost function.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from amts.engine.markup.markdown import protected_spans

CJK_LANGS = frozenset({"zh", "ja", "ko"})

_NUMBER = re.compile(r"(?<![A-Za-z0-9_.])\d+(?:[.,]\d+)*(?![A-Za-z0-9_])")  # CJK may touch it
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-'][A-Za-z0-9]+)*")
_EMPHASIS = re.compile(r"(?<![*\w])\*{1,2}(?=[^\s*])[^*\n]+?\*{1,2}(?![*\w])")
_SPACE = re.compile(r"\s+")
_CJK_CHAR = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")

# Anchor weights: how much a carried-over item says about alignment (tuned on d2l dev sections).
ANCHOR_WEIGHT = {"role": 2.0, "code": 1.5, "math": 1.5, "url": 1.0, "target": 1.0, "html": 0.5,
                 "num": 0.6, "emph": 0.4, "slide": 0.0}
LATIN_IN_CJK_WEIGHT = 0.4
REPEAT_OVERLAP = 0.5
REPEAT_BONUS = 3.0
LATIN_FOUND_WEIGHT = 0.8
LATIN_MISSING_WEIGHT = 0.8


@dataclass(frozen=True, slots=True)
class Unit:
    """One alignable piece of text (a sentence or a prose block) with its evidence precomputed."""

    text: str
    length: int
    anchors: Counter  # (kind, normalised text) -> count
    latin_words: tuple[str, ...]  # stemmed Latin words of CJK text (empty for Latin-script text)
    vocabulary: frozenset[str]  # stemmed words of Latin-script text (empty for CJK text)
    tokens: frozenset[str] = frozenset()  # CJK character bigrams or content words (for repeats)
    line: int = 0
    block: int = 0  # index of the prose block the unit comes from
    kind: str = "paragraph"


def _stem(word: str) -> str:
    word = word.lower()
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("es") and word[-3] in "sxz":
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def make_unit(text: str, lang: str, line: int = 0, block: int = 0, kind: str = "paragraph") -> Unit:
    """Measure a piece of text: its length and its anchors."""
    spans = protected_spans(text)
    anchors: Counter = Counter()
    outside, position = [], 0
    for span in spans:
        outside.append(text[position:span.start])
        position = span.end
        if span.kind == "slide":
            continue
        anchors[(span.kind, _SPACE.sub("", span.text))] += 1
    outside.append(text[position:])
    plain = " ".join(outside)
    for number in _NUMBER.findall(plain):
        anchors[("num", number.replace(",", ""))] += 1
    emphasis = len(_EMPHASIS.findall(plain))
    if emphasis:
        anchors[("emph", "*")] += emphasis
    visible = len(_SPACE.sub("", plain))
    cjk_chars = len(_CJK_CHAR.findall(plain))
    cjk = lang.split("-")[0].lower() in CJK_LANGS or cjk_chars * 4 > visible
    if cjk:
        # Latin words and spans inside CJK text are as long as in the Latin text they come from:
        # weigh them by a typical CJK/Latin ratio so the document-wide scaling gives them back.
        length = round(cjk_chars + LATIN_IN_CJK_WEIGHT * (visible - cjk_chars + 2 * len(spans)))
    else:
        length = visible + 2 * len(spans)
    words = [_stem(w) for w in _LATIN_WORD.findall(plain)]
    if cjk:
        ideographs = "".join(_CJK_CHAR.findall(plain))
        bigrams = frozenset(ideographs[k:k + 2] for k in range(len(ideographs) - 1))
        return Unit(text, length, anchors, tuple(w for w in words if len(w) > 1), frozenset(), bigrams,
                    line, block, kind)
    content = frozenset(w for w in words if len(w) > 3)
    return Unit(text, length, anchors, (), frozenset(words), content, line, block, kind)


def repeats(previous: Unit, unit: Unit) -> bool:
    """Whether `unit` says again what `previous` said (a translator's duplicate, not a new idea)."""
    if previous.kind != unit.kind or len(previous.tokens) < 4 or len(unit.tokens) < 4:
        return False
    shared = len(previous.tokens & unit.tokens)
    return shared / max(len(previous.tokens), len(unit.tokens)) >= REPEAT_OVERLAP


@dataclass(frozen=True, slots=True)
class LengthModel:
    """Gale-Church length model for one document pair, symmetric in its two languages.

    Lengths are converted to the units of the language that spells more characters per idea
    (English rather than Chinese), so that aligning zh→en costs exactly what en→zh costs.
    """

    source_scale: float = 1.0
    target_scale: float = 1.0

    @classmethod
    def estimate(cls, source_units: Iterable[Unit], target_units: Iterable[Unit]) -> LengthModel:
        """Estimate the target/source length ratio from the whole document pair."""
        source = sum(u.length for u in source_units)
        target = sum(u.length for u in target_units)
        ratio = min(5.0, max(0.2, target / source)) if source > 0 and target > 0 else 1.0
        return cls(1.0, 1.0 / ratio) if ratio <= 1.0 else cls(ratio, 1.0)

    def cost(self, source_length: int, target_length: int, variance: float) -> float:
        """-log P(|delta| >= observed), delta the length mismatch in standard deviations."""
        a, b = source_length * self.source_scale, target_length * self.target_scale
        mean = max((a + b) / 2, 1.0)
        delta = abs(a - b) / math.sqrt(mean * variance)
        tail = math.erfc(delta / math.sqrt(2))
        return -math.log(tail) if tail > 1e-300 else delta * delta / 2 + math.log(delta + 1)

    def size(self, source_length: int, target_length: int) -> float:
        """Combined length in common units (for the cost of leaving text unaligned)."""
        return source_length * self.source_scale + target_length * self.target_scale


def _merged(counters: list[Counter]) -> dict:
    if len(counters) == 1:
        return counters[0]
    merged: dict = {}
    for counter in counters:
        for key, count in counter.items():
            merged[key] = merged.get(key, 0) + count
    return merged


def _mass(anchors: dict) -> float:
    return sum(ANCHOR_WEIGHT.get(key[0], 0.5) * count for key, count in anchors.items())


def anchor_cost(source: list[Unit], target: list[Unit]) -> tuple[float, float]:
    """(cost, agreement) of putting these units together: negative cost means shared anchors.

    Each anchor on one side only costs its weight; each shared one earns it (hot path: plain
    dict arithmetic, no Counter algebra).
    """
    source_counters = [u.anchors for u in source if u.anchors]
    target_counters = [u.anchors for u in target if u.anchors]
    cost = agreement = 0.0
    if source_counters or target_counters:
        source_anchors = _merged(source_counters) if source_counters else {}
        target_anchors = _merged(target_counters) if target_counters else {}
        cost = _mass(source_anchors) + _mass(target_anchors)
        smaller, larger = sorted((source_anchors, target_anchors), key=len)
        for key, count in smaller.items():
            other = larger.get(key)
            if other:
                shared = ANCHOR_WEIGHT.get(key[0], 0.5) * min(count, other)
                cost -= 3 * shared  # two fewer missing, one more shared
                agreement += shared
    if any(u.latin_words for u in source) or any(u.latin_words for u in target):
        cost_latin, agree_latin = _latin_cost(source, target)
        cost += cost_latin
        agreement += agree_latin
    return cost, agreement


def _latin_cost(source: list[Unit], target: list[Unit]) -> tuple[float, float]:
    words = [w for u in source for w in u.latin_words] + [w for u in target for w in u.latin_words]
    vocabularies = [u.vocabulary for u in source if u.vocabulary] + [u.vocabulary for u in target if u.vocabulary]
    if not words or not vocabularies:
        return 0.0, 0.0
    found = sum(1 for w in words if any(w in vocabulary for vocabulary in vocabularies))
    missing = len(words) - found
    return LATIN_MISSING_WEIGHT * missing - LATIN_FOUND_WEIGHT * found, LATIN_FOUND_WEIGHT * found


def repeat_flags(units: list[Unit]) -> list[bool]:
    """For each unit, whether it repeats the unit before it."""
    return [False] + [repeats(a, b) for a, b in zip(units, units[1:])]


def repeat_cost(flags: list[bool], start: int, count: int, skipped: bool) -> float:
    """A repeated unit is an addition: cheap to leave unaligned, costly to merge with its original."""
    if skipped and count == 1 and flags[start]:
        return -REPEAT_BONUS
    if count > 1 and any(flags[start + 1:start + count]):
        return REPEAT_BONUS
    return 0.0


def confidence_of(cost: float) -> float:
    """Map a bead's cost (length + anchors, without the shape prior) to a confidence in [0, 1]."""
    return round(1.0 / (1.0 + math.exp(cost - 3.0)), 4)


Bead = tuple[int, int, int, int]  # source start, source count, target start, target count


def align_beads(
    source_count: int,
    target_count: int,
    shapes: dict[tuple[int, int], float],
    cost: Callable[[int, int, int, int], float],
    band: int | None = None,
) -> list[Bead]:
    """The cheapest monotone bead sequence covering both sides (shape prior + `cost`).

    `band` limits the search to cells near the diagonal for long inputs (None: full search).
    """
    n, m = source_count, target_count
    inf = float("inf")
    best = [[inf] * (m + 1) for _ in range(n + 1)]
    back: list[list[tuple[int, int] | None]] = [[None] * (m + 1) for _ in range(n + 1)]
    best[0][0] = 0.0
    for i in range(n + 1):
        if band is None:
            low, high = 0, m
        else:
            centre = round(i * m / n) if n else 0
            low, high = max(0, centre - band), min(m, centre + band)
        row = best[i]
        for j in range(low, high + 1):
            if i == 0 and j == 0:
                continue
            value, best_step = inf, None
            for (a, b), prior in shapes.items():
                if a > i or b > j:
                    continue
                previous = best[i - a][j - b]
                if previous == inf:
                    continue
                total = previous + prior + cost(i - a, a, j - b, b)
                if total < value:
                    value, best_step = total, (a, b)
            row[j] = value
            back[i][j] = best_step
    if best[n][m] == inf:  # the band was too narrow: fall back to a full search
        return align_beads(n, m, shapes, cost, None) if band is not None else []
    beads: list[Bead] = []
    i, j = n, m
    while i or j:
        found = back[i][j]
        assert found is not None, "a finite best cell always has a step"
        a, b = found
        beads.append((i - a, a, j - b, b))
        i, j = i - a, j - b
    beads.reverse()
    return beads
