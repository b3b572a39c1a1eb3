"""Markup protection: Markdown → HTML for a batch translation job, and the translated HTML → Markdown.

Only prose goes to the translator: each heading, paragraph and list item becomes one unit of the
protected-HTML format (amts.engine.markup.protected_html, which writes and reads it) carrying its
block index, with every inline span that must not change (inline code, `$math$`, roles, link
targets, inline HTML, URLs, d2l slide markers) marked translate="no". Code cells, display math,
images, directives, tables, links and HTML blocks stay out of the HTML altogether: Amazon
Translate bills the characters it cannot translate too, and code is most of a d2l section. They
wait in the `ProtectedDocument` skeleton, which is stored on disk while the job runs and puts
every byte back afterwards: protected spans and blocks from the skeleton (never from the
translation), prose blocks with their prefixes, one sentence a line. An untranslated unit gets its
original lines back, so an identity translation restores the file byte for byte.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from amts.engine.errors import AmtsError
from amts.engine.markup.markdown import Block, BlockKind, MarkdownWarning, join_lines, parse_markdown
from amts.engine.markup.protected_html import (
    HtmlUnit,
    TranslatedUnit,
    UnitPart,
    markup_spans,
    read_translation,
    render_document,
    render_parts,
)
from amts.engine.markup.semantic_lines import is_cjk_language, split_sentences
from amts.engine.markup.span_spacing import glued_in, undo_span_spacing

SKELETON_FORMAT = "amts-protected-document/1"

_WORD_CHAR = re.compile(r"\w")
_WHITESPACE_RUN = re.compile(r"\s+")
#: An image block: its caption is prose to translate, its target and attributes are not.
_IMAGE = re.compile(r"(?P<open>\s*!\[)(?P<caption>.*)(?P<close>\]\([^)]*\)(?:\{[^}]*\})?\s*)", re.DOTALL)


@dataclass(frozen=True, slots=True)
class ProtectedSpan:
    """An inline span never to translate: `text[start:end]` of its unit, `span_id` is its data-p."""

    span_id: int
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class SkeletonBlock:
    """One Markdown block. A prose block with something to translate is a unit: `text` is non-empty."""

    kind: BlockKind
    raw: str  # the block's source lines, line endings included
    start_line: int
    prefix: str = ""  # heading "## ", list marker "* ", a paragraph's indentation, an image's "!["
    text: str = ""  # a unit's source text, lines joined: what the HTML carries (and the TM key)
    spans: tuple[ProtectedSpan, ...] = ()
    suffix: str = ""  # an image's "](path){attrs}" after its caption

    @property
    def is_unit(self) -> bool:
        return bool(self.text)

    def parts(self) -> list[str | ProtectedSpan]:
        """The unit's text cut into plain runs (str) and protected spans, in order."""
        out: list[str | ProtectedSpan] = []
        at = 0
        for span in self.spans:
            if span.start > at:
                out.append(self.text[at:span.start])
            out.append(span)
            at = span.end
        if at < len(self.text):
            out.append(self.text[at:])
        return out


