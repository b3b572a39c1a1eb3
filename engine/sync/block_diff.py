"""What changed between the old and the new source, block by block.

difflib over block fingerprints (kind + text with whitespace normalised; code keeps its
indentation), blank lines ignored: a blank line added or removed, a trailing space or a line
ending changed upstream is no change at all. Inside a changed run, blocks are paired by kind and
similarity (an order-preserving DP), so that an edited paragraph or code cell meets its old self.
"""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

from rapidfuzz import fuzz
from rapidfuzz.process import cdist

from amts.engine.align.matching import ordered_matching
from amts.engine.markup.markdown import Block, BlockKind, Document, protected_spans
from amts.engine.markup.segment import base_lang
from amts.engine.sync.structure import code_lines, structure_similarity
from amts.engine.sync.translation_map import normalise

BLOCK_PAIR_THRESHOLD = 35.0  # two prose blocks below this similarity are a deletion + a new block


def fingerprint(block: Block) -> str:
    """What must be equal for a block to be unchanged."""
    if block.kind in (BlockKind.CODE, BlockKind.MATH, BlockKind.TABLE):
        return f"{block.kind}|" + "\n".join(code_lines(block)).strip("\n")
    return f"{block.kind}|{block.prefix.strip()}|{normalise(block.raw)}"


def block_similarities(olds: list[Block], news: list[Block]) -> list[list[float]]:
    """0..100 for every pair (the prose ones in one rapidfuzz call); 0 when two blocks can never
    be one edited block. Headings always can: a heading reworded is still that heading."""
    prose = cdist([_normalised(b.raw) if b.is_prose else "" for b in olds],
                  [_normalised(b.raw) if b.is_prose else "" for b in news], scorer=fuzz.ratio, workers=1)
    weights = [[0.0] * len(news) for _ in olds]
    for a, x in enumerate(olds):
        for b, y in enumerate(news):
            if x.is_prose != y.is_prose or (x.kind == BlockKind.HEADING) != (y.kind == BlockKind.HEADING):
                continue
            if not x.is_prose:
                weights[a][b] = 100.0 * structure_similarity(x, y) if x.kind == y.kind else 0.0
            elif x.kind == BlockKind.HEADING:
                weights[a][b] = max(1.0, float(prose[a][b]))
            elif prose[a][b] >= BLOCK_PAIR_THRESHOLD:
                weights[a][b] = float(prose[a][b])
    return weights


@lru_cache(maxsize=65536)
def _normalised(text: str) -> str:
    return normalise(text)


@dataclass(frozen=True)
class BlockDiff:
    """New block → (old block, equal?), old block → (new block, equal?), and old blocks deleted."""

    new_to_old: dict[int, tuple[int, bool]]
    old_to_new: dict[int, tuple[int, bool]]
    deleted: tuple[int, ...]

    def inserted(self, new: Document) -> list[int]:
        return [j for j, b in enumerate(new.blocks) if b.kind != BlockKind.BLANK and j not in self.new_to_old]


def diff_blocks(old: Document, new: Document) -> BlockDiff:
    """Content blocks first, directive lines second (within the stretches between paired content
    blocks): a `:begin_tab:` that moved past a heading is the directive that moved, not the heading."""
    def items(doc: Document, directives: bool) -> list[int]:
        return [i for i, b in enumerate(doc.blocks)
                if b.kind != BlockKind.BLANK and (b.kind == BlockKind.DIRECTIVE) == directives]

    paired = _pair_runs(old, new, items(old, False), items(new, False))
    anchors = sorted((i, j) for j, (i, _) in paired.items())
    old_directives, new_directives = items(old, True), items(new, True)
    bounds = [(-1, -1), *anchors, (len(old.blocks), len(new.blocks))]
    for (i1, j1), (i2, j2) in zip(bounds, bounds[1:]):
        paired.update(_pair_runs(old, new, [i for i in old_directives if i1 < i < i2],
                                 [j for j in new_directives if j1 < j < j2]))
    used = {i: (j, equal) for j, (i, equal) in paired.items()}
    deleted = tuple(i for i, b in enumerate(old.blocks) if b.kind != BlockKind.BLANK and i not in used)
    return BlockDiff(paired, used, deleted)


def _pair_runs(old: Document, new: Document, old_items: list[int], new_items: list[int]) -> dict[int, tuple[int, bool]]:
    """New block → (old block, equal?) over two lists of blocks: difflib, then pairing by
    similarity inside each replaced run."""
    paired: dict[int, tuple[int, bool]] = {}
    if not old_items or not new_items:
        return paired
    matcher = SequenceMatcher(None, [fingerprint(old.blocks[i]) for i in old_items],
                              [fingerprint(new.blocks[j]) for j in new_items], autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for i, j in zip(old_items[i1:i2], new_items[j1:j2]):
                paired[j] = (i, True)
        elif tag == "replace":
            olds, news = old_items[i1:i2], new_items[j1:j2]
            weights = block_similarities([old.blocks[i] for i in olds], [new.blocks[j] for j in news])
            for a, b in ordered_matching(weights):
                paired[news[b]] = (olds[a], False)
    return paired


#: Every protected span holds one of these (a text with none skips the slow span scan).
_SPAN_SIGNS = ("`", "$", "**", "](", "<", "http")


def plain_text(text: str) -> str:
    """The text outside its protected spans (code, math, roles, links, markup)."""
    if not any(sign in text for sign in _SPAN_SIGNS):
        return text
    plain, position = [], 0
    for span in protected_spans(text):
        plain.append(text[position:span.start])
        position = span.end
    plain.append(text[position:])
    return " ".join(plain)


@lru_cache(maxsize=65536)
def word_count(text: str, lang: str) -> int:
    """Words a translator writes: outside protected spans; a CJK character counts as a word."""
    joined = plain_text(text)
    if base_lang(lang) in ("zh", "ja"):
        cjk = sum(1 for ch in joined if "\u3400" <= ch <= "\u9fff")
        return cjk + sum(1 for w in joined.split() if any(c.isalnum() and ord(c) < 0x3000 for c in w))
    return len(joined.split())


def similarity(old: str, new: str) -> float:
    """How much of an old unit survives in a new one, 0..100: rapidfuzz's ratio, or, for a unit
    that was extended or cut (one at least a third the other's length), its token-set ratio
    discounted by a tenth."""
    a, b = normalise(old), normalise(new)
    score = fuzz.ratio(a, b)
    if a and b and min(len(a), len(b)) * 3 >= max(len(a), len(b)):
        score = max(score, 0.9 * fuzz.token_set_ratio(a, b))
    return score
