"""Sentence segmentation per language, never splitting inside protected inline spans.

Three splitters, chosen per language; `segmenter_for(lang)` says which one a language gets (the
`align` command prints it, so that no language falls back silently):

* **pysbd** (`amts.engine.markup.segment_pysbd`) for the languages it supports except zh/ja:
  en, es, fr, de, ...
* **CJK punctuation** for zh and ja: a sentence ends after 。？！ (or ASCII ? ! before CJK text,
  and the ideographic full stop ．), together with any closing quotes or brackets that follow
  (”’」』）》】). Japanese quotes text and speech in 「…。」 and 『…。』 with their own 。 inside:
  such a quotation is kept whole, the sentence ending at the next 。 outside it.
* **Rules per language** (`amts.engine.markup.segment_rules`) for the others: ko (sentence ends with
  no space after them), tr (ordinals, örn. bkz. vb.), vi (v.v.), pt, and generic rules for a
  language that has none of its own (said so, by name).

Rules common to all (they follow the gold annotation guide): a colon or semicolon never ends a
sentence; a boundary is only ever placed right after sentence-final punctuation (and its closers),
or after the review comments a sync glued to a machine-translated unit (they stay with that unit:
see `amts.engine.markup.review_comments`); the text of each sentence is a verbatim slice of the
input (stripped), so joining the sentences gives the input back up to whitespace.
"""

from __future__ import annotations

import re
from functools import lru_cache

from amts.engine.markup.markdown import InlineSpan, protected_spans
from amts.engine.markup.review_comments import REVIEW_COMMENT_OPEN, REVIEW_COMMENT_RUN
from amts.engine.markup.segment_pysbd import SUPPORTED_BY_PYSBD, pysbd_cuts
from amts.engine.markup.segment_rules import RULES, SPAN, rule_cuts, rules_for

__all__ = ["CJK_SEGMENTED", "SUPPORTED_BY_PYSBD", "base_lang", "segmenter_for", "split_sentences"]

#: Languages segmented by CJK punctuation instead of pysbd.
CJK_SEGMENTED = frozenset({"zh", "ja"})

_CLOSERS = "\"'”’」』）》】)]"
# A d2l slide marker closing after the full stop (…预测。**]) belongs to the sentence it closes.
_CJK_BOUNDARY = re.compile(rf"[。？！?!．]+[{re.escape(_CLOSERS)}]*(?:\*\*[\])])?")
_JAPANESE_QUOTES = {"「": "」", "『": "』"}
# Text with no sentence-final punctuation followed by a space cannot hold a boundary (fast path).
_MAYBE_BOUNDARY = re.compile(r"[.?!…]\S*\s")
_COMMENTS_AFTER = re.compile(r"\s*" + REVIEW_COMMENT_RUN.pattern, re.DOTALL)


def base_lang(lang: str) -> str:
    """`zh-TW` → `zh`, `pt_BR` → `pt`."""
    return lang.replace("_", "-").split("-")[0].lower()


def segmenter_for(lang: str) -> str:
    """A one-line description of how `lang` is segmented (for the align command and the UI)."""
    code = base_lang(lang)
    if code == "ja":
        return "ja: CJK sentence punctuation (。？！ and closing quotes; 「…」 kept whole)"
    if code in CJK_SEGMENTED:
        return f"{code}: CJK sentence punctuation (。？！ and closing quotes)"
    if code in SUPPORTED_BY_PYSBD:
        return f"{code}: pysbd (protected spans masked)"
    rules = rules_for(code)
    if code in RULES:
        return f"{code}: {rules.name} rules ({rules.description})"
    return f"{code}: no rules for this language, {rules.description}"


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
        return _cjk_cuts(_masked(text, spans), quotes_whole=code == "ja")
    if code in SUPPORTED_BY_PYSBD:
        if not _MAYBE_BOUNDARY.search(_masked(text, spans)):
            return []
        return pysbd_cuts(text, spans, code)
    return rule_cuts(_masked(text, spans), rules_for(code))


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


def _masked(text: str, spans: list[InlineSpan]) -> str:
    """The text with protected spans (not slide markers) blanked out, same length."""
    if not spans:
        return text
    chars = list(text)
    for span in spans:
        if span.kind != "slide":
            chars[span.start:span.end] = SPAN * (span.end - span.start)
    return "".join(chars)


def _cjk_cuts(plain: str, quotes_whole: bool) -> list[int]:
    inside_quote = _quoted_positions(plain) if quotes_whole else None
    cuts = []
    for match in _CJK_BOUNDARY.finditer(plain):
        end = match.end()
        if inside_quote is not None and (inside_quote[match.start()] or plain[end - 1] in "」』"):
            continue  # 「…。」と言った。: the sentence goes on after the quotation
        if "?" in match.group() or "!" in match.group():
            # ASCII ?/! end a CJK sentence only before CJK text, space or the end.
            following = plain[end:end + 1]
            if following and not (following.isspace() or ord(following) > 0x2E80):
                continue
        cuts.append(end)
    return cuts


def _quoted_positions(plain: str) -> list[bool]:
    """For each character, whether it lies inside a quotation of whole sentences: 「…。」 or 『…。』.

    A bracket left unclosed, or a pair that does not close a sentence (machine translation writes
    "(」<unk>「)" around a token), quotes nothing.
    """
    inside = [False] * len(plain)
    openings: list[tuple[str, int]] = []
    for position, ch in enumerate(plain):
        if ch in _JAPANESE_QUOTES:
            openings.append((_JAPANESE_QUOTES[ch], position))
        elif openings and ch == openings[-1][0]:
            _, start = openings.pop()
            if not openings and plain[position - 1:position] in ("。", "？", "！"):
                inside[start + 1:position] = [True] * (position - start - 1)
    return inside