@dataclass(frozen=True, slots=True)
class ProtectedDocument:
    """The skeleton of a section: everything needed to rebuild it around a translation."""

    blocks: tuple[SkeletonBlock, ...]
    source_lang: str = "en"
    title: str = ""

    @property
    def html(self) -> str:
        """The document to translate: prose units only, protected spans marked translate="no"
        (amts.engine.markup.protected_html renders it)."""
        return render_document(self.html_units(), self.title)

    def html_units(self) -> list[HtmlUnit]:
        """Every unit as the protected-HTML format writes it, in document order."""
        return [_html_unit(i, b) for i, b in enumerate(self.blocks) if b.is_unit]

    def inner_html(self) -> dict[int, str]:
        """Each unit's inner HTML (what TranslateText is sent), by block index."""
        return {unit.index: render_parts(unit.parts) for unit in self.html_units()}

    @property
    def units(self) -> list[tuple[int, str]]:
        """(block index, source text) of every unit: the lookup keys a translation memory sees."""
        return [(i, b.text) for i, b in enumerate(self.blocks) if b.is_unit]

    def span_texts(self) -> dict[int, str]:
        """The original Markdown of every protected span, by its data-p id."""
        return {s.span_id: b.text[s.start:s.end] for b in self.blocks for s in b.spans}

    def to_json(self) -> str:
        """A JSON text that `from_json` turns back into an equal document."""
        blocks = []
        for b in self.blocks:
            entry: dict[str, object] = {"kind": b.kind.value, "raw": b.raw, "line": b.start_line}
            if b.prefix:
                entry["prefix"] = b.prefix
            if b.suffix:
                entry["suffix"] = b.suffix
            if b.text:
                entry["text"] = b.text
                entry["spans"] = [[s.span_id, s.start, s.end] for s in b.spans]
            blocks.append(entry)
        doc = {"format": SKELETON_FORMAT, "source_lang": self.source_lang, "title": self.title, "blocks": blocks}
        return json.dumps(doc, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, data: str) -> ProtectedDocument:
        """Read a skeleton written by `to_json`; AmtsError if it is not one."""
        try:
            doc = json.loads(data)
            if doc.get("format") != SKELETON_FORMAT:
                raise AmtsError(f"not a protected-document skeleton (format {doc.get('format')!r})")
            blocks = tuple(
                SkeletonBlock(
                    kind=BlockKind(b["kind"]),
                    raw=b["raw"],
                    start_line=int(b["line"]),
                    prefix=b.get("prefix", ""),
                    text=b.get("text", ""),
                    spans=tuple(ProtectedSpan(int(k), int(s), int(e)) for k, s, e in b.get("spans", [])),
                    suffix=b.get("suffix", ""),
                )
                for b in doc["blocks"]
            )
            return cls(blocks, str(doc.get("source_lang", "en")), str(doc.get("title", "")))
        except AmtsError:
            raise
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise AmtsError(f"damaged protected-document skeleton: {exc}") from exc


@dataclass(frozen=True, slots=True)
class RestoredDocument:
    """The Markdown rebuilt from a translation, with what went wrong on the way (never fatal).

    A warning's line is the block's first line in the source section; 0 for the document as a whole.
    """

    text: str
    warnings: tuple[MarkdownWarning, ...] = ()


# --- Markdown → HTML ------------------------------------------------------------------------------


def markdown_to_html(text: str, *, title: str = "", source_lang: str = "en") -> ProtectedDocument:
    """Cut a Markdown section into the HTML to translate and the skeleton that restores it."""
    blocks: list[SkeletonBlock] = []
    next_span_id = 0
    for block in parse_markdown(text).blocks:
        skeleton = _skeleton_block(block, source_lang, next_span_id)
        next_span_id += len(skeleton.spans)
        blocks.append(skeleton)
    return ProtectedDocument(tuple(blocks), source_lang, title)


def _skeleton_block(block: Block, source_lang: str, first_span_id: int) -> SkeletonBlock:
    suffix = ""
    if block.kind == BlockKind.IMAGE and (image := _IMAGE.fullmatch(block.raw.rstrip("\r\n"))):
        prefix, suffix = image.group("open"), image.group("close")
        lines = [line.strip() for line in image.group("caption").splitlines() if line.strip()]
    elif block.is_prose:
        prefix = block.prefix or block.raw[: len(block.raw) - len(block.raw.lstrip(" \t"))]
        lines = block.prose_lines()
    else:
        return SkeletonBlock(block.kind, block.raw, block.start_line)
    unit_text = join_lines(lines, source_lang)
    found = markup_spans(unit_text)
    spans = tuple(ProtectedSpan(first_span_id + k, start, end) for k, (start, end) in enumerate(found))
    outside = [unit_text[a:b] for a, b in _gaps(unit_text, spans)]
    if not any(_WORD_CHAR.search(run) for run in outside):
        # Nothing to translate (e.g. a line of math and code): keep it out of the bill.
        return SkeletonBlock(block.kind, block.raw, block.start_line)
    return SkeletonBlock(block.kind, block.raw, block.start_line, prefix, unit_text, spans, suffix)


def _gaps(text: str, spans: tuple[ProtectedSpan, ...]) -> list[tuple[int, int]]:
    bounds = [0] + [x for s in spans for x in (s.start, s.end)] + [len(text)]
    return list(zip(bounds[::2], bounds[1::2]))


