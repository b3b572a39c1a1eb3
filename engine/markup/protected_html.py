"""The protected-HTML unit format: the one contract between our Markdown and a translator.

A prose unit is one element whose `data-b` attribute is its index: `<p data-b="7">…</p>` (h1–h6,
p, li; td and pre are read too). Inside it, every inline span that must not change (inline code,
`$math$`, roles, link targets, inline HTML) is `<span translate="no" data-p="K">ESCAPED</span>`,
and the rest is escaped text. This module alone writes and reads that markup; nobody else matches
its attributes:

- writing: `render_document` (a section's units, as amts.engine.markup.protect cuts them),
  `render_fragment` (one Markdown text as a unit's inner HTML, its spans numbered from 0),
  `unit_element` and `units_document` (fragments as the unit lines of one document);
- reading: `read_translation` (a translator's output, units and spans, never raising on bad
  HTML), `read_units` (each unit's inner HTML by index), `fragment_markdown` (a translated
  fragment back to Markdown, spans from the source), `fragment_text`, `unit_lookup_key`;
- splicing: `splice_units` (translated inner HTML put back into a rendered document);
- for HTML from anyone (the local service, which answers any client as Amazon would):
  `protected_span_elements`, `is_protected`, `unit_index`.

A translator may reorder attributes, change whitespace and entity forms, move, drop or duplicate
spans, leave end tags out or wrap text in tags of its own: the readers cope, and report what they
could not make sense of.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser

from amts.engine.markup.markdown import protected_spans
from amts.engine.markup.span_spacing import glued_in, undo_span_spacing

#: Elements that carry a prose unit (`data-b="N"`).
UNIT_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "td", "pre"})
UNIT_ATTRIBUTE = "data-b"
SPAN_ATTRIBUTE = "data-p"

_VOID_TAGS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
)
_DOCUMENT_HEAD = '<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
_DOCUMENT_BODY = "</head><body>\n"
_DOCUMENT_TAIL = "</body></html>\n"
#: A unit element of any unit tag, its attributes in any order and quoting; group 2 is its index.
_UNIT_ELEMENT = re.compile(
    r"<(h[1-6]|p|li|td|pre)\b[^>]*?\bdata-b\s*=\s*[\"']?(\d+)[\"']?[^>]*>(.*?)</\1\s*>",
    re.DOTALL | re.IGNORECASE)
_SPAN_ELEMENT = re.compile(r"<span\b[^>]*\bdata-p\s*=\s*[\"']?(\d+)[\"']?[^>]*>.*?</span\s*>", re.DOTALL)
_PROTECTED_SPAN = re.compile(r"<span\b(?=[^>]*\btranslate\s*=\s*[\"']?no\b)[^>]*>(.*?)</span>", re.DOTALL)
_NO_TRANSLATE = re.compile(r"\btranslate\s*=\s*[\"']?no\b", re.IGNORECASE)
_UNIT_INDEX = re.compile(r"\bdata-b\s*=\s*[\"']([^\"']*)[\"']")
_ANY_TAG = re.compile(r"</?[A-Za-z][^>]*>")
#: An HTML entity of the Markdown (`&lt;`), or a token written with them (`&lt;eos&gt;`, one span:
#: the word between is markup too, not prose to translate).
_ENTITY = re.compile(r"&lt;[^&<>\s]{1,40}&gt;|&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")
_ENTITY_TEXT = re.compile(r"(?:&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);|[^&<>])+")

#: A piece of a unit to write: a run of text, or a protected span as (its id, its Markdown text).
UnitPart = str | tuple[int, str]


# --- writing --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HtmlUnit:
    """One unit to render: its index (`data-b`), its element, its parts; `list_tag` ("ul"/"ol")
    for list items, which the document wraps in their list."""

    index: int
    tag: str
    parts: tuple[UnitPart, ...]
    list_tag: str = ""


def markup_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every span of a Markdown text that must not be translated, in order: the
    protected inline spans (code, math, roles, link targets, HTML) and the HTML entities outside
    them (`&lt;eos&gt;` is markup too: sent as prose it would go out double-escaped)."""
    spans = [(s.start, s.end) for s in protected_spans(text)]
    for entity in _ENTITY.finditer(text):
        if not any(s < entity.end() and entity.start() < e for s, e in spans):
            spans.append((entity.start(), entity.end()))
    return sorted(spans)


