"""Sentence segmentation per language, never splitting inside protected inline spans.

Three segmenters, chosen by `segmenter_for(lang)`:

* **pysbd** for the languages it supports (`SUPPORTED_BY_PYSBD`, except zh/ja), one cached
  `Segmenter` per language. Protected spans (inline code, `$math$`, roles, link targets, HTML, URLs)
  are masked with letter-only placeholders first, so that a period inside `` `d2l.plot` `` or
  `$1.5$` can never end a sentence, and restored afterwards. pysbd is slow (milliseconds a call),
  so text that cannot hold a boundary (no `.?!` followed by a space) skips it, clear boundaries
  (`?`/`!`, or `.` after an ordinary word, before a capital) are cut directly, and pysbd sees only
  the stretches that hold an ambiguous one (abbreviation, initial, digit, quote, lower case).
* **CJK punctuation** for zh and ja: a sentence ends after 。？！ (or ASCII ? ! and the ideographic
  full stop ．), together with any closing quotes or brackets that follow (”’」』）》】).
* **A regex fallback** for every other language (pt, tr, vi, ko, ...): a sentence ends at `.?!…`
  (plus closing quotes/brackets) followed by whitespace, unless the word before it is in
  `FALLBACK_ABBREVIATIONS` (e.g., i.e., etc., Fig., vs., et al., Dr., ...), a single-letter initial,
  or the next word starts in lower case.

Rules common to all (they follow the gold annotation guide): a colon or semicolon never ends a
sentence; a boundary is only ever placed right after sentence-final punctuation, or after the
review comments a sync glued to a machine-translated unit (they stay with that unit: see
`amts.engine.markup.review_comments`); the text of each sentence is a verbatim slice of the input
(stripped), so joining the sentences gives the input back up to whitespace.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pysbd
import pysbd.languages

from amts.engine.markup.markdown import protected_spans
from amts.engine.markup.review_comments import REVIEW_COMMENT_OPEN, REVIEW_COMMENT_RUN

#: Languages pysbd can segment (its own list).
SUPPORTED_BY_PYSBD = frozenset(pysbd.languages.LANGUAGE_CODES)
#: Languages segmented by CJK punctuation instead of pysbd.
CJK_SEGMENTED = frozenset({"zh", "ja"})

FALLBACK_ABBREVIATIONS = frozenset(
    """e.g i.e etc fig figs eq eqs sec vs cf al approx ca resp incl dr mr mrs ms prof st no nr
    vol pp p ch chap ed eds jr sr inc ltd co corp jan feb mar apr jun jul aug sep sept oct nov dec
    sr sra srta dra pág págs núm ex av obs art bzw usw z.b d.h""".split()
)

_CLOSERS = "\"'”’」』）》】)]"
_CJK_BOUNDARY = re.compile(rf"[。？！?!．]+[{re.escape(_CLOSERS)}]*")
# A place where pysbd could split: sentence-final punctuation, closers, then whitespace.
_MAYBE_BOUNDARY = re.compile(rf"[.?!…][{re.escape(_CLOSERS)}*_]*\s")
_ENDS_SENTENCE = re.compile(rf"[.?!…][{re.escape(_CLOSERS)}*_]*$")
_FALLBACK_BOUNDARY = re.compile(rf"([.?!…]+)[{re.escape(_CLOSERS)}*_]*(?=\s+(\S))")
_PLACEHOLDER_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_COMMENTS_AFTER = re.compile(r"\s*" + REVIEW_COMMENT_RUN.pattern, re.DOTALL)


def base_lang(lang: str) -> str:
    """`zh-TW` → `zh`, `pt_BR` → `pt`."""
    return lang.replace("_", "-").split("-")[0].lower()


def segmenter_for(lang: str) -> str:
    """A one-line description of how `lang` is segmented (for the README and the UI)."""
    code = base_lang(lang)
    if code in CJK_SEGMENTED:
        return f"{code}: CJK sentence punctuation (。？！ and closing quotes)"
    if code in SUPPORTED_BY_PYSBD:
        return f"{code}: pysbd (protected spans masked)"
    return f"{code}: regex fallback (.?! + space, abbreviation list)"


def split_sentences(text: str, lang: str) -> list[str]:
    """Split one paragraph's prose (semantic line breaks already joined) into sentences."""
    return list(_split_cached(text, base_lang(lang)))


@lru_cache(maxsize=65536)
def _split_cached(text: str, code: str) -> tuple[str, ...]:
    text = text.strip()
    if not text:
        return ()
    runs = list(REVIEW_COMMENT_RUN.finditer(text)) if REVIEW_COMMENT_OPEN in text else []
    return tuple(_slice(text, _review_comment_cuts(text, runs, code) if runs else _cuts(text, code)))


def _cuts(text: str, code: str) -> list[int]:
    spans = protected_spans(text)
    if code in CJK_SEGMENTED:
        return _cjk_cuts(text, spans)
    if not _MAYBE_BOUNDARY.search(_masked_plain(text, spans)):
        return []
    if code in SUPPORTED_BY_PYSBD:
        return _english_like_cuts(text, spans, code)
    return _fallback_cuts(text, spans)


