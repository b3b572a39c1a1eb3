"""What the human translation says for each piece of the old source: the map a sync reuses from.

Built from `amts.engine.align.document.align_document` on the old source (`NAME_origin.md`) and its translation
(`NAME.md`): every prose block of the old source → the target blocks of its paragraph group,
every old sentence → the target text of its sentence bead, and every structural block that
carries words (image, link line, table, HTML) → its counterpart in the translation, so that a
figure keeps its translated caption. The review comments a previous sync left in the translation
are blanked out first (line for line, so block lines stay valid) and never reach the aligner.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from amts.engine.align.document import align_document
from amts.engine.markup.markdown import Block, BlockKind, Document, parse_markdown
from amts.engine.markup.segment import base_lang, split_sentences

#: Every comment a sync writes starts with "amts:"; all of them are stripped before aligning.
REVIEW_COMMENT = re.compile(r"<!--\s*amts:.*?-->", re.DOTALL)
_CAPTION = re.compile(r"^(\s*!?\[)(.*)(\]\([^)]*\)(?:\{[^}]*\})?\s*)$", re.DOTALL)
_WORDY_STRUCTURE = frozenset({BlockKind.IMAGE, BlockKind.LINK, BlockKind.TABLE, BlockKind.HTML})


def strip_review_comments(text: str) -> str:
    """The text without sync comments; a comment over several lines leaves its line breaks."""
    return REVIEW_COMMENT.sub(lambda m: "\n" * m.group().count("\n"), text)


def normalise(text: str) -> str:
    """Whitespace-insensitive form of a piece of text (what "unchanged" compares)."""
    return " ".join(text.split())


def block_sentences(block: Block, lang: str) -> tuple[str, ...]:
    """A prose block's sentences, split exactly as the aligner splits them (a heading is one)."""
    prose = strip_review_comments(block.prose(lang)).strip()
    if not prose:
        return ()
    return (prose,) if block.kind == BlockKind.HEADING else tuple(split_sentences(prose, lang))


def caption_parts(raw: str) -> tuple[str, str, str] | None:
    """An image or link line cut into (before, caption, after): `![` + caption + `](path)...`."""
    match = _CAPTION.match(raw)
    return (match.group(1), match.group(2), match.group(3)) if match else None


def sentence_joiner(lang: str) -> str:
    return "" if base_lang(lang) in ("zh", "ja") else " "


@dataclass(frozen=True, slots=True)
class Bead:
    """Old-source sentences, as (block index, sentence index), and their human translation.

    `target` is "" when the translator left the sentences out (or merged them elsewhere).
    """

    sentences: tuple[tuple[int, int], ...]
    target: str


@dataclass(frozen=True, slots=True)
class ProseGroup:
    """Old prose blocks and the target blocks that translate them (indices into `blocks`)."""

    source_blocks: tuple[int, ...]
    target_blocks: tuple[int, ...]


@dataclass(frozen=True)
class TranslationMap:
    """The old source, its translation, and what translates what."""

    old: Document
    target: Document
    target_lines: tuple[str, ...]  # the translation's lines as on disk (review comments kept)
    groups: tuple[ProseGroup, ...] = ()
    group_of: dict[int, int] = field(default_factory=dict)  # old block → group
    sentences: dict[int, tuple[str, ...]] = field(default_factory=dict)  # old block → sentences
    beads: tuple[Bead, ...] = ()
    bead_of: dict[tuple[int, int], int] = field(default_factory=dict)  # (old block, sentence) → bead
    counterpart: dict[int, int] = field(default_factory=dict)  # old structural block → target block
    warnings: tuple[str, ...] = ()

    def group_text(self, group: ProseGroup) -> str:
        """The translation of a group as written, from its first target line to its last."""
        first = self.target.blocks[group.target_blocks[0]]
        last = self.target.blocks[group.target_blocks[-1]]
        return "".join(self.target_lines[first.start_line - 1:last.end_line])

    def target_raw(self, index: int) -> str:
        block = self.target.blocks[index]
        return "".join(self.target_lines[block.start_line - 1:block.end_line])


def map_translation(old_text: str, target_text: str, source_lang: str, target_lang: str,
                    path: str = "") -> TranslationMap:
    """Align the old source with its human translation and index the result for reuse."""
    clean_target = strip_review_comments(target_text)
    old, target = parse_markdown(old_text), parse_markdown(clean_target)
    lines = tuple(target_text.splitlines(keepends=True))
    alignment = align_document(old_text, clean_target, source_lang, target_lang, path)
    warnings: list[str] = []
    groups = _groups(alignment.paragraph_pairs, old, target, warnings)
    sentences = {i: block_sentences(b, source_lang) for i, b in enumerate(old.blocks) if b.is_prose}
    beads, bead_of = _beads(alignment.sentence_pairs, groups, old, target, sentences,
                            source_lang, target_lang, warnings)
    group_of = {i: g for g, group in enumerate(groups) for i in group.source_blocks}
    return TranslationMap(old, target, lines, tuple(groups), group_of, sentences, tuple(beads), bead_of,
                          _structure_counterparts(old, target), tuple(warnings))