def span_content(text: str) -> str:
    """A protected span's inner HTML: its Markdown text escaped, except text made of entities
    (`&lt;eos&gt;`), which already is HTML and goes out once-escaped (the translator sees `<eos>`)."""
    return text if _ENTITY_TEXT.fullmatch(text) and "&" in text else html.escape(text, quote=False)


def span_element(span_id: int, text: str) -> str:
    """A protected span: its Markdown text as HTML (`span_content`) inside `<span translate="no" data-p="K">`."""
    return f'<span translate="no" data-p="{span_id}">{span_content(text)}</span>'


def render_parts(parts: Iterable[UnitPart]) -> str:
    """A unit's inner HTML: text runs escaped, protected spans as span elements."""
    return "".join(html.escape(part, quote=False) if isinstance(part, str) else span_element(*part)
                   for part in parts)


def unit_element(tag: str, index: int, inner: str) -> str:
    """`<tag data-b="index">inner</tag>`: one unit, on one line of its document."""
    return f'<{tag} data-b="{index}">{inner}</{tag}>'


def render_document(units: Iterable[HtmlUnit], title: str = "") -> str:
    """The HTML document to translate: one unit a line, list items inside their lists."""
    out = [_DOCUMENT_HEAD]
    if title:
        out.append(f"<title>{html.escape(title, quote=False)}</title>")
    out.append(_DOCUMENT_BODY)
    open_list = ""
    for unit in units:
        if open_list != unit.list_tag:  # valid HTML: list items inside a list
            if open_list:
                out.append(f"</{open_list}>\n")
            if unit.list_tag:
                out.append(f"<{unit.list_tag}>\n")
            open_list = unit.list_tag
        out.append(unit_element(unit.tag, unit.index, render_parts(unit.parts)) + "\n")
    if open_list:
        out.append(f"</{open_list}>\n")
    out.append(_DOCUMENT_TAIL)
    return "".join(out)


@dataclass(frozen=True, slots=True)
class Fragment:
    """One Markdown text as a unit's inner HTML; `spans` holds each span's text by its data-p."""

    html: str
    spans: tuple[str, ...]


def render_fragment(text: str) -> Fragment:
    """A Markdown text as inner HTML with its protected spans marked (numbered from 0)."""
    parts: list[UnitPart] = []
    spans: list[str] = []
    position = 0
    for start, end in markup_spans(text):
        parts += [text[position:start], (len(spans), text[start:end])]
        spans.append(text[start:end])
        position = end
    parts.append(text[position:])
    return Fragment(render_parts(parts), tuple(spans))


def units_document(unit_lines: Iterable[str]) -> str:
    """A document around unit lines made by `unit_element` (each ending in a newline)."""
    return _DOCUMENT_HEAD + _DOCUMENT_BODY + "".join(unit_lines) + _DOCUMENT_TAIL


# --- reading --------------------------------------------------------------------------------------


def read_units(document: str) -> dict[int, str]:
    """The inner HTML of every unit element of a document, by index (of a repeated index, the last)."""
    return {int(m.group(2)): m.group(3) for m in _UNIT_ELEMENT.finditer(document)}


def fragment_text(fragment: str) -> str:
    """A fragment's text: tags dropped, entities unescaped (protected spans keep their text)."""
    return html.unescape(_ANY_TAG.sub("", fragment))


