"""The local stand-in for ACT: documents translated from the job's parallel data used as a
translation memory. It never invents text: what the memory does not cover is left as it is and
counted as untranslated. HTML follows the protected-HTML format (amts.engine.markup.protected_html:
block elements with data-b, `translate="no"` elements untouched); everything outside translated
text is kept byte for byte."""

from __future__ import annotations

import re
from dataclasses import dataclass

from amts.engine.local_service.segments import Unit, UnitCounts, translate_unit
from amts.engine.markup.protected_html import is_protected, unit_index
from amts.engine.paralleldata.memory import TranslationMemory

_TAG = re.compile(
    r"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<[!?][^>]*>"
    r"|<(/?)([A-Za-z][A-Za-z0-9-]*)((?:\"[^\"]*\"|'[^']*'|[^'\">])*)>",
    re.DOTALL,
)
_BLOCKS = {"p", "li", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "title", "caption", "dt", "dd"}
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
         "track", "wbr"}
_NEVER_TRANSLATED = {"script", "style", "pre", "code"}
_PARAGRAPH_GAP = re.compile(r"\n[ \t]*\n\s*")


@dataclass(frozen=True)
class DocumentTranslation:
    """A translated document and what the memory covered in it."""

    text: str
    translated_segments: int
    untranslated_segments: int
    exact_matches: int
    fuzzy_matches: int
    characters: int
    untranslated_blocks: tuple[str, ...]  # data-b values (HTML) or 1-based paragraph numbers


@dataclass
class _Open:
    tag: str
    attributes: str
    inner_start: int
    untouchable: bool
    has_nested_block: bool = False


def translate_html(
    document: str, memory: TranslationMemory | None, target_language: str
) -> DocumentTranslation:
    """Translate the leaf block elements of an HTML document outside `translate="no"`."""
    counts = UnitCounts()
    replacements: list[tuple[int, int, str]] = []
    untranslated: list[str] = []
    stack: list[_Open] = []
    for match in _TAG.finditer(document):
        closing, tag, attributes = match.group(1), (match.group(2) or "").lower(), match.group(3)
        if not tag or tag in _VOID or (attributes or "").rstrip().endswith("/"):
            continue
        if not closing:
            parent_untouchable = bool(stack) and stack[-1].untouchable
            untouchable = (
                parent_untouchable or tag in _NEVER_TRANSLATED
                or is_protected(attributes or "")
            )
            if tag in _BLOCKS and not untouchable:
                for ancestor in stack:
                    ancestor.has_nested_block = True
            stack.append(_Open(tag, attributes or "", match.end(), untouchable))
            continue
        depth = next((i for i in range(len(stack) - 1, -1, -1) if stack[i].tag == tag), None)
        if depth is None:
            continue  # a stray closing tag: leave it alone
        element = stack[depth]
        del stack[depth:]
        if element.tag in _BLOCKS and not element.untouchable and not element.has_nested_block:
            unit = Unit(document[element.inner_start:match.start()], is_html=True)
            text, missed = translate_unit(unit, memory, target_language, counts)
            if text != unit.raw:
                replacements.append((element.inner_start, match.start(), text))
            if missed:
                index = unit_index(element.attributes)
                untranslated.append(index if index is not None else f"@{element.inner_start}")
    return _result(_apply(document, replacements), counts, untranslated)


def translate_plain_text(
    document: str, memory: TranslationMemory | None, target_language: str
) -> DocumentTranslation:
    """Translate a text/plain document paragraph by paragraph (then sentence/line by line)."""
    counts = UnitCounts()
    replacements: list[tuple[int, int, str]] = []
    untranslated: list[str] = []
    position, number = 0, 0
    bounds = [m.span() for m in _PARAGRAPH_GAP.finditer(document)] + [(len(document), len(document))]
    for gap_start, gap_end in bounds:
        raw = document[position:gap_start]
        if raw.strip():
            number += 1
            unit = Unit(raw, is_html=False)
            text, missed = translate_unit(unit, memory, target_language, counts)
            if text != raw:
                replacements.append((position, gap_start, text))
            if missed:
                untranslated.append(str(number))
        position = gap_end
    return _result(_apply(document, replacements), counts, untranslated)


def translate_document(
    document: str, content_type: str, memory: TranslationMemory | None, target_language: str
) -> DocumentTranslation:
    """Dispatch on the job's content type (text/html or text/plain)."""
    if content_type == "text/html":
        return translate_html(document, memory, target_language)
    return translate_plain_text(document, memory, target_language)


def _apply(document: str, replacements: list[tuple[int, int, str]]) -> str:
    out, position = [], 0
    for start, end, text in sorted(replacements):
        out += [document[position:start], text]
        position = end
    out.append(document[position:])
    return "".join(out)


def _result(text: str, counts: UnitCounts, untranslated: list[str]) -> DocumentTranslation:
    return DocumentTranslation(
        text=text,
        translated_segments=counts.translated_segments,
        untranslated_segments=counts.untranslated_segments,
        exact_matches=counts.exact_matches,
        fuzzy_matches=counts.fuzzy_matches,
        characters=counts.characters,
        untranslated_blocks=tuple(untranslated),
    )
