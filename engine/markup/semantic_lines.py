"""Semantic line breaks for translated prose: one sentence per line, never breaking a protected span.

A translation cannot keep the source's line breaks, so a restored prose block is laid out the way
d2l writes Markdown: one sentence a line. The rule is deliberately simple and predictable: for
Chinese and Japanese a sentence ends after 。！？, for other languages after . ! ? followed by
whitespace (common abbreviations and initials excepted).
"""

from __future__ import annotations

import re

_CJK_END = re.compile(r"[。！？]+[”’」』）)\]\"']*(?:\*\*[\])])?[ \t]*")
_LATIN_END = re.compile(r"[.!?]+[\"'”’)\]]*(?:\*\*[\])])?\s+")
_ABBREVIATIONS = frozenset(
    {"e.g", "i.e", "etc", "vs", "cf", "al", "fig", "figs", "eq", "eqs", "sec", "dr", "mr", "mrs", "ms"}
)
_WORD_BEFORE_DOT = re.compile(r"([A-Za-z.]+)\.$")


def is_cjk_language(lang: str) -> bool:
    return lang.split("-")[0].lower() in {"zh", "ja"}


def split_sentences(text: str, protected: list[tuple[int, int]], lang: str) -> list[str]:
    """Split one line of prose into sentences; `protected` are (start, end) ranges never split."""
    pattern = _CJK_END if is_cjk_language(lang) else _LATIN_END
    sentences: list[str] = []
    start = 0
    for match in pattern.finditer(text):
        cut = match.end()
        if cut >= len(text) or any(s < match.start() < e or s < cut < e for s, e in protected):
            continue
        if pattern is _LATIN_END and text[match.start()] == "." and _is_abbreviation(text[start:match.start() + 1]):
            continue
        sentence = text[start:cut].rstrip()
        if sentence:
            sentences.append(sentence)
        start = cut
    rest = text[start:].strip()
    if rest:
        sentences.append(rest)
    return sentences


def _is_abbreviation(sentence_so_far: str) -> bool:
    """Whether the final dot ends an abbreviation ("e.g.", "Fig.") or an initial ("J.")."""
    found = _WORD_BEFORE_DOT.search(sentence_so_far)
    if not found:
        return False
    word = found.group(1)
    return word.lower() in _ABBREVIATIONS or (len(word) == 1 and word.isupper())
