"""A model of d2lbook Markdown: blocks with source lines, and the inline spans never to translate.

The parse is lossless: the `raw` text of the blocks, concatenated, is the file byte for byte.
That is what lets markup protection and sync rewrite a file without disturbing what they do not
touch.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum


class BlockKind(StrEnum):
    HEADING = "heading"
    PARAGRAPH = "paragraph"
    LIST_ITEM = "list_item"
    CODE = "code"  # fenced code cell (```{.python .input}, ```toc, ```eval_rst, ...)
    MATH = "math"  # display math $$ ... $$
    IMAGE = "image"  # a line that is only ![caption](path)
    TABLE = "table"
    DIRECTIVE = "directive"  # :label:`x`, :width:`400px`, :begin_tab:`pytorch`, :end_tab:, ...
    LINK = "link"  # a line that is only [text](url), e.g. [Discussions](https://...)
    HTML = "html"  # an HTML block (<!-- ... -->, <center>, ...)
    FRONT_MATTER = "front_matter"  # `---` / `source: ...` / `commit: ...` / `---` at the top of a file
    BLANK = "blank"


#: Blocks whose text is prose to translate and align.
PROSE_KINDS = frozenset({BlockKind.HEADING, BlockKind.PARAGRAPH, BlockKind.LIST_ITEM})


@dataclass(frozen=True, slots=True)
class Block:
    """A run of whole lines of one kind. `raw` includes the line endings."""

    kind: BlockKind
    raw: str
    start_line: int  # 1-based
    end_line: int  # inclusive
    prefix: str = ""  # heading "## " or list marker "* " / "1. " (prose blocks only)
    fence: str = ""  # code cells: the opening fence line, e.g. "```{.python .input}"

    @property
    def is_prose(self) -> bool:
        return self.kind in PROSE_KINDS

    @property
    def lines(self) -> list[str]:
        return self.raw.splitlines()

    def prose_lines(self) -> list[str]:
        """The block's text lines without the heading/list prefix, stripped."""
        lines = self.raw.splitlines()
        if lines and self.prefix:
            lines[0] = lines[0][len(self.prefix):]
        return [line.strip() for line in lines if line.strip()]

    def prose(self, lang: str = "en") -> str:
        """The block's text as one line: semantic line breaks joined as the language joins them."""
        return join_lines(self.prose_lines(), lang)


@dataclass(frozen=True, slots=True)
class MarkdownWarning:
    message: str
    line: int


@dataclass(frozen=True, slots=True)
class Document:
    blocks: tuple[Block, ...]
    warnings: tuple[MarkdownWarning, ...] = field(default=())

    def render(self) -> str:
        return "".join(b.raw for b in self.blocks)

    @property
    def prose_blocks(self) -> list[Block]:
        return [b for b in self.blocks if b.is_prose]


_FENCE = re.compile(r"^(\s{0,3})(`{3,}|~{3,})(.*)$")
# Up to three spaces may come before a heading's `#` (CommonMark): translators write ` # 微分`.
_HEADING = re.compile(r"^( {0,3}#{1,6}[ \t]+)\S")
_LIST_MARKER = re.compile(r"^(\s*(?:[*+-]|\d{1,3}[.)])[ \t]+)\S")
_DIRECTIVE = re.compile(r"^\s*:[A-Za-z_]+:(`[^`]*`)?\s*$")
_IMAGE_LINE = re.compile(r"^\s*!\[.*\]\([^)]*\)(\{[^}]*\})?\s*$")
_IMAGE_END = re.compile(r"\]\([^)]*\)(\{[^}]*\})?\s*$")  # last line of a caption over several lines
_LINK_LINE = re.compile(r"^\s*\[[^\]]*\]\([^)]*\)\s*$")
_HTML_START = re.compile(r"^\s*<(!--|/?[A-Za-z][A-Za-z0-9-]*[\s/>]|/?[A-Za-z][A-Za-z0-9-]*$)")


def _is_block_start(line: str) -> bool:
    """Whether a line starts a block of its own (and so ends a running paragraph)."""
    return bool(
        _FENCE.match(line)
        or line.lstrip().startswith("$$")
        or _HEADING.match(line)
        or _LIST_MARKER.match(line)
        or _DIRECTIVE.match(line)
        or _IMAGE_LINE.match(line)
        or line.lstrip().startswith("|")
    )


