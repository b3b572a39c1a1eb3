"""The working state of one section's patch: units, edits to NAME.md, and the helpers that add them.

`SectionPlanner` (amts.engine.sync.section) and the prose patching it delegates to
(amts.engine.sync.prose_patch) both write here. Edits are ranges of NAME.md as on disk; text
taken from the new source is given the translation's own line ending first.
"""

from __future__ import annotations

from amts.engine.markup.markdown import BlockKind
from amts.engine.sync.block_diff import word_count
from amts.engine.sync.translation_map import TranslationMap, sentence_joiner
from amts.engine.sync.units import SyncUnit, TextEdit, TextOrigin, UnitAction, UnitStatus

_COMMENT_OPEN = "<!-- amts:"
_COMMENT_CLOSE = "-->"
PREVIOUS_PREFIX = "<!-- amts: previous translation: "


def line_ending(text: str, default: str = "\n") -> str:
    """The line ending most lines of `text` use."""
    crlf = text.count("\r\n")
    lf = text.count("\n") - crlf
    if not crlf and not lf:
        return default
    return "\r\n" if crlf > lf else "\n"


def comment_text(text: str) -> str:
    """Text safe inside an HTML comment on one line (`--` cannot end it early)."""
    return " ".join(text.split()).replace("--", "- -")


def disjoint(edits: list[TextEdit]) -> tuple[TextEdit, ...]:
    """The edits in order, none overlapping another: a deletion that runs into a later edit (the
    blank lines after a removed paragraph where a new block goes) stops where that one starts."""
    ordered = sorted(edits, key=lambda e: (e.start, e.end > e.start))
    out: list[TextEdit] = []
    for edit in ordered:
        if out and edit.start < out[-1].end:
            last = out[-1]
            if not last.parts and last.start <= edit.start:
                out[-1] = TextEdit(last.start, edit.start, ())
                if out[-1].start == out[-1].end:
                    out.pop()
            elif not edit.parts:
                edit = TextEdit(last.end, max(last.end, edit.end), ())
                if edit.start == edit.end:
                    continue
            else:
                edit = TextEdit(last.end, max(last.end, edit.end), edit.parts)
        out.append(edit)
    return tuple(out)


