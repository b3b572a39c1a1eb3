"""Plan one section: a three-way merge of old source, human translation and new source.

1. Diff the old source against the new one block by block (difflib over fingerprints: kind +
   whitespace-normalised text). Inside a changed run, blocks are paired by kind and rapidfuzz
   similarity (an order-preserving DP), so an edited paragraph meets its old self.
2. A prose block equal to its old self, whose whole paragraph group (amts.engine.sync.translation_map) is equal
   too, reuses the human translation verbatim, layout and all.
3. Any other prose block is diffed sentence by sentence against its old block: an equal sentence
   reuses its sentence bead's translation; a changed one similar enough (`edit_threshold`) is
   *edited* (machine-translated, the old translation attached as a suggestion); the rest are
   looked up in the book's memory (an exact hit elsewhere is reused) or are *new*.
4. Structural blocks follow the new source; an image or link whose caption did not change keeps
   its translated caption; tables and HTML that did not change keep the translation's version.
"""

from __future__ import annotations

from difflib import SequenceMatcher

from rapidfuzz import fuzz

from amts.engine.align.matching import ordered_matching
from amts.engine.markup.markdown import Block, BlockKind, Document, parse_markdown, protected_spans
from amts.engine.markup.segment import base_lang
from amts.engine.paralleldata.memory import TranslationMemory
from amts.engine.sync.translation_map import TranslationMap, block_sentences, caption_parts, normalise, sentence_joiner
from amts.engine.sync.units import BlockOutput, SectionPlan, SyncUnit, TextOrigin, UnitCounts, UnitStatus

DEFAULT_EDIT_THRESHOLD = 60.0  # rapidfuzz ratio at or above which a changed unit is "edited"
BLOCK_PAIR_THRESHOLD = 35.0  # two prose blocks below this similarity are a deletion + a new block
_MAX_PAIRING_CELLS = 40_000  # beyond this a changed run pairs blocks greedily, not by DP
_COPIED_WHEN_EQUAL = frozenset({BlockKind.TABLE, BlockKind.HTML})


def word_count(text: str, lang: str) -> int:
    """Words a translator writes: outside protected spans; a CJK character counts as a word."""
    plain, position = [], 0
    for span in protected_spans(text):
        plain.append(text[position:span.start])
        position = span.end
    plain.append(text[position:])
    joined = " ".join(plain)
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


def _fingerprint(block: Block) -> str:
    return f"{block.kind}|{block.prefix.strip()}|{normalise(block.raw)}"


def _similarity(a: Block, b: Block) -> float:
    """0..100; 0 when the two blocks can never be one edited block."""
    if a.is_prose != b.is_prose or (a.kind == BlockKind.HEADING) != (b.kind == BlockKind.HEADING):
        return 0.0
    if not a.is_prose and a.kind != b.kind:
        return 0.0
    score = fuzz.ratio(normalise(a.raw), normalise(b.raw))
    if a.is_prose:
        return score if score >= BLOCK_PAIR_THRESHOLD else 0.0
    return max(score, 1.0)  # same structural kind: a changed code cell, a moved figure


def _pair_blocks(old: list[Block], new: list[Block]) -> list[tuple[int, int]]:
    """Order-preserving pairing that maximises total similarity inside one changed run."""
    n, m = len(old), len(new)
    if n * m > _MAX_PAIRING_CELLS:
        pairs, j = [], 0
        for i in range(n):
            while j < m and _similarity(old[i], new[j]) == 0.0:
                j += 1
            if j < m:
                pairs.append((i, j))
                j += 1
        return pairs
    return ordered_matching([[_similarity(a, b) for b in new] for a in old])


def diff_blocks(old: Document, new: Document) -> tuple[dict[int, tuple[int, bool]], list[int]]:
    """New block → (old block, equal?) for every paired block, and the old blocks left over."""
    old_items = [i for i, b in enumerate(old.blocks) if b.kind != BlockKind.BLANK]
    new_items = [j for j, b in enumerate(new.blocks) if b.kind != BlockKind.BLANK]
    matcher = SequenceMatcher(None, [_fingerprint(old.blocks[i]) for i in old_items],
                              [_fingerprint(new.blocks[j]) for j in new_items], autojunk=False)
    paired: dict[int, tuple[int, bool]] = {}
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for i, j in zip(old_items[i1:i2], new_items[j1:j2]):
                paired[j] = (i, True)
        elif tag == "replace":
            olds, news = old_items[i1:i2], new_items[j1:j2]
            for a, b in _pair_blocks([old.blocks[i] for i in olds], [new.blocks[j] for j in news]):
                paired[news[b]] = (olds[a], False)
    used = {i for i, _ in paired.values()}
    return paired, [i for i in old_items if i not in used]


