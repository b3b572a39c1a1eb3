"""What the human translation holds for each piece of the old source: the map a sync patches through.

Built from `amts.engine.align.document.align_document` on the old source (`NAME_origin.md`) and
its translation (`NAME.md`):
- every prose block of the old source → the target blocks of its paragraph group;
- every old sentence → its sentence bead, and every bead → the exact character ranges of its
  translation in `NAME.md` as on disk, so that a sync replaces one sentence and keeps every other
  byte (line breaks, spacing, comments);
- every structural block (code cell, math, directive, image, link, table, HTML, front matter) →
  its counterpart in the translation (`amts.engine.sync.structure`).
Comments a previous sync left (`<!-- amts: ... -->`) are hidden from the aligner but not from the
offsets: every range points into the text on disk.

The map is a pure function of the two texts and the languages: `to_json`/`from_json` let the plan
keep it in a work directory's cache instead of aligning again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from amts.engine.align.document import SectionAlignment, align_document
from amts.engine.markup.markdown import Block, BlockKind, Document, parse_markdown
from amts.engine.markup.review_comments import REVIEW_COMMENT  # every sync comment: hidden from the aligner
from amts.engine.markup.segment import base_lang, split_sentences
from amts.engine.sync.structure import structure_counterparts

_CAPTION = re.compile(r"^(\s*!?\[)(.*)(\]\([^)]*\)(?:\{[^}]*\})?\s*)$", re.DOTALL)
#: Bump when the map's content changes, so that cached maps are not reused.
MAP_VERSION = "2"


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


def block_offsets(blocks: tuple[Block, ...], text: str) -> tuple[int, ...]:
    """Where each block starts in `text` (by its lines), and the text's length at the end."""
    line_starts = [0]
    for line in text.splitlines(keepends=True):
        line_starts.append(line_starts[-1] + len(line))
    return tuple(line_starts[min(b.start_line - 1, len(line_starts) - 1)] for b in blocks) + (len(text),)


def _clean_with_index(text: str) -> tuple[str, list[int]]:
    """The text without sync comments, and for each of its characters the offset in `text`."""
    clean: list[str] = []
    index: list[int] = []
    position = 0
    for match in REVIEW_COMMENT.finditer(text):
        clean.append(text[position:match.start()])
        index.extend(range(position, match.start()))
        for k, ch in enumerate(match.group()):
            if ch == "\n":
                clean.append("\n")
                index.append(match.start() + k)
        position = match.end()
    clean.append(text[position:])
    index.extend(range(position, len(text)))
    index.append(len(text))
    return "".join(clean), index


def prose_positions(raw: str, prefix: str, lang: str) -> tuple[str, list[int]]:
    """A prose block's text as `Block.prose` makes it, and for each of its characters the offset
    in `raw` (a joining space points at the line break it stands for)."""
    cjk = base_lang(lang) in ("zh", "ja")
    from amts.engine.markup.markdown import is_cjk_char  # the same test join_lines makes

    out: list[str] = []
    positions: list[int] = []
    offset = 0
    for number, line in enumerate(raw.splitlines(keepends=True)):
        body = line.splitlines()[0] if line.splitlines() else ""
        start = offset
        if number == 0 and prefix:
            body, start = body[len(prefix):], offset + len(prefix)
        offset += len(line)
        stripped = body.strip()
        if not stripped:
            continue
        lead = start + len(body) - len(body.lstrip())
        if out:
            if not (cjk and (is_cjk_char(out[-1]) or is_cjk_char(stripped[:1]))):
                out.append(" ")
                positions.append(positions[-1] + 1)
        out.extend(stripped)
        positions.extend(range(lead, lead + len(stripped)))
    return "".join(out), positions


@dataclass(frozen=True, slots=True)
class TargetSentence:
    """One sentence of the translation: its target block and its range in NAME.md as on disk."""

    block: int
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Bead:
    """Old-source sentences, as (block index, sentence index), and the target sentences that
    translate them (indices into `TranslationMap.target_sentences`; none when the translator
    left them out). `target` is the translation as the aligner saw it."""

    sentences: tuple[tuple[int, int], ...]
    targets: tuple[int, ...]
    target: str

    @property
    def placed(self) -> bool:
        """Whether every target sentence of the bead was found on disk (-1 marks one that was not)."""
        return -1 not in self.targets


