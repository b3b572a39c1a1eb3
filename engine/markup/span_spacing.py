"""Amazon's spacing quirk around protected spans, undone where the source says it was inserted.

Amazon Translate may put a space after `</span>` of a `translate="no"` element (and perhaps
before `<span`) where the source had none (amazon-translate.md §4): "`x`," comes back "`x` ,",
"$n$维" as "$n$ 维". Read back as it is, that space changes the Markdown of a unit nobody
translated and misplaces punctuation in one that was. A space next to a span is taken for the
quirk's when the source had no space on that side and the character beyond it is punctuation,
or CJK text in a CJK translation; elsewhere (a letter in a spaced language) a translator may
have meant it, so it stays and is counted as unsure. A unit that differs from its source only
by such spaces is untranslated: `everywhere=True` removes them all to find out.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import TypeVar

from amts.engine.markup.markdown import is_cjk_char
from amts.engine.markup.semantic_lines import is_cjk_language

Span = TypeVar("Span")
#: Whether the source had text right against a span: (before it, after it).
Glued = Callable[[Span], tuple[bool, bool]]

_SPACE_FIRST = re.compile(r" (?=\S)")
_SPACE_LAST = re.compile(r"(?<=\S) \Z")


def glued_in(text: str, start: int, end: int) -> tuple[bool, bool]:
    """(text right before, text right after) the span `text[start:end]` of a source unit."""
    return start > 0 and not text[start - 1].isspace(), end < len(text) and not text[end].isspace()


def _inserted(neighbour: str, cjk_target: bool) -> bool:
    return unicodedata.category(neighbour)[0] == "P" or (cjk_target and is_cjk_char(neighbour))


def undo_span_spacing(parts: list[str | Span], glued: Glued[Span], target_lang: str, *,
                      everywhere: bool = False) -> tuple[list[str | Span], int]:
    """The parts (text runs and spans) without the spaces the quirk inserted, and how many
    spaces were left because they may be the translator's own."""
    out = list(parts)
    cjk = is_cjk_language(target_lang)
    unsure = 0
    for i, part in enumerate(out):
        if isinstance(part, str):
            continue
        before, after = glued(part)
        following = out[i + 1] if i + 1 < len(out) else None
        if after and isinstance(following, str) and _SPACE_FIRST.match(following):
            if everywhere or _inserted(following[1], cjk):
                out[i + 1] = following[1:]
            else:
                unsure += 1
        preceding = out[i - 1] if i > 0 else None
        if before and isinstance(preceding, str) and _SPACE_LAST.search(preceding):
            if everywhere or _inserted(preceding[-2], cjk):
                out[i - 1] = preceding[:-1]
            else:
                unsure += 1
    return out, unsure
