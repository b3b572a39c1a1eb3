"""Where a sync's units are in NAME.md, and the cuts a review makes there: pure functions of text.

amts.engine.sync.review reads and writes the files; this module only finds and cuts. Offsets are
characters of NAME.md as on disk (line endings included), lines are 1-based.
"""

from __future__ import annotations

import bisect
import re

from amts.engine.markup.markdown import BlockKind, parse_markdown
from amts.engine.sync.provenance import entry_needle

_NEWLINE = re.compile("\n")
#: What is left of a line whose only text was the removed unit: a heading's `#`s, a list marker.
_PREFIX_ONLY = re.compile(r"#{1,6}|[*+-]|\d{1,3}[.)]")


def locate_entries(entries: list[dict], text: str) -> list[tuple[dict, int, int]]:
    """(entry, start, end) of every provenance entry that `text` (NAME.md) still holds, in file
    order. Entries with the same text take its occurrences in order, each the one nearest the line
    it was written on; longer texts claim theirs first, so that a unit is never found inside another."""
    lines = LineIndex(text)
    groups: dict[str, list[dict]] = {}
    for entry in entries:
        needle = entry_needle(entry)
        if needle:
            groups.setdefault(needle, []).append(entry)
    claimed = Spans()
    out: list[tuple[dict, int, int]] = []
    for needle in sorted(groups, key=len, reverse=True):
        occurrences = [at for at in _occurrences(text, needle) if not claimed.overlaps(at, at + len(needle))]
        used = -1
        for entry in sorted(groups[needle], key=_recorded_line):
            if used + 1 >= len(occurrences):
                break
            line = _recorded_line(entry)
            used = min(range(used + 1, len(occurrences)),
                       key=lambda k: (abs(lines.line(occurrences[k]) - line), k))
            at = occurrences[used]
            claimed.add(at, at + len(needle))
            out.append((entry, at, at + len(needle)))
    return sorted(out, key=lambda item: item[1])


def _occurrences(text: str, needle: str) -> list[int]:
    out, at = [], text.find(needle)
    while at >= 0:
        out.append(at)
        at = text.find(needle, at + len(needle))
    return out


def _recorded_line(entry: dict) -> int:
    line = entry.get("line")
    return line if isinstance(line, int) else 0


def with_eol(text: str, eol: str) -> str:
    return text.replace("\r\n", "\n").replace("\n", eol)


def line_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The start of the line holding `start` and the end of the one holding `end` (its ending included)."""
    newline = text.find("\n", end)
    return text.rfind("\n", 0, start) + 1, len(text) if newline < 0 else newline + 1


def without_marker_line(text: str, start: int, end: int) -> str:
    """The text without a conflict's marker `text[start:end]`: its whole line when nothing else is on it."""
    a, b = line_bounds(text, start, end)
    if text[a:start].strip() or text[end:b].strip():
        return text[:start] + text[end:]
    return text[:a] + text[b:]


def conflict_lines(text: str, marker_start: int, machine: str, eol: str) -> tuple[int, int] | str:
    """Where the lines the sync left (`machine`) are in the block before a conflict's marker, or why not."""
    if not machine:
        return "the sync left no lines of its own in the block, so there is nowhere to put text back"
    marker_line = line_bounds(text, marker_start, marker_start)[0]
    block_start = block_end = -1
    offset = 0
    for block in parse_markdown(text).blocks:
        end = offset + len(block.raw)
        if end > marker_line:
            break
        if block.kind not in (BlockKind.BLANK, BlockKind.HTML):
            block_start, block_end = offset, end
        offset = end
    lines = with_eol(machine, eol) + eol
    at = text.find(lines, block_start, block_end) if block_start >= 0 else -1
    while at > 0 and text[at - 1] != "\n":
        at = text.find(lines, at + 1, block_end)
    if at < 0:
        return "the lines the sync wrote are no longer in the block before it (changed by hand?)"
    return at, at + len(lines)


def remove_unit(text: str, start: int, end: int) -> tuple[str, int]:
    """The text without `text[start:end]`: with the line when nothing else (or only a heading's
    `#`s, a list marker) is left on it, and a blank line too when the unit made a paragraph of
    its own; else with the space that separated it from the text before (or after) it."""
    a, b = line_bounds(text, start, end)
    before, after = text[a:start], text[end:b].rstrip("\r\n")
    rest = (before + after).strip()
    if not rest or _PREFIX_ONLY.fullmatch(rest):
        out = text[:a] + text[b:]
        previous_line = out.rfind("\n", 0, max(a - 1, 0)) + 1
        next_blank = a == len(out) or not out[a:].split("\n", 1)[0].strip()
        if a > 0 and next_blank and not out[previous_line:a].strip():
            return out[:previous_line] + out[a:], previous_line
        return out, a
    if not before.strip() and after[:1] in (" ", "\t"):
        end += len(after) - len(after.lstrip(" \t"))
    elif before[-1:] in (" ", "\t") and (not after or after[:1] in (" ", "\t")):
        start = a + len(before.rstrip(" \t"))
    return text[:start] + text[end:], start


class LineIndex:
    """1-based line numbers of offsets in a text."""

    def __init__(self, text: str):
        self.starts = [0] + [match.end() for match in _NEWLINE.finditer(text)]

    def line(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset)


class Spans:
    """Disjoint character ranges, kept sorted: does a range overlap one of them?"""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []

    def add(self, start: int, end: int) -> None:
        k = bisect.bisect_left(self.starts, start)
        self.starts.insert(k, start)
        self.ends.insert(k, end)

    def overlaps(self, start: int, end: int) -> bool:
        k = bisect.bisect_left(self.starts, end)  # the ranges starting before `end` ...
        return k > 0 and self.ends[k - 1] > start  # ... the last of which is the only one that can reach it