def _unit_tag(block: SkeletonBlock) -> str:
    if block.kind == BlockKind.HEADING:
        return f"h{min(6, block.prefix.count('#')) or 1}"
    return "li" if block.kind == BlockKind.LIST_ITEM else "p"


def _list_tag(block: SkeletonBlock) -> str:
    return "ol" if block.prefix.strip()[:1].isdigit() else "ul"


def _html_unit(index: int, block: SkeletonBlock) -> HtmlUnit:
    tag = _unit_tag(block)
    parts: list[UnitPart] = [p if isinstance(p, str) else (p.span_id, block.text[p.start:p.end])
                             for p in block.parts()]
    return HtmlUnit(index, tag, tuple(parts), _list_tag(block) if tag == "li" else "")


# --- translated HTML → Markdown -------------------------------------------------------------------


def html_to_markdown(translated_html: str, skeleton: ProtectedDocument, *, target_lang: str) -> RestoredDocument:
    """Rebuild the Markdown section from its translated HTML; problems become warnings, never errors."""
    parsed = read_translation(translated_html)
    warnings = [MarkdownWarning(f"translated HTML: {p}", 0) for p in parsed.problems]
    home_of_span = {s.span_id: (i, s) for i, b in enumerate(skeleton.blocks) for s in b.spans}
    span_texts = skeleton.span_texts()

    units: dict[int, TranslatedUnit] = {}
    for unit in parsed.units:
        block = skeleton.blocks[unit.block_index] if 0 <= unit.block_index < len(skeleton.blocks) else None
        if block is None or not block.is_unit:
            warnings.append(MarkdownWarning(f"translated HTML names unknown block {unit.block_index}; ignored", 0))
        elif unit.block_index in units:
            warnings.append(MarkdownWarning("block translated twice; the first translation is kept", block.start_line))
        else:
            units[unit.block_index] = unit

    # Which spans the translation kept, and where: each span is placed once, from the skeleton.
    seen: set[int] = set()
    resolved: dict[int, list[str | ProtectedSpan]] = {}
    for index, unit in sorted(units.items()):
        line = skeleton.blocks[index].start_line
        parts: list[str | ProtectedSpan] = []
        for piece in unit.pieces:
            if isinstance(piece, str):
                parts.append(piece)
            elif piece.span_id not in home_of_span:
                warnings.append(MarkdownWarning(f"unknown protected span data-p={piece.span_id}; kept its text", line))
                parts.append(piece.text)
            elif piece.span_id in seen:
                warnings.append(MarkdownWarning(f"protected span {piece.span_id} repeated; extra copy dropped", line))
            else:
                seen.add(piece.span_id)
                home, span = home_of_span[piece.span_id]
                if home != index:
                    warnings.append(MarkdownWarning(f"protected span {piece.span_id} moved from line "
                                                    f"{skeleton.blocks[home].start_line} into this block", line))
                parts.append(span)
        resolved[index] = parts

    out: list[str] = []
    for index, block in enumerate(skeleton.blocks):
        if not block.is_unit:
            out.append(block.raw)
            continue
        if index not in resolved:
            warnings.append(MarkdownWarning("block missing from the translation; source text kept", block.start_line))
            out.append(block.raw)
            continue
        parts = resolved[index]
        lost = [s for s in block.spans if s.span_id not in seen]
        if lost:
            ids = ", ".join(str(s.span_id) for s in lost)
            warnings.append(MarkdownWarning(f"protected span(s) {ids} lost in translation; put back by "
                                            "position, check the wording around them", block.start_line))
            parts = _put_back_lost_spans(parts, lost, block, target_lang)
        out.append(_restore_block(block, parts, span_texts, target_lang, skeleton.source_lang, warnings))
    return RestoredDocument("".join(out), tuple(warnings))