def fragment_markdown(translated: str, spans: tuple[str, ...] | list[str], *, source: str = "",
                      target_lang: str = "") -> str:
    """A translated fragment back to Markdown: every protected span exactly as in the source (from
    `spans`, never from the translation), one a place; a span the translator dropped is put back
    at the end; lines joined with spaces. Given the `source` Markdown (and the `target_lang`),
    spaces Amazon put next to spans where the source had none are taken out (span_spacing)."""
    seen: set[int] = set()
    parts: list[str | int] = []
    position = 0
    for match in _SPAN_ELEMENT.finditer(translated):
        parts.append(fragment_text(translated[position:match.start()]))
        index = int(match.group(1))
        if index < len(spans) and index not in seen:
            parts.append(index)
            seen.add(index)
        position = match.end()
    parts.append(fragment_text(translated[position:]))
    if source:
        where = markup_spans(source)
        if len(where) == len(spans):

            def glued(index: int) -> tuple[bool, bool]:
                return glued_in(source, *where[index])

            unspaced, _ = undo_span_spacing(parts, glued, target_lang, everywhere=True)
            if _joined(unspaced, spans) == source:
                parts = unspaced  # untranslated: the source as it was
            parts, _ = undo_span_spacing(parts, glued, target_lang)
    text = _joined(parts, spans)
    lost = [spans[k] for k in range(len(spans)) if k not in seen]
    if lost:
        text = text.rstrip() + " " + " ".join(lost)
    return " ".join(text.split("\n")).strip()


def _joined(parts: list[str | int], spans: tuple[str, ...] | list[str]) -> str:
    return "".join(part if isinstance(part, str) else spans[part] for part in parts)


# --- splicing -------------------------------------------------------------------------------------


def splice_units(document: str, translations: dict[int, str]) -> str:
    """`document` with the inner HTML of each unit named in `translations` replaced."""

    def replace(match: re.Match[str]) -> str:
        index = int(match.group(2))
        if index not in translations:
            return match.group(0)
        return unit_element(match.group(1), index, translations[index])

    return _UNIT_ELEMENT.sub(replace, document)


# --- HTML from anyone: protected elements and unit indexes -----------------------------------------


def protected_span_elements(raw: str) -> Iterator[re.Match[str]]:
    """Every `<span translate="no" …>…</span>` of `raw`, in order; group 1 is its inner HTML."""
    return _PROTECTED_SPAN.finditer(raw)


#: What a chunker must keep whole: a protected element with its content (non-greedy to its end
#: tag: protected spans never nest), any other tag, an entity.
_UNCUTTABLE = re.compile(
    r"<span\b(?=[^>]*\btranslate\s*=\s*[\"']?no\b)[^>]*>.*?</span\s*>"
    r"|<[A-Za-z/!?][^>]*>"
    r"|&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);",
    re.DOTALL | re.IGNORECASE)


def uncuttable_ranges(raw: str) -> list[tuple[int, int]]:
    """(start, end) of every protected span (with its content), tag and entity of `raw`: a text
    cut inside one would unprotect text or break the HTML."""
    return [m.span() for m in _UNCUTTABLE.finditer(raw)]


def is_protected(attributes: str) -> bool:
    """Whether an element's attribute text says `translate="no"` (in any quoting or case)."""
    return _NO_TRANSLATE.search(attributes) is not None


def unit_index(attributes: str) -> str | None:
    """The `data-b` value of an element's attribute text, as written; None without one."""
    found = _UNIT_INDEX.search(attributes)
    return found.group(1) if found else None


# --- reading a translation, unit by unit and span by span -----------------------------------------


@dataclass(frozen=True, slots=True)
class SpanPiece:
    """A protected span as found in the translation: its id (None if unreadable) and its text."""

    span_id: int | None
    text: str


@dataclass(frozen=True, slots=True)
class TranslatedUnit:
    """One `data-b` element of the translation: text (str) and protected spans, in order."""

    block_index: int
    pieces: tuple[str | SpanPiece, ...]


@dataclass(frozen=True, slots=True)
class ParsedTranslation:
    units: tuple[TranslatedUnit, ...]  # in document order, duplicates included
    problems: tuple[str, ...]  # what could not be read, for warnings


