"""Edits of a sentence that need no translator: inline markup changes and spelling fixes.

- **Inline-only**: the words are the same and only protected spans changed — a code span, `$math$`,
  a role such as :numref:`x`, a link target, a URL, d2l's slide markers. Each changed span is
  replaced in the human translation where the old span occurs there verbatim (the k-th occurrence
  for the k-th in the source, when both have it equally often); slide markers added or removed
  around the whole sentence are added or removed around the whole translation.
- **Slide markers around whole sentences**: placed around the translation of those sentences.
- **Spelling-only**: the English fixed a typo (`achive` → `achieve`, a doubled word): every
  changed word is within two letters of the old one (and at least four letters long) or was a
  repeat of its neighbour. The translation never had the typo: it stays as it is.
Anything else is a real edit, for machine translation and review.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from rapidfuzz.distance import Levenshtein

from amts.engine.markup.markdown import protected_spans
from amts.engine.sync.translation_map import normalise

_SLIDE_MARKERS = frozenset({"[**", "**]", "(**", "**)"})
_MAX_SPELLING_DISTANCE = 2
_MIN_SPELLING_WORD = 4
_WORD_EDGE = "\"'`*_()[]{}<>.,;:!?"


@dataclass(frozen=True, slots=True)
class _Token:
    span: bool
    text: str


def _tokens(text: str) -> list[_Token]:
    """Plain runs (whitespace-normalised, empty ones dropped) and protected spans, in order."""
    out: list[_Token] = []
    position = 0
    for span in protected_spans(text):
        plain = " ".join(text[position:span.start].split())
        if plain:
            out.append(_Token(False, plain))
        out.append(_Token(True, span.text))
        position = span.end
    plain = " ".join(text[position:].split())
    if plain:
        out.append(_Token(False, plain))
    return out


def _gaps(tokens: list[_Token]) -> tuple[list[str], list[list[int]]]:
    """The plain runs, and the indices of the span tokens before, between and after them."""
    plain: list[str] = []
    gaps: list[list[int]] = [[]]
    for k, token in enumerate(tokens):
        if token.span:
            gaps[-1].append(k)
        else:
            plain.append(token.text)
            gaps.append([])
    return plain, gaps


def inline_patch(old_source: str, new_source: str, translation: str) -> tuple[str, str] | None:
    """The translation with the source's inline-only change applied, and a line saying what
    changed; None when the change touches words, or a changed span cannot be found verbatim."""
    old, new = _tokens(old_source), _tokens(new_source)
    old_plain, old_gaps = _gaps(old)
    new_plain, new_gaps = _gaps(new)
    if old == new or old_plain != new_plain:
        return None  # nothing changed, or words did
    target_spans = protected_spans(translation)
    lead, trail = len(translation) - len(translation.lstrip()), len(translation.rstrip())
    cut_start, cut_end = lead, trail  # the translation's text between what is added or removed
    replacements: list[tuple[int, int, str]] = []  # (start, end, text) in the translation
    prepend, append, notes = "", "", []
    last = len(old_gaps) - 1
    for g, (olds, news) in enumerate(zip(old_gaps, new_gaps)):
        a, b = [old[k].text for k in olds], [new[k].text for k in news]
        if a == b:
            continue
        if g in (0, last) and len(a) != len(b):
            # Slide markers added or removed at the outer edge of the sentence.
            extra = b[:len(b) - len(a)] if g == 0 else b[len(a):]
            missing = a[:len(a) - len(b)] if g == 0 else a[len(b):]
            rest_a = a[len(missing):] if g == 0 else a[:len(a) - len(missing)]
            rest_b = b[len(extra):] if g == 0 else b[:len(b) - len(extra)]
            if not all(t in _SLIDE_MARKERS for t in extra + missing) or rest_a != rest_b:
                return None
            if g == 0 and extra:
                prepend += "".join(extra)
            elif extra:
                append += "".join(extra)
            elif g == 0 and translation.startswith("".join(missing), cut_start):
                cut_start += len("".join(missing))
            elif g == last and translation[:cut_end].endswith("".join(missing)):
                cut_end -= len("".join(missing))
            else:
                return None
            notes.append("slide marker " + ("added" if extra else "removed") + " around the whole sentence")
            continue
        if len(a) != len(b):
            return None
        for k, x, y in zip(olds, a, b):
            if x == y:
                continue
            where = _occurrence(old, k, target_spans)
            if where is None:
                if _already(new, y, x, target_spans):
                    notes.append(f"{x} → {y} (the translation has it already)")
                    continue
                return None
            replacements.append((where[0], where[1], y))
            notes.append(f"{x} → {y}")
    if not notes:
        return None
    body = translation[cut_start:cut_end]
    for start, end, text in sorted(replacements, reverse=True):
        if start < cut_start or end > cut_end:
            return None
        body = body[:start - cut_start] + text + body[end - cut_start:]
    return translation[:lead] + prepend + body + append + translation[trail:], "; ".join(notes)


def _occurrence(tokens: list[_Token], index: int, target_spans) -> tuple[int, int] | None:
    """Where the translation has the span tokens[index]: the k-th of its kind for the k-th in
    the source, when source and translation have it equally often."""
    text = tokens[index].text
    k = sum(1 for t in tokens[:index] if t.span and t.text == text)
    total = sum(1 for t in tokens if t.span and t.text == text)
    found = [s for s in target_spans if s.text == text]
    if len(found) != total:
        return None
    return found[k].start, found[k].end


def _already(tokens: list[_Token], new: str, old: str, target_spans) -> bool:
    """Whether the translation made this span change before its source did: it has no `old`
    span, and the new span as often as the new source."""
    return not any(s.text == old for s in target_spans) and \
        sum(1 for s in target_spans if s.text == new) == sum(1 for t in tokens if t.span and t.text == new)


def _core(word: str) -> tuple[str, str, str]:
    stripped = word.strip(_WORD_EDGE)
    at = word.find(stripped) if stripped else len(word)
    return word[:at], stripped, word[at + len(stripped):]


def spelling_fix(old_source: str, new_source: str) -> str | None:
    """A line naming the typo fixes when that is all the source's change is, else None."""
    old, new = old_source.split(), new_source.split()
    if old == new or abs(len(old) - len(new)) > 1 or len(set(old) ^ set(new)) > 4:
        return None  # more than a word or two changed: not a typo fix
    if [s.text for s in protected_spans(old_source)] != [s.text for s in protected_spans(new_source)]:
        return None
    fixes: list[str] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        if tag == "delete" and i2 - i1 == 1 and _repeats_neighbour(old, i1):
            fixes.append(f"repeated “{old[i1]}” removed")
            continue
        if tag != "replace" or i2 - i1 != 1 or j2 - j1 != 1:
            return None
        (before_a, a, after_a), (before_b, b, after_b) = _core(old[i1]), _core(new[j1])
        if (before_a, after_a) != (before_b, after_b) or not (a.isalpha() and b.isalpha()):
            return None
        distance = Levenshtein.distance(a.lower(), b.lower())
        if distance > _MAX_SPELLING_DISTANCE or distance == 0 and a == b:
            return None
        if min(len(a), len(b)) < _MIN_SPELLING_WORD and not _repeats_neighbour(old, i1):
            return None
        fixes.append(f"{a} → {b}")
    return "spelling fixed upstream (" + ", ".join(fixes) + "): the translation stays" if fixes else None


