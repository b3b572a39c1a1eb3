"""Structural blocks of a source and its translation: which block of the translation is which.

Code cells, display math, directives, images, links, tables, HTML and front matter hold no prose
to align, but a sync merges upstream's changes into the translation's own copy of each, so it must
find that copy. The translation usually has the same blocks in the same order, give or take the
translator's own (an extra `#@tab paddle` cell, a slide directive) and edits inside them
(translated comments and captions). Blocks are first matched on a coarse key by difflib; blocks
left over between two matches are paired by kind and content similarity, in order.
"""

from __future__ import annotations

from difflib import SequenceMatcher

from rapidfuzz.distance import Indel

from amts.engine.align.matching import ordered_matching
from amts.engine.markup.markdown import Block, BlockKind, Document

_CAPTION_END = "]("
_MAX_PAIRING_CELLS = 40_000  # beyond this, leftover blocks are paired greedily by kind


def is_structural(block: Block) -> bool:
    return not block.is_prose and block.kind != BlockKind.BLANK


def code_lines(block: Block) -> list[str]:
    """A block's lines without line endings or trailing spaces (what a line merge compares)."""
    return [line.rstrip() for line in block.raw.splitlines()]


def _tab_line(lines: list[str]) -> str:
    return lines[1].strip() if len(lines) > 1 and lines[1].strip().startswith("#@tab") else ""


def tab_line(block: Block) -> str:
    """A code cell's `#@tab ...` line ("" when it has none: the default framework)."""
    return _tab_line(code_lines(block))


def tab_frameworks(block: Block) -> set[str]:
    """The frameworks a code cell's `#@tab` line names (empty: no tab line, or not code)."""
    if block.kind != BlockKind.CODE:
        return set()
    line = tab_line(block)
    return {name.strip() for name in line[len("#@tab"):].split(",") if name.strip()} if line else set()


def _first_code_line(lines: list[str]) -> str:
    for line in lines[1:]:
        stripped = line.strip()
        if stripped and not stripped.startswith(("#", '"""', "'''", "```", "~~~")):
            return stripped
    return ""


def _image_target(block: Block) -> str:
    raw = block.raw.strip()
    at = raw.rfind(_CAPTION_END)
    return raw[at:] if at >= 0 else raw


def structure_key(block: Block) -> tuple[str, ...]:
    """What must be equal for two structural blocks to be the same block at first sight."""
    if block.kind == BlockKind.CODE:
        lines = code_lines(block)
        return ("code", lines[0].strip() if lines else "", _tab_line(lines), _first_code_line(lines))
    if block.kind in (BlockKind.IMAGE, BlockKind.LINK):
        return (str(block.kind), _image_target(block))
    if block.kind in (BlockKind.TABLE, BlockKind.FRONT_MATTER):
        return (str(block.kind),)
    return (str(block.kind), " ".join(block.raw.split()))


def structure_similarity(a: Block, b: Block) -> float:
    """0..1 (0: never the same block): how alike two structural blocks are."""
    if a.kind != b.kind:
        return 0.0
    if a.kind == BlockKind.DIRECTIVE:
        return 1.0 if a.raw.strip().split("`")[0] == b.raw.strip().split("`")[0] else 0.0
    if a.kind == BlockKind.CODE:
        lines_a, lines_b = code_lines(a), code_lines(b)
        same_tab = lines_a[:1] == lines_b[:1] and _tab_line(lines_a) == _tab_line(lines_b)
        ratio = Indel.normalized_similarity("\n".join(lines_a[1:]), "\n".join(lines_b[1:]))
        # Cells of another framework tab pair only when most of their text is the same.
        return 0.2 + ratio if same_tab else (ratio if ratio >= 0.6 else 0.0)
    if a.kind in (BlockKind.IMAGE, BlockKind.LINK):
        return 1.0 if _image_target(a) == _image_target(b) else 0.5
    return max(0.01, Indel.normalized_similarity(a.raw.strip(), b.raw.strip()))


def structure_counterparts(old: Document, target: Document) -> dict[int, int]:
    """Old structural block → the translation's (block indices), in order."""
    old_items = [i for i, b in enumerate(old.blocks) if is_structural(b)]
    # A cell for a framework the source never has (d2l-zh's `#@tab paddle`) is the translator's own.
    known = {name for i in old_items for name in tab_frameworks(old.blocks[i])} | {"all"}
    target_items = [i for i, b in enumerate(target.blocks) if is_structural(b)
                    and not (b.kind == BlockKind.CODE and tab_frameworks(b) and not tab_frameworks(b) & known)]
    old_keys = [structure_key(old.blocks[i]) for i in old_items]
    target_keys = [structure_key(target.blocks[i]) for i in target_items]
    if old_keys == target_keys:  # the usual case: the same blocks in the same order
        return dict(zip(old_items, target_items))
    if len(old_items) * len(target_items) <= _MAX_PAIRING_CELLS:
        # One DP over everything: a translation that moved ahead of its source (renamed
        # variables, its own directives) must not let a stray equal key pull the rest askew.
        weights = [[3.0 if ka == kb else structure_similarity(old.blocks[i], target.blocks[j])
                    for j, kb in zip(target_items, target_keys)] for i, ka in zip(old_items, old_keys)]
        return {old_items[a]: target_items[b] for a, b in ordered_matching(weights)}
    matches: dict[int, int] = {}
    matcher = SequenceMatcher(None, old_keys, target_keys, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            matches.update(zip(old_items[i1:i2], target_items[j1:j2]))
        elif tag == "replace":
            olds = [old.blocks[i] for i in old_items[i1:i2]]
            news = [target.blocks[j] for j in target_items[j1:j2]]
            for a, b in pair_in_order(olds, news, structure_similarity):
                matches[old_items[i1 + a]] = target_items[j1 + b]
    return matches


def pair_in_order(left: list[Block], right: list[Block], similarity) -> list[tuple[int, int]]:
    """Order-preserving pairs that maximise the total similarity (greedy when the run is long)."""
    if len(left) * len(right) <= _MAX_PAIRING_CELLS:
        return ordered_matching([[similarity(a, b) for b in right] for a in left])
    pairs, j = [], 0
    for i, block in enumerate(left):
        k = j
        while k < len(right) and similarity(block, right[k]) <= 0.0:
            k += 1
        if k < len(right):
            pairs.append((i, k))
            j = k + 1
    return pairs
