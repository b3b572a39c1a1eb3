"""What makes two pieces of text likely translations of each other.

Two kinds of evidence, shared by paragraph and sentence alignment:

* **Length**: a Gale-Church model. Lengths count the characters outside protected spans (a CJK
  character and a Latin letter count one each). The expected target/source ratio is the section's
  own: first from its total lengths, then learned from the confident 1-1 paragraph beads of the
  first (paragraph) pass, which leave out untranslated paragraphs and added notes — so zh (≈0.32 of
  English), ko (≈0.41), ja (≈0.49), vi (≈0.94) and tr (≈1.06) need no tables.
* **Anchors**: things a translator carries over unchanged — inline code, `$math$`, roles such as
  :numref:`x` and :cite:`y`, numbers, *emphasis* markers, and Latin words inside CJK text
  ("*查询*（query）" anchors "queries"). A bead whose anchors agree costs less; anchors that
  end up in different beads cost more, which is what resolves merges and reordered sentences.

`BeadScorer` prices any bead of two unit lists from prefix sums, with a cheap lower bound that lets
the bead DP (`amts.engine.align.beads`) skip hopeless shapes.
"""

from __future__ import annotations

import math
import operator
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate

from amts.engine.markup.markdown import protected_spans

CJK_LANGS = frozenset({"zh", "ja", "ko"})

_NUMBER = re.compile(r"(?<![A-Za-z0-9_.])\d+(?:[.,]\d+)*(?![A-Za-z0-9_])")  # CJK may touch it
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-'][A-Za-z0-9]+)*")
_EMPHASIS = re.compile(r"(?<![*\w])\*{1,2}(?=[^\s*])[^*\n]+?\*{1,2}(?![*\w])")
_HAS_DIGIT = re.compile(r"\d")
_CJK_CHAR = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")

# Anchor weights: how much a carried-over item says about alignment (tuned on d2l dev sections).
ANCHOR_WEIGHT = {"role": 2.0, "code": 1.5, "math": 1.5, "url": 1.0, "target": 1.0, "html": 0.5,
                 "num": 0.6, "emph": 0.4, "slide": 0.0}
DEFAULT_ANCHOR_WEIGHT = 0.5
LATIN_IN_CJK_WEIGHT = 0.4
REPEAT_OVERLAP = 0.5
REPEAT_BONUS = 3.0
LATIN_FOUND_WEIGHT = 0.8
LATIN_MISSING_WEIGHT = 0.8
# Learning the length ratio: beads this confident count, and the first-guess ratio weighs as much
# as this many characters of them (a short section keeps close to its overall ratio).
CONFIDENT_BEAD = 0.9
RATIO_PRIOR_CHARACTERS = 400


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
    mass: float = 0.0  # total weight of the anchors


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    word = word.lower()
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("es") and word[-3] in "sxz":
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def _mass(anchors: dict) -> float:
    return sum(ANCHOR_WEIGHT.get(key[0], DEFAULT_ANCHOR_WEIGHT) * count for key, count in anchors.items())


def make_unit(text: str, lang: str, line: int = 0, block: int = 0, kind: str = "paragraph") -> Unit:
    """Measure a piece of text: its length and its anchors."""
    spans = protected_spans(text)
    anchors: Counter = Counter()
    outside, position = [], 0
    for span in spans:
        outside.append(text[position:span.start])
        position = span.end
        if span.kind != "slide":
            anchors[(span.kind, "".join(span.text.split()))] += 1
    outside.append(text[position:])
    plain = " ".join(outside) if spans else text
    for number in _NUMBER.findall(plain) if _HAS_DIGIT.search(plain) else ():
        anchors[("num", number.replace(",", ""))] += 1
    if "*" in plain:
        emphasis = len(_EMPHASIS.findall(plain))
        if emphasis:
            anchors[("emph", "*")] += emphasis
    visible = len("".join(plain.split()))
    ideographs = "" if plain.isascii() else "".join(_CJK_CHAR.findall(plain))
    cjk_chars = len(ideographs)
    mass = _mass(anchors)
    if lang.split("-")[0].lower() in CJK_LANGS or cjk_chars * 4 > visible:
        # Latin words and spans inside CJK text are as long as in the Latin text they come from:
        # weigh them by a typical CJK/Latin ratio so the document-wide scaling gives them back.
        length = round(cjk_chars + LATIN_IN_CJK_WEIGHT * (visible - cjk_chars + 2 * len(spans)))
        bigrams = frozenset(map(operator.add, ideographs, ideographs[1:]))
        words = tuple(_stem(w) for w in _LATIN_WORD.findall(plain))
        return Unit(text, length, anchors, tuple(w for w in words if len(w) > 1), frozenset(), bigrams,
                    line, block, kind, mass)
    # Latin-script text: its words as they are (`_latin_found` tries the inflected forms of a stem).
    vocabulary = frozenset(_LATIN_WORD.findall(plain.lower()))
    content = frozenset([w for w in vocabulary if len(w) > 3])
    if "-" in plain:  # "multi-GPU" in English is "多GPU" in Chinese: the parts count too
        vocabulary = vocabulary.union(*[w.split("-") for w in vocabulary if "-" in w])
    return Unit(text, visible + 2 * len(spans), anchors, (), vocabulary, content, line, block, kind, mass)