def _put_back_lost_spans(parts: list[str | ProtectedSpan], lost: list[ProtectedSpan], block: SkeletonBlock,
                         target_lang: str) -> list[str | ProtectedSpan]:
    """Insert each lost span after the kept span that preceded it in the source, else at the nearer end."""
    parts = list(parts)
    glue = "" if is_cjk_language(target_lang) else " "
    for span in lost:
        before = [i for i, p in enumerate(parts) if isinstance(p, ProtectedSpan) and p.span_id < span.span_id]
        after = [i for i, p in enumerate(parts) if isinstance(p, ProtectedSpan) and p.span_id > span.span_id]
        if before:
            parts.insert(before[-1] + 1, span)
        elif after:
            parts.insert(after[0], span)
        elif span.start < len(block.text) / 2:
            parts[:0] = [span, glue]
        else:
            parts += [glue, span]
    return parts


def _restore_block(block: SkeletonBlock, parts: list[str | ProtectedSpan], span_texts: dict[int, str],
                   target_lang: str, source_lang: str, warnings: list[MarkdownWarning]) -> str:
    def glued(span: ProtectedSpan) -> tuple[bool, bool]:
        return glued_in(block.text, span.start, span.end)

    unspaced, _ = undo_span_spacing(parts, glued, target_lang, everywhere=True)
    exact = "".join(p if isinstance(p, str) else span_texts[p.span_id] for p in unspaced)
    if exact == block.text:
        return block.raw  # untranslated: the original lines, breaks and trailing spaces included
    parts, unsure = undo_span_spacing(parts, glued, target_lang)
    if unsure and not is_cjk_language(source_lang):
        warnings.append(MarkdownWarning(f"{unsure} space(s) next to protected spans where the source had "
                                        "none: kept (the translator's, or Amazon's spacing quirk?)",
                                        block.start_line))
    text, ranges = _normalised(parts, span_texts)
    source_text, _ = _normalised(block.parts(), span_texts)
    if text == source_text:
        return block.raw  # untranslated, but the translator reflowed whitespace
    if not text:
        warnings.append(MarkdownWarning("block translated to nothing; source text kept", block.start_line))
        return block.raw
    return _lay_out(block, text, ranges, target_lang, warnings)


def _normalised(parts: list[str | ProtectedSpan], span_texts: dict[int, str]) -> tuple[str, list[tuple[int, int]]]:
    """The text with whitespace runs outside spans made single spaces, and the spans' (start, end)."""
    out: list[str] = []
    ranges: list[tuple[int, int]] = []
    at = 0
    for part in parts:
        piece = span_texts[part.span_id] if isinstance(part, ProtectedSpan) else _WHITESPACE_RUN.sub(" ", part)
        if not isinstance(part, ProtectedSpan) and out and out[-1].endswith(" ") and piece.startswith(" "):
            piece = piece[1:]
        if isinstance(part, ProtectedSpan):
            ranges.append((at, at + len(piece)))
        out.append(piece)
        at += len(piece)
    text = "".join(out)
    lead = len(text) - len(text.lstrip())
    stripped = text.strip()
    return stripped, [(s - lead, e - lead) for s, e in ranges]


def _lay_out(block: SkeletonBlock, text: str, ranges: list[tuple[int, int]], target_lang: str,
             warnings: list[MarkdownWarning]) -> str:
    """The translated block as Markdown lines: its prefix, then one sentence a line (headings: one line)."""
    lines = block.raw.splitlines(keepends=True)
    first = lines[0]
    newline = first[len(first.rstrip("\r\n")):] or "\n"
    last = lines[-1]
    final_newline = last[len(last.rstrip("\r\n")):]
    if len(lines) > 1:
        indent = lines[1][: len(lines[1]) - len(lines[1].lstrip(" \t"))]
    else:
        indent = " " * len(block.prefix) if block.kind == BlockKind.LIST_ITEM else block.prefix
    one_line = block.kind in {BlockKind.HEADING, BlockKind.IMAGE}
    sentences = [text] if one_line else split_sentences(text, ranges, target_lang)
    for candidate in (sentences, [text]):
        body = block.prefix + (newline + indent).join(candidate) + block.suffix + final_newline
        reparsed = [b for b in parse_markdown(body).blocks if b.kind != BlockKind.BLANK]
        if len(reparsed) == 1 and reparsed[0].kind == block.kind:
            return body
    warnings.append(MarkdownWarning(f"translated {block.kind.value} no longer reads as one; check its Markdown",
                                    block.start_line))
    return body