class PatchState:
    """Units and edits of a section being planned (`map` and `line_breaks` are set by the
    planner: the translation map, and whether the translation uses semantic line breaks)."""

    map: TranslationMap
    line_breaks: bool

    def __init__(self, target_text: str, eol: str, source_lang: str, target_lang: str) -> None:
        self.target_text = target_text
        self.eol = eol
        self.source_lang, self.target_lang = source_lang, target_lang
        self.units: list[SyncUnit] = []
        self.edits: list[TextEdit] = []
        self.warnings: list[str] = []
        self.in_place: set[int] = set()  # target blocks a new block takes the place of
        self.removed_blocks: set[int] = set()  # target blocks this patch deletes

    # --- units --------------------------------------------------------------------------------
    def add(self, unit: SyncUnit) -> int:
        self.units.append(unit)
        return len(self.units) - 1

    def unit(self, status: UnitStatus, action: UnitAction, source: str, *, kind: str = "sentence",
             line: int = 0, old_source: str = "", translation: str = "", why: str = "",
             origin: TextOrigin = TextOrigin.HUMAN, score: float = 0.0, words: int | None = None) -> int:
        if words is None:
            words = word_count(source or old_source, self.source_lang) if status != UnitStatus.DELETED else 0
        return self.add(SyncUnit(status, source, translation, origin, old_source, score, line, words, kind,
                                 action, why))

    # --- edits --------------------------------------------------------------------------------
    def edit(self, start: int, end: int, *parts: str | int) -> None:
        self.edits.append(TextEdit(start, end, tuple(p for p in parts if p != "")))

    def to_eol(self, text: str) -> str:
        """Text from the new source with the translation's line ending."""
        text = text.replace("\r\n", "\n")
        return text.replace("\n", self.eol) if self.eol != "\n" else text

    def after_comments(self, position: int) -> int:
        """Past the sync comments (review marker, previous translation) that follow `position`."""
        text = self.target_text
        while text.startswith(_COMMENT_OPEN, position):
            close = text.find(_COMMENT_CLOSE, position)
            if close < 0:
                break
            position = close + len(_COMMENT_CLOSE)
        return position

    def previous_translation(self, start: int, end: int) -> str | None:
        """The human translation an earlier sync attached between `start` and `end`, if any."""
        text = self.target_text[start:end]
        at = text.find(PREVIOUS_PREFIX)
        if at < 0:
            return None
        close = text.find(_COMMENT_CLOSE, at)
        return text[at + len(PREVIOUS_PREFIX):close].strip() if close > 0 else None

    def delete_block(self, mapping: TranslationMap, t: int) -> None:
        """Remove a target block, and the blank lines after it when a blank line precedes it (the
        blank lines before it when it ends the file)."""
        blocks = mapping.target.blocks
        start, end = mapping.block_range(t)
        self.removed_blocks.add(t)
        if t in self.in_place:  # a new block is written here: the blank lines around stay its
            self.edit(start, end, "")
            return
        k = t + 1
        while k < len(blocks) and self._blank(mapping, k):
            k += 1
        if k < len(blocks):
            if t == 0 or self._blank(mapping, t - 1):
                end = mapping.target_starts[k]  # else the block before keeps the blank lines after it
        else:
            p = t - 1
            while p >= 0 and self._blank(mapping, p):
                p -= 1
            start = mapping.target_starts[p + 1]
        self.edit(start, end, "")

    def separator(self, start: int, end: int, t: int) -> str:
        """Between two new units written where one stretch of translation was."""
        if "\n" in self.target_text[start:end] and self.line_breaks:
            return self.eol + self.indent(t)
        return sentence_joiner(self.target_lang)

    def indent(self, t: int) -> str:
        block = self.map.target.blocks[t]
        return " " * len(block.prefix) if block.kind == BlockKind.LIST_ITEM else ""

    def line_separator(self, position: int, t: int, before: bool = False) -> str:
        """A line break when the neighbouring sentence fills its own line in a paragraph with
        semantic line breaks, else "" (the language's joiner is used)."""
        text = self.target_text
        if not self.line_breaks:
            return ""
        if before:
            line_start = text.rfind("\n", 0, position) + 1
            at_edge = not text[line_start:position].strip() and position > self.map.target_starts[t]
        else:
            line_end = text.find("\n", position)
            at_edge = (line_end >= 0 and not text[position:line_end].strip()
                       and line_end + 1 < self.map.block_range(t)[1])
        return self.eol + self.indent(t) if at_edge else ""

    def remove_sentence(self, k: int) -> None:
        """Remove one target sentence: its whole line when it fills one, else it and a space."""
        s = self.map.target_sentences[k]
        text = self.target_text
        start, end = s.start, self.after_comments(s.end)
        line_start = text.rfind("\n", 0, start) + 1
        line_end = text.find("\n", end)
        line_end = len(text) if line_end < 0 else line_end + 1
        block_start = self.map.target_starts[s.block]
        if not text[line_start:start].strip() and not text[end:line_end].strip() and line_start >= block_start:
            self.edit(line_start, line_end, "")
            return
        if sentence_joiner(self.target_lang) == " ":
            if start > 0 and text[start - 1] == " ":
                start -= 1
            elif text[end:end + 1] == " ":
                end += 1
        self.edit(start, end, "")

    @staticmethod
    def _blank(mapping: TranslationMap, k: int) -> bool:
        """A blank line on disk (a line holding only a sync comment is not blank: it is kept)."""
        return mapping.target.blocks[k].kind == BlockKind.BLANK and not mapping.target_raw(k).strip()
