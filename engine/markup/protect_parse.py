"""Reading the HTML that comes back from a translator: the prose units and their protected spans.

A translator may reorder attributes, change whitespace and entity forms, move, drop or duplicate
spans, leave end tags out or wrap text in tags of its own. The reader never raises on any of it:
it reports what it could not make sense of and leaves the decisions to `amts.engine.markup.protect`.
"""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser

#: Elements that carry a prose unit (`data-b="N"`) in the shared HTML contract.
UNIT_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "td", "pre"})

_VOID_TAGS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
)


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
        if tag in UNIT_TAGS and "data-b" in values:
            self._open_unit(tag, values["data-b"])
            return
        if self._index is None:
            return
        if "data-p" in values or (values.get("translate") or "").strip().lower() == "no":
            span_id: int | None
            try:
                span_id = int((values.get("data-p") or "").strip())
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