def merge_units(units: Sequence[Unit], text: str) -> Unit:
    """The unit of a whole block, from the units of its sentences (no second pass over the text)."""
    if len(units) == 1:
        return units[0] if units[0].text == text else _with_text(units[0], text)
    anchors: Counter = Counter()
    for unit in units:
        anchors.update(unit.anchors)
    first = units[0]
    return Unit(text, sum(u.length for u in units), anchors,
                tuple(w for u in units for w in u.latin_words),
                frozenset().union(*(u.vocabulary for u in units)),
                frozenset().union(*(u.tokens for u in units)),
                first.line, first.block, first.kind, sum(u.mass for u in units))


def _with_text(unit: Unit, text: str) -> Unit:
    return Unit(text, unit.length, unit.anchors, unit.latin_words, unit.vocabulary, unit.tokens,
                unit.line, unit.block, unit.kind, unit.mass)


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
    def from_ratio(cls, ratio: float) -> LengthModel:
        ratio = min(5.0, max(0.2, ratio))
        return cls(1.0, 1.0 / ratio) if ratio <= 1.0 else cls(ratio, 1.0)

    @property
    def ratio(self) -> float:
        """Expected target length per source character."""
        return self.source_scale / self.target_scale

    @classmethod
    def estimate(cls, source_units: Iterable[Unit], target_units: Iterable[Unit]) -> LengthModel:
        """A first guess of the target/source length ratio: the whole document pair's."""
        source = sum(u.length for u in source_units)
        target = sum(u.length for u in target_units)
        return cls.from_ratio(target / source) if source > 0 and target > 0 else cls()

    def learned(self, beads: Iterable[tuple[int, int, float]]) -> LengthModel:
        """The ratio re-estimated from first-pass 1-1 beads (source length, target length,
        confidence): the confident ones count, the first guess weighs `RATIO_PRIOR_CHARACTERS`."""
        source = target = 0.0
        for source_length, target_length, confidence in beads:
            if confidence >= CONFIDENT_BEAD and source_length and target_length:
                source += source_length
                target += target_length
        prior = RATIO_PRIOR_CHARACTERS
        return LengthModel.from_ratio((target + prior * self.ratio) / (source + prior))

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


def anchor_cost(source: Sequence[Unit], target: Sequence[Unit]) -> float:
    """The anchors' cost of putting these units together: negative when they share anchors.

    Each anchor on one side only costs its weight; each shared one earns it (hot path: plain
    dict arithmetic, no Counter algebra).
    """
    source_counters = [u.anchors for u in source if u.anchors]
    target_counters = [u.anchors for u in target if u.anchors]
    cost = 0.0
    if source_counters or target_counters:
        cost = sum(u.mass for u in source) + sum(u.mass for u in target)
        if source_counters and target_counters:
            smaller, larger = sorted((_merged(source_counters), _merged(target_counters)), key=len)
            for key, count in smaller.items():
                other = larger.get(key)
                if other:
                    cost -= 3 * ANCHOR_WEIGHT.get(key[0], DEFAULT_ANCHOR_WEIGHT) * min(count, other)
    if any(u.latin_words for u in source) or any(u.latin_words for u in target):
        cost += _latin_cost(source, target)
    return cost


def _latin_found(stem: str, vocabulary: frozenset[str]) -> bool:
    """Whether a stemmed word of CJK text occurs in Latin text, in any form that stems to it."""
    return (stem in vocabulary or stem + "s" in vocabulary or stem + "es" in vocabulary
            or (stem[-1:] == "y" and stem[:-1] + "ies" in vocabulary))


def _latin_cost(source: Sequence[Unit], target: Sequence[Unit]) -> float:
    words = [w for u in source for w in u.latin_words] + [w for u in target for w in u.latin_words]
    vocabularies = [u.vocabulary for u in source if u.vocabulary] + [u.vocabulary for u in target if u.vocabulary]
    if not words or not vocabularies:
        return 0.0
    vocabulary = vocabularies[0] if len(vocabularies) == 1 else frozenset().union(*vocabularies)
    found = sum(1 for w in words if _latin_found(w, vocabulary))
    return LATIN_MISSING_WEIGHT * (len(words) - found) - LATIN_FOUND_WEIGHT * found