def _bead_shape(bead: str) -> tuple[int, int]:
    a, _, b = bead.partition("-")
    return int(a), int(b)


def _run(prose: list[int], by_line: dict[int, int], line: int, count: int) -> tuple[int, ...] | None:
    """`count` consecutive prose blocks starting at the block that starts on `line`."""
    if count == 0:
        return ()
    start = by_line.get(line)
    if start is None or start + count > len(prose):
        return None
    return tuple(prose[start:start + count])


def _groups(paragraph_pairs, old: Document, target: Document, warnings: list[str]) -> list[ProseGroup]:
    old_prose = [i for i, b in enumerate(old.blocks) if b.is_prose]
    target_prose = [i for i, b in enumerate(target.blocks) if b.is_prose]
    old_by_line = {old.blocks[i].start_line: k for k, i in enumerate(old_prose)}
    target_by_line = {target.blocks[i].start_line: k for k, i in enumerate(target_prose)}
    groups = []
    for pair in paragraph_pairs:
        a, b = _bead_shape(pair.bead)
        source = _run(old_prose, old_by_line, pair.source_line, a)
        translation = _run(target_prose, target_by_line, pair.target_line, b)
        if source is None or translation is None:
            warnings.append(f"alignment names a paragraph at line {pair.source_line} that the sync "
                            "cannot find: its translation is not reused")
            return []
        groups.append(ProseGroup(source, translation))
    return groups


def _beads(sentence_pairs, groups: list[ProseGroup], old: Document, target: Document,
           sentences: dict[int, tuple[str, ...]], source_lang: str, target_lang: str,
           warnings: list[str]) -> tuple[list[Bead], dict[tuple[int, int], int]]:
    """Give each sentence pair back its sentence indices (pairs come group by group, in order)."""
    beads: list[Bead] = []
    bead_of: dict[tuple[int, int], int] = {}
    source_join = sentence_joiner(source_lang)
    position = 0
    for group in groups:
        ids = [(i, k) for i in group.source_blocks for k in range(len(sentences[i]))]
        texts = [sentences[i][k] for i, k in ids]
        target_left = sum(len(block_sentences(target.blocks[t], target_lang)) for t in group.target_blocks)
        taken = 0
        while taken < len(ids) or target_left > 0:
            if position >= len(sentence_pairs):
                warnings.append("sentence alignment ended early: later sentences are not reused")
                return beads, bead_of
            pair = sentence_pairs[position]
            position += 1
            a, b = _bead_shape(pair.bead)
            if source_join.join(texts[taken:taken + a]) != pair.source:
                warnings.append(f"sentence alignment disagrees at line {pair.source_line}: "
                                "later sentences are not reused")
                return beads, bead_of
            bead = Bead(tuple(ids[taken:taken + a]), pair.target)
            for sentence_id in bead.sentences:
                bead_of[sentence_id] = len(beads)
            beads.append(bead)
            taken += a
            target_left -= b
    return beads, bead_of


def _structure_key(block: Block) -> tuple[str, str]:
    if block.kind in (BlockKind.IMAGE, BlockKind.LINK):
        parts = caption_parts(block.raw)
        return str(block.kind), parts[2].strip() if parts and block.kind == BlockKind.IMAGE else ""
    if block.kind == BlockKind.TABLE:
        return str(block.kind), ""
    return str(block.kind), normalise(block.raw)


def _structure_counterparts(old: Document, target: Document) -> dict[int, int]:
    """Old image/link/table/HTML blocks → the translation's, by order, kind and image path."""
    old_items = [i for i, b in enumerate(old.blocks) if b.kind in _WORDY_STRUCTURE]
    target_items = [i for i, b in enumerate(target.blocks) if b.kind in _WORDY_STRUCTURE]
    old_keys = [_structure_key(old.blocks[i]) for i in old_items]
    target_keys = [_structure_key(target.blocks[i]) for i in target_items]
    matches: dict[int, int] = {}
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, old_keys, target_keys, autojunk=False).get_opcodes():
        if tag == "equal":
            matches.update(zip(old_items[i1:i2], target_items[j1:j2]))
        elif tag == "replace":
            # Same kind, in order: a figure whose path differs between the two files.
            left = list(range(j1, j2))
            for i in range(i1, i2):
                hit = next((j for j in left if target_keys[j][0] == old_keys[i][0]), None)
                if hit is not None:
                    matches[old_items[i]] = target_items[hit]
                    left = [j for j in left if j > hit]
    return matches
