"""Three-way merge of a block's lines: old source, new source, and the translation's own copy.

A code cell (or math, a table, a directive) that upstream changed is merged into the translated
copy line by line, the way diff3 merges: every line upstream changed is changed in the
translation too, where the translation still has that line as it was; a line the translator
changed (a translated comment or docstring, the translator's own code fix) stays unless upstream
changed that very line. When both changed it, that is a conflict:
- a comment the translator translated and upstream reworded keeps its translation, marked for
  review with upstream's new English (the translation is stale, not wrong code);
- anything else takes upstream's lines and is marked for review (the code must be upstream's).
Lines are compared without their line endings and trailing spaces; the lines written from
upstream get the translation's line ending.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from rapidfuzz.distance import Indel

from amts.engine.align.matching import ordered_matching

_Opcode = tuple[str, int, int, int, int]
_Opcodes = Sequence[_Opcode]


@dataclass(frozen=True, slots=True)
class LineConflict:
    """Lines both upstream and the translator changed."""

    old: tuple[str, ...]  # the old source's lines
    new: tuple[str, ...]  # upstream's lines
    previous: tuple[str, ...]  # the translation's lines
    kept: bool  # True: the translation's lines stay (a stale comment); False: upstream's replace them
    line: int  # 0-based line of the merged block where they are


@dataclass(frozen=True, slots=True)
class LineMerge:
    text: str  # the merged block, line endings included
    conflicts: tuple[LineConflict, ...]
    upstream_lines: int  # lines of the translation replaced, removed or added by upstream's change


def is_comment_line(line: str) -> bool:
    """A Python comment or a one-line docstring: text a translator translates, not code."""
    stripped = line.strip()
    if stripped.startswith("#"):
        return not stripped.startswith("#@")
    for quote in ('"""', "'''"):
        if len(stripped) >= 6 and stripped.startswith(quote) and stripped.endswith(quote):
            return True
    return False


def split_comment(line: str) -> tuple[str, str]:
    """A Python line cut into code and `# comment` (a `#` inside a string is code)."""
    quote = ""
    for k, ch in enumerate(line):
        if quote:
            if ch == quote and line[k - 1] != "\\":
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch == "#":
            return line[:k].rstrip(), line[k:]
    return line.rstrip(), ""


def _comment_words(lines: list[str]) -> list[str]:
    """The words of the comments of some lines (what a reworded comment changes)."""
    return [w.strip(".,;:!?").lower() for line in lines for w in split_comment(line)[1].lstrip("#").split()]


def _same_code(translated: list[str], upstream: list[str]) -> bool:
    """Whether the translation's lines are upstream's but for their comments."""
    return len(translated) == len(upstream) and all(
        split_comment(a)[0] == split_comment(b)[0] for a, b in zip(translated, upstream))


def _comment_only(*runs: list[str]) -> bool:
    lines = [line for run in runs for line in run if line.strip()]
    return bool(lines) and all(is_comment_line(line) for line in lines)


def opcode_start(opcodes: _Opcodes, p: int, size: int) -> int:
    """Where line p of the first sequence is in the second (its first counterpart line)."""
    for tag, i1, i2, j1, _ in opcodes:
        if i1 <= p < i2:
            return j1 + (p - i1) if tag == "equal" else j1
    return size


def opcode_end(opcodes: _Opcodes, p: int) -> int:
    """Where the second sequence is just after line p-1 of the first (0 when p is 0)."""
    if p == 0:
        return 0
    for tag, i1, i2, j1, j2 in opcodes:
        if i1 <= p - 1 < i2:
            return j1 + (p - i1) if tag == "equal" else j2
    return opcodes[-1][4] if opcodes else 0


_Region = tuple[int, int, bool, tuple[int, int] | None]


def _regions(hunks: _Opcodes, chunks: list[tuple[int, int]]) -> list[_Region]:
    """Upstream's hunks as regions of old lines: grown over every translator-changed run they
    touch (a conflict), overlapping ones merged. A pure insertion keeps its own new lines."""
    grown: list[list] = []
    for _, a1, a2, b1, b2 in hunks:
        lo, hi, conflict = a1, a2, False
        changed = a1 < a2
        while changed:
            changed = False
            for c1, c2 in chunks:
                if c1 < hi and lo < c2:
                    conflict = True
                    if c1 < lo or c2 > hi:
                        lo, hi, changed = min(lo, c1), max(hi, c2), True
        grown.append([lo, hi, conflict, (b1, b2) if a1 == a2 else None])
    merged: list[list] = []
    for region in grown:
        last = merged[-1] if merged else None
        if last is not None and (region[0] < last[1] or (region[0] == region[1] and last[0] < region[0] < last[1])):
            last[1], last[2], last[3] = max(last[1], region[1]), last[2] or region[2], None
        else:
            merged.append(region)
    return [(a, b, c, r) for a, b, c, r in merged]


def _kind(line: str) -> str:
    return "blank" if not line.strip() else "comment" if is_comment_line(line) else "code"


def _items(lines: list[str]) -> list[tuple[int, int, str]]:
    """Lines as items: a run of comment lines is one item, so is a run of code lines (a line the
    translator split in two is one change), a blank line one of its own."""
    items: list[tuple[int, int, str]] = []
    for k, line in enumerate(lines):
        kind = _kind(line)
        if kind != "blank" and items and items[-1][2] == kind and items[-1][1] == k:
            items[-1] = (items[-1][0], k + 1, kind)
        else:
            items.append((k, k + 1, kind))
    return items