def _repeats_neighbour(words: list[str], index: int) -> bool:
    word = _core(words[index])[1].lower()
    neighbours = [words[k] for k in (index - 1, index + 1) if 0 <= k < len(words)]
    return bool(word) and any(_core(n)[1].lower() == word for n in neighbours)


SLIDE_MARKER = re.compile(r"\[\*\*|\*\*\]|\(\*\*|\*\*\)")


def without_slide_markers(text: str) -> str:
    return normalise(SLIDE_MARKER.sub(" ", text))


def wrapped_sentences(old_sentences: list[str], new_text: str, joiner: str) -> list[tuple[int, bool, str]] | None:
    """When the only change is slide markers around whole sentences: (old sentence index,
    opening?, marker) for each marker, the opening ones before their sentence, the closing ones
    after it; None otherwise."""
    old_text = normalise(joiner.join(old_sentences))
    new_text = normalise(new_text)
    markers = list(SLIDE_MARKER.finditer(new_text))
    if not markers or without_slide_markers(new_text) != old_text:
        return None
    starts, ends, at = {}, {}, 0
    for k, sentence in enumerate(old_sentences):
        at = old_text.find(normalise(sentence), at)
        if at < 0:
            return None
        starts[at], ends[at + len(normalise(sentence))] = k, k
        at += len(normalise(sentence))
    out: list[tuple[int, bool, str]] = []
    for match in markers:
        before = without_slide_markers(new_text[:match.start()])
        opening = match.group() in ("[**", "(**")
        position = len(before) + (1 if before and opening else 0)
        found = starts.get(position) if opening else ends.get(position)
        if found is None:
            return None
        out.append((found, opening, match.group()))
    return out