class _TranslationReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.units: list[TranslatedUnit] = []
        self.problems: list[str] = []
        self._index: int | None = None  # block index of the open unit
        self._tag = ""  # its element name
        self._nesting = 0  # same-name elements open inside it, so the right end tag closes it
        self._pieces: list[str | SpanPiece] = []
        self._span_depth = 0  # > 0 inside a protected span
        self._span_id: int | None = None
        self._span_text: list[str] = []
        self.stray_text = 0
        self._in_head = False  # the title is metadata, not a unit

    # --- units -------------------------------------------------------------------------------

    def _open_unit(self, tag: str, value: str | None) -> None:
        self._close_unit()
        try:
            index = int((value or "").strip())
        except ValueError:
            self.problems.append(f"unreadable block index data-b={value!r}; its text is ignored")
            index = -1
        self._index, self._tag, self._nesting, self._pieces = index, tag, 1, []

    def _close_unit(self) -> None:
        if self._span_depth:
            self._close_span()
        if self._index is not None and self._index >= 0:
            self.units.append(TranslatedUnit(self._index, tuple(self._pieces)))
        self._index, self._pieces = None, []

    def _close_span(self) -> None:
        self._pieces.append(SpanPiece(self._span_id, "".join(self._span_text)))
        self._span_depth, self._span_id, self._span_text = 0, None, []

    # --- HTMLParser callbacks ----------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._span_depth:
            if tag not in _VOID_TAGS:
                self._span_depth += 1
            return
        if tag == "head":
            self._in_head = True
        elif tag == "body":
            self._in_head = False
        values = dict(attrs)
        if tag in UNIT_TAGS and UNIT_ATTRIBUTE in values:
            self._open_unit(tag, values[UNIT_ATTRIBUTE])
            return
        if self._index is None:
            return
        if SPAN_ATTRIBUTE in values or (values.get("translate") or "").strip().lower() == "no":
            span_id: int | None
            try:
                span_id = int((values.get(SPAN_ATTRIBUTE) or "").strip())
            except ValueError:
                span_id = None
            if tag in _VOID_TAGS:  # an empty protected element: nothing inside to wait for
                self._pieces.append(SpanPiece(span_id, ""))
                return
            self._span_depth, self._span_id, self._span_text = 1, span_id, []
        elif tag == "br":
            self._pieces.append(" ")
        elif tag == self._tag:
            self._nesting += 1

    def handle_endtag(self, tag: str) -> None:
        if self._span_depth:
            if tag in _VOID_TAGS:
                return
            self._span_depth -= 1
            if not self._span_depth:
                self._close_span()
            return
        if tag == "head":
            self._in_head = False
        if self._index is not None and tag == self._tag:
            self._nesting -= 1
            if not self._nesting:
                self._close_unit()
        elif self._index is not None and tag in {"body", "html"}:
            self._close_unit()  # a unit left open to the end of the document

    def handle_data(self, data: str) -> None:
        if self._span_depth:
            self._span_text.append(data)
        elif self._index is not None:
            self._pieces.append(data)
        elif data.strip() and not self._in_head:
            self.stray_text += 1


def read_translation(translated_html: str) -> ParsedTranslation:
    """Read the prose units of a translated document; never raises on malformed HTML."""
    reader = _TranslationReader()
    try:
        reader.feed(translated_html)
        reader.close()
    except Exception as exc:  # html.parser is lenient, but a reader must never take the job down
        reader.problems.append(f"the translated HTML could not be read to the end: {exc}")
    reader._close_unit()
    if reader.stray_text:
        reader.problems.append(f"{reader.stray_text} run(s) of text outside any block were ignored")
    return ParsedTranslation(tuple(reader.units), tuple(reader.problems))


class _TextContent(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def unit_lookup_key(inner_html: str) -> str:
    """The translation-memory key of a unit: its inner HTML with every tag dropped and text unescaped.

    For a unit made by `markdown_to_html` this is the original Markdown text of the block, lines
    joined as the source language joins them (protected spans included, byte for byte).
    """
    reader = _TextContent()
    reader.feed(inner_html)
    reader.close()
    return "".join(reader.parts)