@dataclass(frozen=True, slots=True)
class ProseGroup:
    """Old prose blocks and the target blocks that translate them (indices into `blocks`)."""

    source_blocks: tuple[int, ...]
    target_blocks: tuple[int, ...]


@dataclass(frozen=True)
class TranslationMap:
    """The old source, its translation, and what translates what."""

    old: Document
    target: Document  # parsed without sync comments: same lines as on disk
    target_text: str  # NAME.md as on disk: every offset points here
    target_starts: tuple[int, ...]  # offset of each target block, and len(target_text)
    groups: tuple[ProseGroup, ...] = ()
    sentences: dict[int, tuple[str, ...]] = field(default_factory=dict)  # old prose block → sentences
    target_sentences: tuple[TargetSentence, ...] = ()
    beads: tuple[Bead, ...] = ()
    counterpart: dict[int, int] = field(default_factory=dict)  # old structural block → target block
    warnings: tuple[str, ...] = ()
    group_of: dict[int, int] = field(default_factory=dict)  # old prose block → group
    bead_of: dict[tuple[int, int], int] = field(default_factory=dict)  # (old block, sentence) → bead

    def __post_init__(self) -> None:
        self.group_of.update({i: g for g, group in enumerate(self.groups) for i in group.source_blocks})
        self.bead_of.update({s: b for b, bead in enumerate(self.beads) for s in bead.sentences})

    def block_range(self, index: int) -> tuple[int, int]:
        """Where target block `index` is in NAME.md."""
        return self.target_starts[index], self.target_starts[index + 1]

    def target_raw(self, index: int) -> str:
        start, end = self.block_range(index)
        return self.target_text[start:end]

    def bead_ranges(self, bead: Bead) -> list[tuple[int, int, int]]:
        """The bead's translation as (target block, start, end), one range per target block."""
        ranges: list[tuple[int, int, int]] = []
        if not bead.placed:
            return ranges
        for k in bead.targets:
            s = self.target_sentences[k]
            if ranges and ranges[-1][0] == s.block:
                ranges[-1] = (s.block, ranges[-1][1], s.end)
            else:
                ranges.append((s.block, s.start, s.end))
        return ranges

    def bead_text(self, bead: Bead) -> str:
        """The bead's translation as written (what a suggestion shows)."""
        return "\n".join(self.target_text[a:b] for _, a, b in self.bead_ranges(bead)) or bead.target

    def is_machine_text(self, bead: Bead) -> bool:
        """Whether the bead's translation is marked as machine output awaiting review."""
        if not bead.targets or not bead.placed:
            return False
        end = self.target_sentences[bead.targets[-1]].end
        return self.target_text.startswith("<!-- amts:", end)

    def to_json(self) -> dict:
        return {
            "version": MAP_VERSION,
            "groups": [[list(g.source_blocks), list(g.target_blocks)] for g in self.groups],
            "sentences": [[i, list(s)] for i, s in self.sentences.items()],
            "target_sentences": [[s.block, s.start, s.end] for s in self.target_sentences],
            "beads": [[[list(s) for s in b.sentences], list(b.targets), b.target] for b in self.beads],
            "counterpart": [[i, j] for i, j in self.counterpart.items()],
            "warnings": list(self.warnings),
        }

    @classmethod
    def from_json(cls, data: dict, old_text: str, target_text: str) -> TranslationMap:
        """A cached map back (the texts it was built from are given again)."""
        if data.get("version") != MAP_VERSION:
            raise ValueError("another map version")
        old, target = parse_markdown(old_text), parse_markdown(strip_review_comments(target_text))
        return cls(
            old, target, target_text, block_offsets(target.blocks, target_text),
            tuple(ProseGroup(tuple(a), tuple(b)) for a, b in data["groups"]),
            {int(i): tuple(s) for i, s in data["sentences"]},
            tuple(TargetSentence(*s) for s in data["target_sentences"]),
            tuple(Bead(tuple((int(a), int(b)) for a, b in s), tuple(t), text) for s, t, text in data["beads"]),
            {int(i): int(j) for i, j in data["counterpart"]},
            tuple(data["warnings"]))


