"""Split text for TranslateText's size limit at the most natural boundary, and join it back.

TranslateText accepts at most 10,000 UTF-8 bytes. Text is cut after paragraphs first, then
lines, then sentences (Latin and CJK punctuation), then words, and only as a last resort inside
a word (never inside a character). The pieces concatenate back to the input exactly; the caller
translates each piece's content and keeps its surrounding whitespace.

The text may be HTML (the protected-HTML units of amts.engine.markup.protected_html): a cut is
never made inside a `<span translate="no" …>…</span>` (the half left outside would lose its
protection, and both halves would be invalid HTML), inside a tag or inside an entity (`&lt;`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from amts.engine.errors import AmtsError
from amts.engine.markup.protected_html import uncuttable_ranges

MAX_TEXT_BYTES = 10_000

# Each pattern marks the end of a unit; the cut goes after the match, so separators stay with
# the text before them and "".join(pieces) == text.
_BOUNDARIES = (
    re.compile(r"\n(?:[ \t]*\n)+"),                      # paragraphs (blank lines)
    re.compile(r"\n"),                                 # lines
    re.compile(r"(?:[.!?](?=\s)|[。！？；])[\"'”’）)]*\s*"),  # sentences
    re.compile(r"\s+"),                                # words
)
_EDGES = re.compile(r"^(\s*)(.*?)(\s*)$", re.DOTALL)


def utf8_size(text: str) -> int:
    return len(text.encode("utf-8"))


def _cut_after(text: str, boundary: re.Pattern[str]) -> list[str]:
    whole = uncuttable_ranges(text)
    cuts = [m.end() for m in boundary.finditer(text)
            if 0 < m.end() < len(text) and not any(s < m.end() < e for s, e in whole)]
    starts = [0, *cuts]
    ends = [*cuts, len(text)]
    return [text[a:b] for a, b in zip(starts, ends) if b > a]


def _tokens(text: str) -> Iterator[str]:
    """Characters, except that an uncuttable piece is one token."""
    position = 0
    for start, end in uncuttable_ranges(text):
        yield from text[position:start]
        yield text[start:end]
        position = end
    yield from text[position:]


def _cut_by_bytes(text: str, max_bytes: int) -> Iterator[str]:
    piece: list[str] = []
    size = 0
    for token in _tokens(text):
        width = utf8_size(token)
        if size + width > max_bytes and piece:
            yield "".join(piece)
            piece, size = [], 0
        piece.append(token)
        size += width
    if piece:
        yield "".join(piece)


def _units(text: str, max_bytes: int, level: int) -> Iterator[str]:
    """Pieces of ``text`` no larger than ``max_bytes``, cut at the coarsest boundary that works."""
    if utf8_size(text) <= max_bytes:
        yield text
    elif level == len(_BOUNDARIES):
        yield from _cut_by_bytes(text, max_bytes)
    else:
        for unit in _cut_after(text, _BOUNDARIES[level]):
            yield from _units(unit, max_bytes, level + 1)


def split_for_translation(text: str, max_bytes: int = MAX_TEXT_BYTES) -> list[str]:
    """Cut ``text`` into pieces of at most ``max_bytes`` UTF-8 bytes; ``"".join`` gives it back.

    Neighbouring units are packed together greedily so that few requests are made. AmtsError when
    a protected span or a tag alone is larger than ``max_bytes``: it cannot be cut, nor sent whole.
    """
    if max_bytes < 4:
        raise ValueError("max_bytes must hold at least one UTF-8 character (4 bytes)")
    pieces: list[str] = []
    current: list[str] = []
    size = 0
    for unit in _units(text, max_bytes, 0):
        width = utf8_size(unit)
        if width > max_bytes:
            raise AmtsError(f"a protected span or tag of {width} bytes is longer than TranslateText "
                            f"takes ({max_bytes} bytes): {unit[:60]!r}…")
        if current and size + width > max_bytes:
            pieces.append("".join(current))
            current, size = [], 0
        current.append(unit)
        size += width
    if current:
        pieces.append("".join(current))
    return pieces


def split_edges(piece: str) -> tuple[str, str, str]:
    """(leading whitespace, content, trailing whitespace) of a piece: only content is sent."""
    match = _EDGES.match(piece)
    assert match is not None  # the pattern matches every string
    return match.group(1), match.group(2), match.group(3)
