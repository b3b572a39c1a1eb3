"""Sentence ends with pysbd, for the languages it supports (en, es, fr, de, ...).

Protected spans (inline code, `$math$`, roles, link targets, HTML, URLs) are masked with
letter-only placeholders first, so that a period inside `` `d2l.plot` `` or `$1.5$` can never end a
sentence, and restored afterwards. pysbd is slow (milliseconds a call), so clear boundaries (`?`/`!`,
or `.` after an ordinary word, before a capital, a protected span or a slide marker `**)`) are cut
directly, and pysbd sees only the stretches that hold an ambiguous one (abbreviation, initial, digit,
quote, lower case) — on the d2l books that gives the same boundaries as pysbd on whole paragraphs.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pysbd
import pysbd.languages

from amts.engine.markup.markdown import InlineSpan, protected_spans
from amts.engine.markup.segment_rules import COMMON_MAY_END, COMMON_NEVER_END, EUROPEAN_NEVER_END

#: Languages pysbd can segment (its own list).
SUPPORTED_BY_PYSBD = frozenset(pysbd.languages.LANGUAGE_CODES)

_ABBREVIATIONS = COMMON_NEVER_END | COMMON_MAY_END | EUROPEAN_NEVER_END
_CLOSERS = "\"'”’」』）》】)]"
_ENDS_SENTENCE = re.compile(rf"[.?!…][{re.escape(_CLOSERS)}*_]*$")
_CANDIDATE = re.compile(rf"([.?!…]+)([{re.escape(_CLOSERS)}*_]*)(?=\s+(\S))")
# A word that cannot be an abbreviation or an initial: two or more letters/digits with a letter,
# maybe joined by - / + ' (TensorFlow, ResNet-18, GB/s, C++, up-to-date, 1990s), or a bare number.
_ORDINARY_WORD = re.compile(
    r"[(\"“*]*(?=[A-Za-z0-9+/'-]*[A-Za-z])(?:[A-Za-z0-9]{2,}(?:[-/+'][A-Za-z0-9]+)*\+*|[A-Za-z0-9]+(?:[-/+'][A-Za-z0-9]+)+)"
    r"[)\]\"”*]*|\d+(?:\.\d+)?[)\]\"”*]*")
_DOTTED_ABBREVIATION = re.compile(r"(?:[a-z]{1,3}\.)+[a-z]{1,3}")  # i.i.d, p.d.f, a.k.a
# Closers after which a boundary is as clear as after none: a bracket, a d2l slide marker.
_CLEAR_CLOSERS = frozenset({"", ")", "**)", "**]"})
_PLACEHOLDER_LETTERS = "abcdefghijklmnopqrstuvwxyz"


@lru_cache(maxsize=64)
def _segmenter(code: str) -> pysbd.Segmenter:
    return pysbd.Segmenter(language=code, clean=False, char_span=False)


def _placeholder(index: int) -> str:
    # Letters only, capitalised like a name: pysbd neither splits inside it nor after it.
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = _PLACEHOLDER_LETTERS[rest] + letters
    return "Qz" + letters + "q"


def _inside(position: int, spans: list[InlineSpan]) -> bool:
    return any(span.start < position < span.end for span in spans)


def _pysbd_cuts(text: str, spans: list[InlineSpan], code: str) -> list[int]:
    # Mask, segment, then map each segment back to offsets in the original text.
    masked_parts, originals, position = [], [], 0
    for index, span in enumerate(spans):
        masked_parts.append(text[position:span.start])
        token = _placeholder(index)
        masked_parts.append(token)
        originals.append((token, span.text))
        position = span.end
    masked_parts.append(text[position:])
    masked = "".join(masked_parts)
    segments = _segmenter(code).segment(masked)
    cuts, offset = [], 0
    for segment in segments[:-1]:
        restored = segment
        for token, original in originals:
            if token in restored:
                restored = restored.replace(token, original)
        found = text.find(restored.strip(), offset)
        if found < 0:  # pysbd altered the text: keep what we have, never guess
            break
        offset = found + len(restored.strip())
        if (_ENDS_SENTENCE.search(text[:offset]) and text[offset:offset + 1].isspace()
                and not _inside(offset, spans)):
            cuts.append(offset)
    return cuts


def _candidates(text: str, spans: list[InlineSpan]) -> tuple[list[int], list[int]]:
    """Possible boundaries split into (clear, ambiguous) ones.

    Clear: `?` or `!`, or a `.` after an ordinary word (not an abbreviation, not an initial, no
    inner period) before a word, each followed by a space and an upper-case letter or a protected
    span. Anything else — a digit, a quote, an ellipsis, emphasis — is ambiguous.
    """
    plain = list(text)
    for span in spans:  # protected spans read as a capitalised word, like pysbd's placeholders
        if span.kind != "slide":
            plain[span.start:span.end] = "X" * (span.end - span.start)
    masked = "".join(plain)
    span_ends = {span.end for span in spans if span.kind != "slide"}
    clear: list[int] = []
    ambiguous: list[int] = []
    for match in _CANDIDATE.finditer(masked):
        punct, closers, following = match.groups()
        lower_next = following[0].islower()
        is_clear = ((following[0].isupper() or (lower_next and punct == "." and not closers))
                    and len(punct) == 1 and punct != "…" and closers in _CLEAR_CLOSERS)
        if punct == "." and lower_next and not closers and match.start(1) not in span_ends:
            before = masked[: match.start(1)].rsplit(None, 1)
            bare = before[-1].strip("(\"“*)”").lower() if before else ""
            if bare in _ABBREVIATIONS or _DOTTED_ABBREVIATION.fullmatch(bare):
                continue  # "vs. columns", "i.i.d. assumption": pysbd never splits these either
        if is_clear and punct == "." and match.start(1) not in span_ends:
            before = masked[: match.start(1)].rsplit(None, 1)
            word = before[-1] if before else ""
            bare = word.strip("(\"“*)”").lower()
            # Before a lower-case word only a long ordinary word is clear: pysbd splits a typo such
            # as "the model. we use" in two, but "sq. footage" is an abbreviation it knows.
            is_clear = (bool(_ORDINARY_WORD.fullmatch(word)) and bare not in _ABBREVIATIONS
                        and (not lower_next or len(bare) >= 4))
        (clear if is_clear else ambiguous).append(match.end())
    return clear, ambiguous


def pysbd_cuts(text: str, spans: list[InlineSpan], code: str) -> list[int]:
    """Cut at clear boundaries; ask pysbd only about the stretches holding an ambiguous one."""
    clear, ambiguous = _candidates(text, spans)
    if not ambiguous:
        return clear
    cuts = list(clear)
    edges = [0] + clear + [len(text)]
    for start, end in zip(edges, edges[1:]):
        if any(start < position < end for position in ambiguous):
            chunk = text[start:end]
            stripped = chunk.lstrip()
            offset = start + len(chunk) - len(stripped)
            chunk_spans = protected_spans(stripped)
            cuts.extend(offset + cut for cut in _pysbd_cuts(stripped, chunk_spans, code))
    return cuts