def map_translation(old_text: str, target_text: str, source_lang: str, target_lang: str,
                    path: str = "", alignment: SectionAlignment | None = None) -> TranslationMap:
    """Align the old source with its human translation (unless `alignment` is given) and index
    the result for patching."""
    clean, index = _clean_with_index(target_text)
    old, target = parse_markdown(old_text), parse_markdown(clean)
    if alignment is None:
        alignment = align_document(old_text, clean, source_lang, target_lang, path)
    warnings: list[str] = []
    groups = _groups(alignment.paragraph_pairs, old, target, warnings)
    sentences = {i: block_sentences(b, source_lang) for i, b in enumerate(old.blocks) if b.is_prose}
    clean_starts = block_offsets(target.blocks, clean)
    target_sentences, sentences_of = _target_sentences(target, clean, clean_starts, index, target_lang)
    beads = _beads(alignment.sentence_pairs, groups, sentences, sentences_of, source_lang, target_lang, warnings)
    return TranslationMap(old, target, target_text, block_offsets(target.blocks, target_text), tuple(groups),
                          sentences, target_sentences, tuple(beads), structure_counterparts(old, target),
                          tuple(warnings))


def _target_sentences(target: Document, clean: str, clean_starts: tuple[int, ...], index: list[int],
                      lang: str) -> tuple[tuple[TargetSentence, ...], dict[int, list[int]]]:
    """Every sentence of the translation's prose blocks with its range on disk; per block, the
    sentence ids in order (-1 for one that cannot be placed, which never happens with the
    segmenter's verbatim slices, but a block that did would be left alone, not guessed at)."""
    found: list[TargetSentence] = []
    sentences_of: dict[int, list[int]] = {}
    for t, block in enumerate(target.blocks):
        if not block.is_prose:
            continue
        start = clean_starts[t]
        texts = block_sentences(block, lang)
        prose, positions = prose_positions(clean[start:clean_starts[t + 1]], block.prefix, lang)
        ids: list[int] = []
        cursor = 0
        placeable = prose == strip_review_comments(block.prose(lang))
        for sentence in texts:
            at = prose.find(sentence, cursor) if placeable and sentence else -1
            if at < 0:
                placeable = False
                ids.append(-1)
                continue
            cursor = at + len(sentence)
            ids.append(len(found))
            found.append(TargetSentence(t, index[start + positions[at]], index[start + positions[cursor - 1]] + 1))
        sentences_of[t] = ids
    return tuple(found), sentences_of


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


def _beads(sentence_pairs, groups: list[ProseGroup], sentences: dict[int, tuple[str, ...]],
           sentences_of: dict[int, list[int]], source_lang: str, target_lang: str,
           warnings: list[str]) -> list[Bead]:
    """Give each sentence pair back its sentence indices (pairs come group by group, in order).

    A sentence the translator added (a 0-1 pair) goes with the sentence before it in its group:
    kept with it, or shown for review with it when upstream edits that sentence.
    """
    beads: list[Bead] = []
    source_join, target_join = sentence_joiner(source_lang), sentence_joiner(target_lang)
    position = 0
    for group in groups:
        group_start = len(beads)
        ids = [(i, k) for i in group.source_blocks for k in range(len(sentences[i]))]
        texts = [sentences[i][k] for i, k in ids]
        targets = [s for t in group.target_blocks for s in sentences_of.get(t, [])]
        taken = target_taken = 0
        while taken < len(ids) or target_taken < len(targets):
            if position >= len(sentence_pairs):
                warnings.append("sentence alignment ended early: later sentences are not reused")
                return beads
            pair = sentence_pairs[position]
            position += 1
            a, b = _bead_shape(pair.bead)
            if source_join.join(texts[taken:taken + a]) != pair.source:
                warnings.append(f"sentence alignment disagrees at line {pair.source_line}: "
                                "later sentences are not reused")
                return beads
            mine = tuple(targets[target_taken:target_taken + b])
            if a == 0 and mine and len(beads) > group_start and beads[-1].sentences and beads[-1].targets:
                last = beads[-1]
                beads[-1] = Bead(last.sentences, last.targets + mine, last.target + target_join + pair.target)
            else:
                beads.append(Bead(tuple(ids[taken:taken + a]), mine, pair.target))
            taken += a
            target_taken += b
    return beads
