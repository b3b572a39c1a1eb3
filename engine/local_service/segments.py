"""One translatable unit (a block's inner HTML, or a plain-text paragraph) translated from a
translation memory: the whole unit first, then sentence by sentence; what no entry covers stays
byte-for-byte in the source language and is counted as untranslated."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from amts.engine.markup.protected_html import protected_span_elements
from amts.engine.paralleldata.memory import TranslationMemory

_HTML_TOKEN = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);|.", re.DOTALL)
_SENTENCE_GAP = re.compile(r"(?<=[.!?])\s+|(?<=[。！？])\s*")
_SENTENCE_OR_LINE_GAP = re.compile(r"(?<=[.!?])\s+|(?<=[。！？])\s*|\s*\n\s*")
# Languages written without spaces between sentences.
_NO_SPACE_LANGUAGES = {"zh", "ja"}


@dataclass(frozen=True)
class ProtectedSpan:
    key_start: int
    key_end: int
    element: str  # the original `<span translate="no" ...>...</span>`, byte for byte
    text: str  # its unescaped content: how it appears in a memory entry
    inner: str = ""  # its content as written: `&lt;eos&gt;`, as a Markdown memory entry spells it

    def spellings(self) -> tuple[str, ...]:
        """How a memory target may hold the span: as text, else as the HTML it was sent as."""
        return (self.text,) if self.inner in ("", self.text) else (self.text, self.inner)


@dataclass
class UnitCounts:
    """Per-document tallies; segments are sentences (a whole-unit hit counts all of its)."""

    translated_segments: int = 0
    untranslated_segments: int = 0
    exact_matches: int = 0
    fuzzy_matches: int = 0
    characters: int = 0


class Unit:
    """Raw text with its lookup key and a map from key offsets back to raw offsets."""

    def __init__(self, raw: str, is_html: bool):
        self.raw = raw
        self.is_html = is_html
        key: list[str] = []
        raw_at: list[int] = []
        self.spans: list[ProtectedSpan] = []
        position = 0
        matches = protected_span_elements(raw) if is_html else ()
        for match in matches:
            self._add_text(raw, position, match.start(), key, raw_at)
            text = html.unescape(match.group(1))
            self.spans.append(ProtectedSpan(len(key), len(key) + len(text), match.group(0), text, match.group(1)))
            key.extend(text)
            raw_at.extend([match.start()] * len(text))
            position = match.end()
        self._add_text(raw, position, len(raw), key, raw_at)
        self.key = "".join(key)
        self._raw_at = raw_at

    def _add_text(self, raw: str, start: int, end: int, key: list[str], raw_at: list[int]) -> None:
        if not self.is_html:
            key.extend(raw[start:end])
            raw_at.extend(range(start, end))
            return
        for token in _HTML_TOKEN.finditer(raw, start, end):
            text = html.unescape(token.group(0)) if token.group(0).startswith("&") else token.group(0)
            key.extend(text)
            raw_at.extend([token.start()] * len(text))

    def raw_offset(self, key_offset: int) -> int:
        return self._raw_at[key_offset] if key_offset < len(self._raw_at) else len(self.raw)

    def translatable_text(self) -> str:
        """The key without its protected spans: what a translator would be billed for."""
        parts, position = [], 0
        for span in self.spans:
            parts.append(self.key[position:span.key_start])
            position = span.key_end
        parts.append(self.key[position:])
        return "".join(parts)

    def sentences(self) -> list[tuple[int, int]]:
        """Key ranges of the sentences, never cutting through a protected span."""
        gap = _SENTENCE_GAP if self.is_html else _SENTENCE_OR_LINE_GAP
        cuts: list[tuple[int, int]] = []
        for match in gap.finditer(self.key):
            start, end = match.span()
            if start == 0 or start >= len(self.key.rstrip()):
                continue
            # The punctuation (start - 1) and the gap must both lie outside protected spans.
            if any(s.key_start < end and start - 1 < s.key_end for s in self.spans):
                continue
            cuts.append((start, end))
        ranges, position = [], 0
        for start, end in cuts:
            ranges.append((position, start))
            position = end
        ranges.append((position, len(self.key)))
        return [_strip_range(self.key, s, e) for s, e in ranges if self.key[s:e].strip()]

    def render(self, target: str, start: int, end: int) -> tuple[str, int]:
        """A memory target for key[start:end] with that range's protected spans put back, and
        how many spans the target lacked (appended at the end)."""
        spans = [s for s in self.spans if start <= s.key_start and s.key_end <= end]
        if not self.is_html:
            return target, 0
        claimed: list[tuple[int, int, str]] = []
        missing: list[str] = []
        after = 0
        for span in spans:
            # Prefer the source order (search after the previous span), then anywhere free.
            found, length = -1, 0
            for spelling in span.spellings() if span.text else ():
                found = _free_occurrence(target, spelling, claimed, after)
                if found < 0:
                    found = _free_occurrence(target, spelling, claimed, 0)
                if found >= 0:
                    length = len(spelling)
                    break
            if found < 0:
                missing.append(span.element)
            else:
                after = found + length
                claimed.append((found, found + length, span.element))
        out, position = [], 0
        for found, found_end, element in sorted(claimed):
            out.append(html.escape(target[position:found], quote=False))
            out.append(element)
            position = found_end
        out.append(html.escape(target[position:], quote=False))
        if missing:  # never lose a protected span, even if the memory entry lacks it
            out.append(" " + " ".join(missing))
        return "".join(out), len(missing)


def _strip_range(key: str, start: int, end: int) -> tuple[int, int]:
    while start < end and key[start].isspace():
        start += 1
    while end > start and key[end - 1].isspace():
        end -= 1
    return start, end


def _free_occurrence(
    target: str, text: str, claimed: list[tuple[int, int, str]], start: int
) -> int:
    found = target.find(text, start)
    while found >= 0:
        if all(found >= end or found + len(text) <= start for start, end, _ in claimed):
            return found
        found = target.find(text, found + 1)
    return -1


def translate_unit(
    unit: Unit, memory: TranslationMemory | None, target_language: str, counts: UnitCounts
) -> tuple[str, bool]:
    """The unit's raw text translated where the memory covers it; True if any of it was not."""
    translatable = unit.translatable_text()
    if not any(ch.isalpha() for ch in translatable):
        return unit.raw, False
    counts.characters += len(translatable.strip())
    sentences = unit.sentences()
    whole = _strip_range(unit.key, 0, len(unit.key))
    match = _lookup(memory, unit, *whole)
    if match is not None:
        body, _ = match
        _count_match(counts, body[1], len(sentences))
        raw_start, raw_end = unit.raw_offset(whole[0]), unit.raw_offset(whole[1])
        return unit.raw[:raw_start] + body[0] + unit.raw[raw_end:], False
    joins_without_space = target_language.split("-")[0].lower() in _NO_SPACE_LANGUAGES
    out, position, previous_translated, any_untranslated = [], 0, False, False
    for start, end in sentences:
        raw_start, raw_end = unit.raw_offset(start), unit.raw_offset(end)
        gap = unit.raw[position:raw_start]
        match = _lookup(memory, unit, start, end)
        if match is None:
            counts.untranslated_segments += 1
            any_untranslated = True
            out += [gap, unit.raw[raw_start:raw_end]]
            previous_translated = False
        else:
            (text, exact), _ = match
            _count_match(counts, exact, 1)
            if previous_translated and joins_without_space and position > 0 and not gap.strip():
                gap = "\n" if "\n" in gap else ""
            out += [gap, text]
            previous_translated = True
        position = raw_end
    out.append(unit.raw[position:])
    return "".join(out), any_untranslated


def _lookup(
    memory: TranslationMemory | None, unit: Unit, start: int, end: int
) -> tuple[tuple[str, bool], float] | None:
    """The rendered target of key[start:end] and whether it was exact, or None.

    A fuzzy entry is refused when its target lacks one of the unit's protected spans: it was
    written for other code or math, and carrying that over would be a wrong translation.
    """
    if memory is None or not len(memory):
        return None
    match = memory.lookup(unit.key[start:end])
    if match is None:
        return None
    text, missing = unit.render(match.target, start, end)
    if missing and not match.exact:
        return None
    return (text, match.exact), match.score


def _count_match(counts: UnitCounts, exact: bool, sentences: int) -> None:
    counts.translated_segments += max(sentences, 1)
    if exact:
        counts.exact_matches += 1
    else:
        counts.fuzzy_matches += 1