def parse_markdown(text: str) -> Document:
    """Parse d2lbook Markdown into blocks. Never raises: oddities become warnings with lines."""
    lines = text.splitlines(keepends=True)
    blocks: list[Block] = []
    warnings: list[MarkdownWarning] = []
    i, n = 0, len(lines)

    def add(kind: BlockKind, start: int, end: int, prefix: str = "", fence: str = "") -> None:
        blocks.append(Block(kind, "".join(lines[start:end]), start + 1, end, prefix, fence))

    front_matter_end = _front_matter_end(lines)
    if front_matter_end is not None:
        add(BlockKind.FRONT_MATTER, 0, front_matter_end + 1)
        i = front_matter_end + 1
    while i < n:
        line = lines[i].rstrip("\r\n")
        stripped = line.strip()
        if not stripped:
            add(BlockKind.BLANK, i, i + 1)
            i += 1
            continue
        fence = _FENCE.match(line)
        if fence:
            marker = fence.group(2)
            j = i + 1
            while j < n:
                close = lines[j].strip()
                if close.startswith(marker[0] * len(marker)) and not close.strip(marker[0]):
                    break
                j += 1
            if j >= n:
                warnings.append(MarkdownWarning(f"code fence {marker} is never closed", i + 1))
                add(BlockKind.CODE, i, n, fence=line)
                i = n
            else:
                add(BlockKind.CODE, i, j + 1, fence=line)
                i = j + 1
            continue
        if stripped.startswith("$$"):
            j = i
            closed = len(stripped) > 2 and stripped.endswith("$$")
            while not closed and j + 1 < n:
                j += 1
                closed = lines[j].rstrip().endswith("$$")
            if not closed:
                warnings.append(MarkdownWarning("display math $$ is never closed", i + 1))
            add(BlockKind.MATH, i, j + 1)
            i = j + 1
            continue
        heading = _HEADING.match(line)
        if heading:
            add(BlockKind.HEADING, i, i + 1, prefix=heading.group(1))
            i += 1
            continue
        if _DIRECTIVE.match(line):
            add(BlockKind.DIRECTIVE, i, i + 1)
            i += 1
            continue
        if _IMAGE_LINE.match(line):
            add(BlockKind.IMAGE, i, i + 1)
            i += 1
            continue
        if stripped.startswith("!["):
            end = _multiline_image_end(lines, i)
            if end is not None:
                add(BlockKind.IMAGE, i, end + 1)
                i = end + 1
                continue
        if _LINK_LINE.match(line):
            add(BlockKind.LINK, i, i + 1)
            i += 1
            continue
        if stripped.startswith("|"):
            j = i
            while j + 1 < n and lines[j + 1].strip().startswith("|"):
                j += 1
            add(BlockKind.TABLE, i, j + 1)
            i = j + 1
            continue
        if _HTML_START.match(line):
            j = i
            while j + 1 < n and lines[j + 1].strip():
                j += 1
            add(BlockKind.HTML, i, j + 1)
            i = j + 1
            continue
        marker = _LIST_MARKER.match(line)
        j = i
        while j + 1 < n:
            nxt = lines[j + 1].rstrip("\r\n")
            if not nxt.strip() or _is_block_start(nxt) or _LINK_LINE.match(nxt):
                break
            j += 1
        if marker:
            add(BlockKind.LIST_ITEM, i, j + 1, prefix=marker.group(1))
        else:
            add(BlockKind.PARAGRAPH, i, j + 1)
        i = j + 1
    return Document(tuple(blocks), tuple(warnings))


_FRONT_MATTER_FIELD = re.compile(r"^[A-Za-z_][\w-]*:")
_FRONT_MATTER_MAX_LINES = 30


def _front_matter_end(lines: list[str]) -> int | None:
    """The closing `---` line of the metadata block d2lbook's translation repos put at the top of
    `NAME_origin.md` (`source:` and `commit:` fields), if the file starts with one."""
    if not lines or lines[0].rstrip("\r\n") != "---":
        return None
    for j in range(1, min(len(lines), _FRONT_MATTER_MAX_LINES)):
        line = lines[j].rstrip("\r\n")
        if line == "---":
            return j if j > 1 else None
        if not _FRONT_MATTER_FIELD.match(line):
            return None
    return None


def _multiline_image_end(lines: list[str], start: int) -> int | None:
    """The last line of an image whose caption runs over several lines (none blank), if it is one."""
    j = start + 1
    while j < len(lines) and lines[j].strip():
        if _IMAGE_END.search(lines[j].rstrip("\r\n")):
            return j
        j += 1
    return None


# --- inline spans that must never be translated -------------------------------------------------

_INLINE_PROTECTED = re.compile(
    r"""
    (?=[:`$\[\](*<h])  # every span starts with one of these: a cheap test before the alternatives
    (?:
      (?P<role>:[A-Za-z_]+:`[^`\n]*`)              # :numref:`sec_x`, :cite:`Key`, :eqref:`eq`
    | (?P<code>(?P<ticks>`+)[^`\n].*?(?P=ticks)) # `inline code`, ``code with ` inside``
    | (?P<math>(?<![\\$])\$(?!\$)(?:\\.|[^$\\\n])+?\$)  # $x_i$ (not $$, not \$)
    | (?P<slide>\[\*\*|\*\*\]|\(\*\*|\*\*\))       # d2l slide markers [** **] (** **)
    | (?P<target>\]\([^)\s]*(?:\s+"[^"]*")?\))     # link / image target ](url "title")
    | (?P<html></?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>|<!--.*?-->)  # inline HTML
    | (?P<url>https?://[^\s)>\]]+)                 # a bare URL
    )
    """,
    re.VERBOSE,
)


@dataclass(frozen=True, slots=True)
class InlineSpan:
    start: int
    end: int
    kind: str  # role | code | math | slide | target | html | url
    text: str


def protected_spans(text: str) -> list[InlineSpan]:
    """The inline spans of a text that must reach the translation byte for byte, in order."""
    return [InlineSpan(m.start(), m.end(), _kind_of(m), m.group()) for m in _INLINE_PROTECTED.finditer(text)]


def _kind_of(match: re.Match[str]) -> str:
    for name in ("role", "code", "math", "slide", "target", "html", "url"):
        if match.group(name) is not None:
            return name
    return "code"


# --- joining semantic line breaks ----------------------------------------------------------------

_CJK = re.compile(r"[\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
CJK_LANGS = frozenset({"zh", "ja", "zh-TW", "zh-CN"})


def is_cjk_char(ch: str) -> bool:
    return bool(_CJK.match(ch))


def join_lines(lines: list[str], lang: str = "en") -> str:
    """Join stripped lines: with a space, except between CJK characters in CJK text."""
    if not lines:
        return ""
    out = lines[0]
    cjk = lang.split("-")[0] in {"zh", "ja"}
    for line in lines[1:]:
        if cjk and (is_cjk_char(out[-1:]) or is_cjk_char(line[:1])):
            out += line
        else:
            out += " " + line
    return out