def _review_comment_cuts(text: str, runs: list[re.Match[str]], code: str) -> list[int]:
    """Cuts of a text holding sync comments: the boundaries of the text without them, each comment
    kept with the sentence before it, and a cut after every comment that follows text.

    Sync glues its review comment right after the unit it marks, so the comment ends that unit
    even where no punctuation does (machine text left in English inside Chinese); and a comment
    must never open the next sentence, which is the translator's and not awaiting review."""
    clean: list[str] = []
    index: list[int] = []  # offset in `text` of each character of `clean`
    position = 0
    for run in runs:
        clean.append(text[position:run.start()])
        index.extend(range(position, run.start()))
        position = run.end()
    clean.append(text[position:])
    index.extend(range(position, len(text)))
    cuts = []
    for cut in _cuts("".join(clean), code):
        if 0 < cut < len(index):
            after = _COMMENTS_AFTER.match(text, index[cut - 1] + 1)
            cuts.append(after.end() if after else index[cut - 1] + 1)
    cuts += [run.end() for run in runs if text[:run.start()].strip()]
    return cuts


def _slice(text: str, cuts: list[int]) -> list[str]:
    pieces, start = [], 0
    for cut in sorted(set(cuts)) + [len(text)]:
        piece = text[start:cut].strip()
        if piece:
            pieces.append(piece)
        start = cut
    return pieces


def _inside(position: int, spans) -> bool:
    return any(span.start < position < span.end for span in spans)


def _masked_plain(text: str, spans) -> str:
    """The text with protected spans blanked out, same length (for boundary searches)."""
    if not spans:
        return text
    chars = list(text)
    for span in spans:
        chars[span.start:span.end] = "x" * (span.end - span.start)
    return "".join(chars)


def _cjk_cuts(text: str, spans) -> list[int]:
    plain = _masked_plain(text, spans)
    cuts = []
    for match in _CJK_BOUNDARY.finditer(plain):
        end = match.end()
        if "?" in match.group() or "!" in match.group():
            # ASCII ?/! end a Chinese sentence only before CJK text, space or the end.
            following = plain[end:end + 1]
            if following and not (following.isspace() or ord(following) > 0x2E80):
                continue
        cuts.append(end)
    return cuts


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


def _pysbd_cuts(text: str, spans, code: str) -> list[int]:
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


_CANDIDATE = re.compile(rf"([.?!…]+)([{re.escape(_CLOSERS)}*_]*)(?=\s+(\S))")
_ORDINARY_WORD = re.compile(r"(?:[(\"“*]*(?:[A-Za-z]?[a-z]+|[A-Z]{2,}s?)|\d+)[)\"”*]*")


def _candidates(text: str, spans) -> tuple[list[int], list[int]]:
    """Possible boundaries split into (clear, ambiguous) ones.

    Clear: `?` or `!`, or a `.` after an ordinary word (not an abbreviation, not an initial, no
    inner period), each followed by a space and an upper-case letter. Anything else — a digit, a
    quote, a lower-case word, an ellipsis, emphasis — is ambiguous and left to pysbd.
    """
    plain = list(text)
    for span in spans:  # protected spans read as a capitalised word, like pysbd's placeholders
        plain[span.start:span.end] = "X" * (span.end - span.start)
    masked = "".join(plain)
    span_ends = {span.end for span in spans}
    clear: list[int] = []
    ambiguous: list[int] = []
    for match in _CANDIDATE.finditer(masked):
        punct, closers, following = match.groups()
        is_clear = following[0].isupper() and len(punct) == 1 and punct != "…" and closers in ("", ")")
        if is_clear and punct == "." and match.start(1) not in span_ends:
            before = masked[: match.start(1)].rsplit(None, 1)
            word = before[-1] if before else ""
            is_clear = (bool(_ORDINARY_WORD.fullmatch(word))
                        and word.strip("(\"“*)”").lower() not in FALLBACK_ABBREVIATIONS)
        (clear if is_clear else ambiguous).append(match.end())
    return clear, ambiguous


def _english_like_cuts(text: str, spans, code: str) -> list[int]:
    """Cut at clear boundaries; ask pysbd only about the stretches holding an ambiguous one.

    pysbd costs milliseconds per call, so this keeps it to the few stretches where its rules
    matter (validated on the d2l books: same boundaries as running pysbd on whole paragraphs).
    """
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


def _fallback_cuts(text: str, spans) -> list[int]:
    plain = _masked_plain(text, spans)
    cuts = []
    for match in _FALLBACK_BOUNDARY.finditer(plain):
        punct, following = match.group(1), match.group(2)
        word = plain[: match.start(1)].rsplit(None, 1)[-1] if plain[: match.start(1)].strip() else ""
        if punct == ".":
            bare = word.lower().lstrip("(\"'“")
            if bare in FALLBACK_ABBREVIATIONS or (len(bare) == 1 and bare.isalpha()):
                continue
            if following[:1].islower():
                continue
            if bare == "al" or word.lower().endswith("et al"):
                continue
        cuts.append(match.end())
    return cuts