class SectionPlanner:
    """Builds the units and block outputs of one section; `plan()` returns the SectionPlan."""

    def __init__(self, path: str, mapping: TranslationMap | None, new_text: str, source_lang: str,
                 target_lang: str, memory: TranslationMemory | None, pending: dict[str, str],
                 edit_threshold: float = DEFAULT_EDIT_THRESHOLD, merged: tuple[str, ...] = ()):
        self.path = path
        self.map = mapping
        self.new_text = new_text
        self.new = parse_markdown(new_text)
        self.old = mapping.old if mapping else Document(())
        self.source_lang, self.target_lang = source_lang, target_lang
        self.memory = memory
        self.pending = pending  # normalised source → machine text still awaiting review
        self.merged_before = frozenset(merged)  # blocks the last sync left inside the one before
        self.merged: list[str] = []
        self.threshold = edit_threshold
        self.units: list[SyncUnit] = []
        # Follow the translation's layout: semantic line breaks if it uses them anywhere.
        self.line_breaks = mapping is None or any(
            len(b.raw.splitlines()) > 1 for b in mapping.target.blocks if b.is_prose)
        self.outputs: list[BlockOutput] = []

    # --- units ----------------------------------------------------------------------------------
    def _add(self, unit: SyncUnit) -> int:
        self.units.append(unit)
        return len(self.units) - 1

    def _reused(self, source: str, translation: str, line: int, kind: str, old_source: str = "",
                origin: TextOrigin = TextOrigin.HUMAN) -> SyncUnit:
        key = normalise(source)
        if key in self.pending:
            origin, translation = TextOrigin.MACHINE, self.pending[key]
        elif self.pending and any(len(part) >= 20 and part in key for part in self.pending):
            origin = TextOrigin.MACHINE  # machine sentences the aligner grouped with another
        return SyncUnit(UnitStatus.UNCHANGED, source, translation, origin, old_source or source, 100.0,
                        line, word_count(source, self.source_lang), kind)

    def _changed(self, source: str, line: int, kind: str, old_source: str = "", suggestion: str = "",
                 score: float = 0.0) -> SyncUnit:
        """A unit without an in-place translation: the memory's, else edited/new."""
        hit = self.memory.lookup(source, min_score=100.0) if self.memory is not None else None
        if hit is not None and hit.exact:
            return self._reused(source, hit.target, line, kind, hit.source, TextOrigin.MEMORY)
        if not (old_source and score >= self.threshold) and self.memory is not None:
            hit = self.memory.lookup(source)  # fuzzy, only when nothing in place is close enough
            if hit is not None:
                old_source, suggestion, score = hit.source, hit.target, hit.score
        words = word_count(source, self.source_lang)
        if old_source and score >= self.threshold:
            return SyncUnit(UnitStatus.EDITED, source, suggestion, TextOrigin.MACHINE, old_source,
                            round(score, 1), line, words, kind)
        return SyncUnit(UnitStatus.NEW, source, "", TextOrigin.MACHINE, "", 0.0, line, words, kind)

    def _deleted(self, source: str, line: int, kind: str = "sentence") -> None:
        self._add(SyncUnit(UnitStatus.DELETED, source, "", TextOrigin.HUMAN, source, 0.0, line, 0, kind))

    # --- blocks ---------------------------------------------------------------------------------
    def plan(self) -> SectionPlan:
        paired, deleted = diff_blocks(self.old, self.new)
        absorbed: set[int] = set()
        for j, block in enumerate(self.new.blocks):
            if j in absorbed:
                self.outputs.append(BlockOutput(""))
                continue
            old = paired.get(j)
            if block.is_prose:
                absorbed |= self._prose_block(j, block, old, paired)
            elif block.kind in (BlockKind.IMAGE, BlockKind.LINK):
                self._captioned_block(block, old)
            elif old is not None and old[1] and block.kind in _COPIED_WHEN_EQUAL and self._counterpart(old[0], block):
                self.outputs.append(BlockOutput(self._map.target_raw(self._map.counterpart[old[0]])))
            else:
                self.outputs.append(BlockOutput(block.raw))
        for i in deleted:
            self._delete_block(i)
        return self._section_plan()

    @property
    def _map(self) -> TranslationMap:
        """The translation map; only asked for where the section has one."""
        assert self.map is not None, "a section without a translation has no map"
        return self.map

    def _counterpart(self, old_index: int, block: Block) -> bool:
        t = self._map.counterpart.get(old_index) if self.map else None
        return t is not None and self._map.target.blocks[t].kind == block.kind

    def _prose_block(self, j: int, block: Block, old: tuple[int, bool] | None,
                     paired: dict[int, tuple[int, bool]]) -> set[int]:
        kind = "heading" if block.kind == BlockKind.HEADING else "sentence"
        sentences = block_sentences(block, self.source_lang)
        if not sentences:
            self.outputs.append(BlockOutput(block.raw))
            return set()
        whole = self._whole_group(j, old, paired)
        if whole is not None:
            group, new_blocks = whole
            text = self._map.group_text(group)
            if block.raw.endswith("\n") and not text.endswith("\n"):
                text += "\n"
            self.outputs.append(BlockOutput(text))
            for k in new_blocks:
                for sentence in block_sentences(self.new.blocks[k], self.source_lang):
                    self._add(self._reused(sentence, "", self.new.blocks[k].start_line, kind))
            self.merged.extend(normalise(self.new.blocks[k].prose(self.source_lang)) for k in new_blocks[1:])
            return set(range(j + 1, new_blocks[-1] + 1))
        if (old is not None and old[1] and not self._translated(old[0])
                and normalise(block.prose(self.source_lang)) in self.merged_before):
            # Translated inside the paragraph before it (recorded by the last sync): nothing to add.
            if self.outputs and not self.outputs[-1].units and not self.outputs[-1].head.strip():
                self.outputs[-1] = BlockOutput("")
            self.outputs.append(BlockOutput(""))
            for sentence in sentences:
                self._add(self._reused(sentence, "", block.start_line, kind))
            self.merged.append(normalise(block.prose(self.source_lang)))
            return set()
        indices = self._sentence_units(block, sentences, old, kind)
        indent = block.raw[: len(block.raw) - len(block.raw.lstrip(" \t"))]
        head = block.prefix if block.prefix else indent
        tail = "\n" if block.raw.endswith("\n") else ""
        joiner = sentence_joiner(self.target_lang)
        separator = "\n" + " " * len(block.prefix) if self.line_breaks and tail and block.kind == BlockKind.LIST_ITEM \
            else "\n" if self.line_breaks and tail and block.kind != BlockKind.HEADING else joiner
        self.outputs.append(BlockOutput(head, tuple(indices), tail, separator, joiner, True))
        return set()

    def _translated(self, old_index: int) -> bool:
        """Whether the old block has target blocks in its paragraph group."""
        group = self._map.group_of.get(old_index) if self.map else None
        return group is not None and bool(self._map.groups[group].target_blocks)

    def _whole_group(self, j: int, old: tuple[int, bool] | None, paired: dict[int, tuple[int, bool]]):
        """The paragraph group to copy whole, and the new blocks it covers, if every block of it
        is unchanged and the new blocks follow each other with only blank lines between."""
        if self.map is None or old is None or not old[1] or old[0] not in self._map.group_of:
            return None
        group = self._map.groups[self._map.group_of[old[0]]]
        if not group.target_blocks or group.source_blocks[0] != old[0]:
            return None
        equal_new = {i: n for n, (i, eq) in paired.items() if eq}
        found = [equal_new.get(i) for i in group.source_blocks]
        news = [n for n in found if n is not None]
        if len(news) != len(found) or news != sorted(news) or news[0] != j:
            return None
        for k in range(news[0] + 1, news[-1]):
            if k not in news and self.new.blocks[k].kind != BlockKind.BLANK:
                return None
        targets = group.target_blocks
        for t in range(targets[0] + 1, targets[-1]):  # e.g. a tab of the translation's own
            if t not in targets and self._map.target.blocks[t].kind != BlockKind.BLANK:
                return None
        return group, news

    def _sentence_units(self, block: Block, sentences: tuple[str, ...], old: tuple[int, bool] | None,
                        kind: str) -> list[int]:
        line = block.start_line
        if old is None or self.map is None or old[0] not in self._map.sentences:
            return [self._add(self._changed(s, line, kind)) for s in sentences]
        i = old[0]
        old_sentences = self._map.sentences[i]
        group = self._map.groups[self._map.group_of[i]] if i in self._map.group_of else None
        has_translation = group is not None and bool(group.target_blocks)
        indices: list[int] = []
        matcher = SequenceMatcher(None, [normalise(s) for s in old_sentences],
                                  [normalise(s) for s in sentences], autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                indices += self._equal_run(i, i1, i2, j1, sentences, line, kind, has_translation)
            elif tag in ("replace", "insert"):
                chosen: set[int] = set()
                for s in sentences[j1:j2]:
                    best, score = None, 0.0
                    for k in range(i1, i2):
                        value = similarity(old_sentences[k], s)
                        if value > score:
                            best, score = k, value
                    if best is not None and score >= self.threshold:
                        chosen.add(best)
                        indices.append(self._add(self._changed(
                            s, line, kind, old_sentences[best], self._translation_of(i, best), score)))
                    else:
                        indices.append(self._add(self._changed(s, line, kind)))
                for k in range(i1, i2):
                    if k not in chosen:
                        self._deleted(old_sentences[k], self.old.blocks[i].start_line, kind)
            else:  # delete
                for k in range(i1, i2):
                    self._deleted(old_sentences[k], self.old.blocks[i].start_line, kind)
        return indices

    def _translation_of(self, i: int, k: int) -> str:
        bead = self._map.bead_of.get((i, k))
        return self._map.beads[bead].target if bead is not None else ""

    def _equal_run(self, i: int, i1: int, i2: int, j1: int, sentences: tuple[str, ...], line: int,
                   kind: str, has_translation: bool) -> list[int]:
        indices: list[int] = []
        old_sentences = self._map.sentences[i]
        k = i1
        while k < i2:
            source = sentences[j1 + k - i1]
            bead_index = self._map.bead_of.get((i, k))
            if bead_index is None or not has_translation:
                indices.append(self._add(self._changed(source, line, kind)))
                k += 1
                continue
            bead = self._map.beads[bead_index]
            members = [m for b, m in bead.sentences if b == i]
            whole = (len(members) == len(bead.sentences) and members[0] == k
                     and members[-1] < i2 and members == list(range(k, k + len(members))))
            if whole:
                texts = sentences[j1 + k - i1: j1 + k - i1 + len(members)]
                joined = sentence_joiner(self.source_lang).join(texts)
                indices.append(self._add(self._reused(joined, bead.target, line, kind)))
                k += len(members)
            else:  # the translation also covers sentences that changed or live elsewhere
                indices.append(self._add(self._changed(source, line, kind, old_sentences[k], bead.target, 100.0)))
                k += 1
        return indices

    def _captioned_block(self, block: Block, old: tuple[int, bool] | None) -> None:
        parts = caption_parts(block.raw)
        if parts is None or not normalise(parts[1]):
            self.outputs.append(BlockOutput(block.raw))
            return
        before, caption, after = parts
        old_parts = caption_parts(self.old.blocks[old[0]].raw) if old is not None else None
        target = None
        if old is not None and self._counterpart(old[0], block):
            target = self._map.target_raw(self._map.counterpart[old[0]])
        target_parts = caption_parts(target) if target else None
        if old is not None and old[1] and target is not None:
            self.outputs.append(BlockOutput(target))
            self._add(self._reused(normalise(caption), "", block.start_line, "caption"))
            return
        if old_parts and target_parts and normalise(old_parts[1]) == normalise(caption):
            self.outputs.append(BlockOutput(before + target_parts[1] + after))
            self._add(self._reused(normalise(caption), "", block.start_line, "caption"))
            return
        old_caption = normalise(old_parts[1]) if old_parts else ""
        score = similarity(old_caption, caption) if old_caption else 0.0
        unit = self._changed(normalise(caption), block.start_line, "caption", old_caption,
                             normalise(target_parts[1]) if target_parts else "", score)
        self.outputs.append(BlockOutput(before, (self._add(unit),), after))

    def _delete_block(self, i: int) -> None:
        block = self.old.blocks[i]
        if block.is_prose:
            kind = "heading" if block.kind == BlockKind.HEADING else "sentence"
            for sentence in self._map.sentences.get(i, ()):
                self._deleted(sentence, block.start_line, kind)
        elif block.kind in (BlockKind.IMAGE, BlockKind.LINK):
            parts = caption_parts(block.raw)
            if parts and normalise(parts[1]):
                self._deleted(normalise(parts[1]), block.start_line, "caption")

    def _section_plan(self) -> SectionPlan:
        counts = dict.fromkeys(UnitStatus, 0)
        review = 0
        words = reused = characters = 0
        for unit in self.units:
            counts[unit.status] += 1
            if unit.status == UnitStatus.DELETED:
                continue
            words += unit.words
            if unit.status == UnitStatus.UNCHANGED:
                if unit.origin == TextOrigin.MACHINE:
                    review += 1
                else:
                    reused += unit.words
            else:
                characters += len(unit.source)
        mapping = self.map
        return SectionPlan(
            self.path, tuple(self.units),
            UnitCounts(counts[UnitStatus.UNCHANGED], counts[UnitStatus.EDITED], counts[UnitStatus.NEW],
                       counts[UnitStatus.DELETED], review),
            tuple(self.outputs), self.new_text,
            status="shared" if mapping is not None else "new-upstream",
            words=words, words_reused=reused, characters=characters,
            warnings=mapping.warnings if mapping else (),
            merged=tuple(self.merged),
        )