class BeadScorer:
    """Lengths and anchor costs of any bead (source units i..i+a, target units j..j+b).

    The DP asks for hundreds of thousands of beads per book: everything a bead needs is a
    difference of prefix sums, except the shared anchors and Latin words of beads that have any.
    """

    def __init__(self, source: Sequence[Unit], target: Sequence[Unit], model: LengthModel):
        self.source, self.target, self.model = source, target, model
        self.source_length = [0, *accumulate(u.length for u in source)]
        self.target_length = [0, *accumulate(u.length for u in target)]
        self.source_mass = [0.0, *accumulate(u.mass for u in source)]
        self.target_mass = [0.0, *accumulate(u.mass for u in target)]
        self.source_latin = [0, *accumulate(len(u.latin_words) for u in source)]
        self.target_latin = [0, *accumulate(len(u.latin_words) for u in target)]
        self._spans: dict[tuple[bool, int, int], tuple[dict, tuple[str, ...], frozenset[str]]] = {}

    def lengths(self, i: int, a: int, j: int, b: int) -> tuple[int, int]:
        return self.source_length[i + a] - self.source_length[i], self.target_length[j + b] - self.target_length[j]

    def length_cost(self, i: int, a: int, j: int, b: int, variance: float) -> float:
        """`LengthModel.cost` of the bead, inlined (the hottest call of alignment)."""
        model = self.model
        x = (self.source_length[i + a] - self.source_length[i]) * model.source_scale
        y = (self.target_length[j + b] - self.target_length[j]) * model.target_scale
        mean = (x + y) / 2
        delta = abs(x - y) / math.sqrt((mean if mean > 1.0 else 1.0) * variance)
        tail = math.erfc(delta * _SQRT_HALF)
        return -math.log(tail) if tail > 1e-300 else delta * delta / 2 + math.log(delta + 1)

    def skip_size(self, i: int, a: int, j: int, b: int) -> float:
        return self.model.size(*self.lengths(i, a, j, b))

    def anchor_bound(self, i: int, a: int, j: int, b: int) -> float:
        """A lower bound of `anchor_cost`: every anchor of the lighter side shared, every Latin word found."""
        source_mass = self.source_mass[i + a] - self.source_mass[i]
        target_mass = self.target_mass[j + b] - self.target_mass[j]
        latin = (self.source_latin[i + a] - self.source_latin[i]) + (self.target_latin[j + b] - self.target_latin[j])
        lighter = source_mass if source_mass < target_mass else target_mass
        return source_mass + target_mass - 3 * lighter - LATIN_FOUND_WEIGHT * latin

    def anchor_cost(self, i: int, a: int, j: int, b: int) -> float:
        """Same as `anchor_cost(source[i:i+a], target[j:j+b])`, from per-span caches."""
        source_mass = self.source_mass[i + a] - self.source_mass[i]
        target_mass = self.target_mass[j + b] - self.target_mass[j]
        cost = source_mass + target_mass
        if source_mass and target_mass:
            source = self.source[i].anchors if a == 1 else self._span(self.source, i, a)[0]
            target = self.target[j].anchors if b == 1 else self._span(self.target, j, b)[0]
            if len(source) > len(target):
                source, target = target, source
            for key, count in source.items():
                other = target.get(key)
                if other:
                    cost -= 3 * ANCHOR_WEIGHT.get(key[0], DEFAULT_ANCHOR_WEIGHT) * (count if count < other else other)
        if self.source_latin[i + a] != self.source_latin[i] or self.target_latin[j + b] != self.target_latin[j]:
            _, source_words, source_vocabulary = self._span(self.source, i, a)
            _, target_words, target_vocabulary = self._span(self.target, j, b)
            words = source_words + target_words
            vocabulary = (source_vocabulary | target_vocabulary if source_vocabulary and target_vocabulary
                          else source_vocabulary or target_vocabulary)
            if words and vocabulary:
                found = sum(1 for w in words if _latin_found(w, vocabulary))
                cost += LATIN_MISSING_WEIGHT * (len(words) - found) - LATIN_FOUND_WEIGHT * found
        return cost

    def _span(self, units: Sequence[Unit], start: int, count: int) -> tuple[dict, tuple[str, ...], frozenset[str]]:
        """Merged anchors, Latin words and vocabulary of units[start:start+count] (the DP asks for
        the same span with many counterparts)."""
        key = (units is self.source, start, count)
        found = self._spans.get(key)
        if found is None:
            span = units[start:start + count]
            found = (_merged([u.anchors for u in span]), tuple(w for u in span for w in u.latin_words),
                     span[0].vocabulary if count == 1 else frozenset().union(*(u.vocabulary for u in span)))
            self._spans[key] = found
        return found


_SQRT_HALF = math.sqrt(0.5)


def repeat_flags(units: Sequence[Unit]) -> list[bool]:
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