def _refined(opcodes: list, o: list[str], t: list[str]) -> list[_Opcode]:
    """The translator's replaced runs cut finer: a translated comment and the code line under it
    are separate changes, so upstream changing the code does not touch the comment."""
    out: list[_Opcode] = []
    for tag, i1, i2, j1, j2 in opcodes:
        if tag != "replace":
            out.append((tag, i1, i2, j1, j2))
            continue
        left, right = _items(o[i1:i2]), _items(t[j1:j2])
        weights = [[_item_weight(a, b, o[i1:i2], t[j1:j2]) for b in right] for a in left]
        a_at, b_at = i1, j1
        for a, b in ordered_matching(weights):
            (a1, a2, _), (b1, b2, _) = left[a], right[b]
            if (a_at, b_at) != (i1 + a1, j1 + b1):
                out.append(_op(a_at, i1 + a1, b_at, j1 + b1))
            out.append(_op(i1 + a1, i1 + a2, j1 + b1, j1 + b2, o, t))
            a_at, b_at = i1 + a2, j1 + b2
        if (a_at, b_at) != (i2, j2):
            out.append(_op(a_at, i2, b_at, j2))
    return out


def _op(i1: int, i2: int, j1: int, j2: int, o: list[str] | None = None, t: list[str] | None = None) -> _Opcode:
    if o is not None and t is not None and o[i1:i2] == t[j1:j2]:
        return ("equal", i1, i2, j1, j2)
    return ("replace" if i2 > i1 and j2 > j1 else "delete" if i2 > i1 else "insert", i1, i2, j1, j2)


def _item_weight(a: tuple[int, int, str], b: tuple[int, int, str], o: list[str], t: list[str]) -> float:
    if a[2] != b[2]:
        return 0.0
    if a[2] != "code":
        return 1.0
    similarity = Indel.normalized_similarity(" ".join(o[a[0]:a[1]]).strip(), " ".join(t[b[0]:b[1]]).strip())
    return 0.5 + similarity if similarity >= 0.3 else 0.0


def merge_lines(old: str, new: str, translated: str, eol: str, code: bool = True) -> LineMerge:
    """Merge upstream's change (old → new) into the translation's copy of the block."""
    o = [line.rstrip() for line in old.splitlines()]
    n_raw = new.splitlines()
    n = [line.rstrip() for line in n_raw]
    t_raw = translated.splitlines(keepends=True)
    t = [line.rstrip() for line in t_raw]
    ot = _refined(SequenceMatcher(None, o, t, autojunk=False).get_opcodes(), o, t)
    on = SequenceMatcher(None, o, n, autojunk=False).get_opcodes()
    chunks = [(i1, i2) for tag, i1, i2, _, _ in ot if tag != "equal" and i1 < i2]  # the translator's
    hunks = [op for op in on if op[0] != "equal"]
    replacements: list[tuple[int, int, list[str], LineConflict | None]] = []
    kept: list[LineConflict] = []
    for a1, a2, conflict, inserted in _regions(hunks, chunks):
        if inserted is not None:
            b1, b2 = inserted
            c1 = c2 = opcode_end(ot, a1)
        else:
            b1, b2 = opcode_start(on, a1, len(n)), opcode_end(on, a2) if a2 > a1 else opcode_start(on, a1, len(n))
            c1, c2 = opcode_start(ot, a1, len(t)), opcode_end(ot, a2)
            c2 = max(c1, c2)
        lines = [line + eol for line in n_raw[b1:b2]]
        if conflict and t[c1:c2] == n[b1:b2]:
            continue  # the translator made upstream's change already
        if conflict and code and _same_code(t[c1:c2], n[b1:b2]):
            # The translator made upstream's code change already; their comments stay, marked
            # only when upstream reworded the English ones.
            if _comment_words(o[a1:a2]) != _comment_words(n[b1:b2]):
                kept.append(LineConflict(tuple(o[a1:a2]), tuple(n_raw[b1:b2]), tuple(t[c1:c2]), True, c1))
            continue
        if not conflict:
            replacements.append((c1, c2, lines, None))
            continue
        record = LineConflict(tuple(o[a1:a2]), tuple(n_raw[b1:b2]), tuple(t[c1:c2]),
                              code and _comment_only(o[a1:a2], n[b1:b2], t[c1:c2]), c1)
        if record.kept:
            kept.append(record)
        else:
            replacements.append((c1, c2, lines, record))
    out = list(t_raw)
    conflicts = list(kept)
    upstream_lines = shift = 0
    for c1, c2, lines, replaced in replacements:
        if c2 == len(t_raw) and lines and t_raw and not t_raw[-1].endswith(("\n", "\r")):
            lines[-1] = lines[-1].rstrip("\r\n")  # the block ended without a line break: so does this
        out[c1 + shift:c2 + shift] = lines
        upstream_lines += max(c2 - c1, len(lines))
        if replaced is not None:
            conflicts.append(LineConflict(replaced.old, replaced.new, replaced.previous, False, c1 + shift))
        shift += len(lines) - (c2 - c1)
    for k, record in enumerate(conflicts):
        if record.kept:  # its line in the merged block: shifted by the replacements above it
            moved = sum(len(lines) - (c2 - c1) for c1, c2, lines, _ in replacements if c2 <= record.line)
            conflicts[k] = LineConflict(record.old, record.new, record.previous, True, record.line + moved)
    conflicts.sort(key=lambda c: c.line)
    return LineMerge("".join(out), tuple(conflicts), upstream_lines)
