"""Patch the translation of one paragraph group whose English changed, sentence by sentence.

The group's old sentences are diffed against its new ones. Each changed run is widened to whole
sentence beads (a translation that covers two English sentences is replaced as a whole) and
becomes one edit of the translation's own text, at the bead's characters on disk:
- deleted sentences: their translation is removed (a line it filled goes with it; a paragraph
  left empty goes, blank line and all);
- a spelling fix: nothing to do; an inline-only change: applied to the human sentence;
- otherwise: machine translation in place, marked for review, the previous translation attached;
- sentences the translation never had (the aligner paired them with nothing) stay untranslated.
Unchanged sentences keep their bytes.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from functools import lru_cache

from amts.engine.markup.markdown import Block, BlockKind, Document
from amts.engine.sync.block_diff import BlockDiff, plain_text, similarity, word_count
from amts.engine.sync.book_memory import BookMemory
from amts.engine.sync.edits import PatchState
from amts.engine.sync.inline_edit import inline_patch, spelling_fix, without_slide_markers, wrapped_sentences
from amts.engine.sync.line_merge import opcode_end, opcode_start
from amts.engine.sync.translation_map import Bead, ProseGroup, TranslationMap, normalise, sentence_joiner
from amts.engine.sync.units import SyncUnit, TextOrigin, UnitAction, UnitStatus

DEFAULT_EDIT_THRESHOLD = 60.0  # rapidfuzz ratio at or above which a changed unit is "edited"
_DISPLAY_MATH = re.compile(r"\$\$.*?\$\$", re.DOTALL)


@lru_cache(maxsize=65536)
def has_words(text: str) -> bool:
    """Whether a unit has text to translate outside code, math, roles, links and markup."""
    return any(ch.isalpha() for ch in _DISPLAY_MATH.sub(" ", plain_text(text)))


class ProsePatcher(PatchState):
    """Sentence-level patching of prose; `SectionPlanner` adds structure and insertions."""

    map: TranslationMap
    old: Document
    new: Document
    diff: BlockDiff
    memory: BookMemory | None
    threshold: float
    new_sentences: dict[int, tuple[str, ...]]
    line_breaks: bool

    # --- units without an in-place translation ------------------------------------------------
    def changed_unit(self, source: str, line: int, kind: str, old_source: str = "", suggestion: str = "",
                     score: float = 0.0, why: str = "") -> SyncUnit:
        """Machine translation, unless the book's memory has this very sentence translated."""
        if not has_words(source):
            return SyncUnit(UnitStatus.EDITED if old_source else UnitStatus.NEW, source, source, TextOrigin.HUMAN,
                            old_source, score, line, 0, kind, UnitAction.REUSE,
                            "nothing to translate (only code, math or markup): copied as it is")
        words = word_count(source, self.source_lang)
        hit = self.memory.exact(source) if self.memory is not None else None
        if hit is not None and hit.exact:
            return SyncUnit(UnitStatus.EDITED if old_source else UnitStatus.NEW, source, hit.target,
                            TextOrigin.MEMORY, old_source or hit.source, 100.0, line, words, kind, UnitAction.REUSE,
                            "the same sentence is translated elsewhere in the book: that translation is copied")
        if not (old_source and score >= self.threshold) and self.memory is not None:
            hit = self.memory.closest(source)  # a suggestion when nothing in place is close enough
            if hit is not None:
                old_source, suggestion, score = hit.source, hit.target, hit.score
                why = why or (f"new upstream; a similar sentence elsewhere in the book (similarity {score:.0f}) "
                              "is attached")
        if old_source and score >= self.threshold:
            return SyncUnit(UnitStatus.EDITED, source, suggestion, TextOrigin.MACHINE, old_source, round(score, 1),
                            line, words, kind, UnitAction.TRANSLATE,
                            why or f"edited upstream (similarity {score:.0f}): machine-translated, "
                                   "the previous translation attached")
        return SyncUnit(UnitStatus.NEW, source, "", TextOrigin.MACHINE, "", 0.0, line, words, kind,
                        UnitAction.TRANSLATE, why or "new upstream: machine-translated")

    def sentences_of_new(self, j: int) -> tuple[str, ...]:
        return self.new_sentences.get(j, ())

    def new_block_sentences(self, i: int, j: int) -> list[tuple[str, int]]:
        """The sentences (and lines) of old block i's new self, block j."""
        return [(s, self.new.blocks[j].start_line) for s in self.sentences_of_new(j)]

    @staticmethod
    def prose_kind(block: Block) -> str:
        return "heading" if block.kind == BlockKind.HEADING else "sentence"

    # --- one group ----------------------------------------------------------------------------
    def patch_group(self, group: ProseGroup) -> None:
        m = self.map
        old_ids: list[tuple[int, int]] = []
        old_texts: list[str] = []
        new_texts: list[str] = []
        new_lines: list[int] = []
        for i in group.source_blocks:
            for k, sentence in enumerate(m.sentences[i]):
                old_ids.append((i, k))
                old_texts.append(sentence)
            pair = self.diff.old_to_new.get(i)
            if pair is None:
                continue
            j, equal = pair
            pieces = [(s, self.new.blocks[j].start_line) for s in m.sentences[i]] if equal \
                else self.new_block_sentences(i, j)
            for sentence, line in pieces:
                new_texts.append(sentence)
                new_lines.append(line)
        kind = self.prose_kind(self.old.blocks[group.source_blocks[0]])
        self._heading_level(group)
        ops = SequenceMatcher(None, [normalise(s) for s in old_texts], [normalise(s) for s in new_texts],
                              autojunk=False).get_opcodes()
        ops = self._one_to_one(ops, old_texts, new_texts)
        regions = self._regions(ops, old_ids)
        in_region = {p for lo, hi, _, _ in regions for p in range(lo, hi)}
        for p, oid in enumerate(old_ids):
            if p in in_region:
                continue
            q = opcode_start(ops, p, len(new_texts))
            if q < len(new_texts) and normalise(new_texts[q]) == normalise(old_texts[p]):
                self._unchanged(oid, new_texts[q], new_lines[q], kind)
        removed: dict[int, set[int]] = {}  # target block → its target sentences removed
        touched: set[int] = set()  # target blocks something is written into
        for lo, hi, nlo, nhi in regions:
            self._region(old_ids, old_texts, new_texts, new_lines, lo, hi, nlo, nhi, kind, removed, touched)
        self._commit_removals(group, removed, touched)

    def _unchanged(self, oid: tuple[int, int], source: str, line: int, kind: str) -> None:
        m = self.map
        bead_index = m.bead_of.get(oid)
        bead = m.beads[bead_index] if bead_index is not None else None
        if bead is None or not bead.targets:
            return  # never translated: nothing kept, nothing a translator saved
        if bead.sentences[0] != oid:
            return  # counted with the first sentence of its bead
        origin = TextOrigin.MACHINE if m.is_machine_text(bead) else TextOrigin.HUMAN
        self.unit(UnitStatus.UNCHANGED, UnitAction.KEEP, source, kind=kind, line=line,
                  translation=bead.target, origin=origin,
                  words=sum(word_count(m.sentences[i][k], self.source_lang) for i, k in bead.sentences))

    def _heading_level(self, group: ProseGroup) -> None:
        """A heading moved up or down a level: the translation's `#`s follow."""
        i = group.source_blocks[0]
        pair = self.diff.old_to_new.get(i)
        if pair is None or len(group.target_blocks) != 1 or self.old.blocks[i].kind != BlockKind.HEADING:
            return
        old_level, new_level = self.old.blocks[i].prefix.strip(), self.new.blocks[pair[0]].prefix.strip()
        t = group.target_blocks[0]
        target = self.map.target.blocks[t]
        if old_level == new_level or target.kind != BlockKind.HEADING or target.prefix.strip() != old_level:
            return
        start = self.map.target_starts[t] + target.prefix.index("#")
        self.edit(start, start + len(old_level), new_level)

    def _one_to_one(self, ops, old_texts: list[str], new_texts: list[str]) -> list:
        """A run of k sentences replaced by k edited ones is k separate changes (each patched,
        kept or translated on its own), unless some sentence is not an edit of its counterpart."""
        out: list = []
        for tag, i1, i2, j1, j2 in ops:
            if tag == "replace" and i2 - i1 == j2 - j1 > 1 and all(
                    similarity(old_texts[i1 + k], new_texts[j1 + k]) >= self.threshold for k in range(i2 - i1)):
                out.extend(("replace", i1 + k, i1 + k + 1, j1 + k, j1 + k + 1) for k in range(i2 - i1))
            else:
                out.append((tag, i1, i2, j1, j2))
        return out

    def _regions(self, ops, old_ids: list[tuple[int, int]]) -> list[tuple[int, int, int, int]]:
        """Changed runs of old sentences widened to whole beads, with their new sentences."""
        m = self.map
        position = {oid: p for p, oid in enumerate(old_ids)}
        new_size = ops[-1][4] if ops else 0

        def bead_span(p: int) -> tuple[int, int]:
            b = m.bead_of.get(old_ids[p])
            if b is None:
                return p, p + 1
            places = [position[s] for s in m.beads[b].sentences if s in position]
            return min(places), max(places) + 1

        grown: list[list[int]] = []
        for tag, i1, i2, j1, j2 in ops:
            if tag == "equal":
                continue
            lo, hi = i1, i2
            if lo == hi and 0 < lo < len(old_ids) and bead_span(lo - 1) == bead_span(lo):
                lo, hi = bead_span(lo)  # inserted inside a bead: the bead is rewritten
            changed = lo < hi
            while changed:
                changed = False
                for p in range(lo, hi):
                    a, b = bead_span(p)
                    if a < lo or b > hi:
                        lo, hi, changed = min(lo, a), max(hi, b), True
            grown.append([lo, hi, j1, j2] if lo == hi else [lo, hi, -1, -1])
        merged: list[list[int]] = []
        for region in sorted(grown, key=lambda r: (r[0], r[1])):
            last = merged[-1] if merged else None
            if last is not None and last[0] < last[1] and (region[0] < last[1] or (
                    region[0] == region[1] and last[0] < region[0] < last[1])):
                last[1] = max(last[1], region[1])
            else:
                merged.append(region)
        out = []
        for lo, hi, j1, j2 in merged:
            if lo < hi:
                j1, j2 = opcode_start(ops, lo, new_size), opcode_end(ops, hi)
            out.append((lo, hi, j1, max(j1, j2)))
        return out

    # --- one changed run ----------------------------------------------------------------------
    def _region(self, old_ids, old_texts, new_texts, new_lines, lo, hi, nlo, nhi, kind,
                removed: dict[int, set[int]], touched: set[int]) -> None:
        m = self.map
        beads = list(dict.fromkeys(m.bead_of[old_ids[p]] for p in range(lo, hi) if old_ids[p] in m.bead_of))
        join = sentence_joiner(self.source_lang)
        old_joined, new_joined = join.join(old_texts[lo:hi]), join.join(new_texts[nlo:nhi])
        old_line = self.old.blocks[old_ids[lo][0]].start_line if lo < hi else 0
        if lo == hi:
            self._insert_sentences(old_ids, lo, new_texts[nlo:nhi], new_lines[nlo:nhi], kind, touched)
            return
        if normalise(old_joined) == normalise(new_joined):  # only cut into sentences differently
            for q in range(nlo, nhi):
                self.unit(UnitStatus.UNCHANGED, UnitAction.KEEP, new_texts[q], kind=kind, line=new_lines[q])
            return
        placed = len(beads) > 0 and all(m.beads[b].placed for b in beads) and all(
            old_ids[p] in m.bead_of for p in range(lo, hi))
        translated = any(m.beads[b].targets for b in beads)
        if not placed or not translated:
            why = ("changed upstream, but the translation never had it: left as it is" if placed
                   else "changed upstream, but its translation could not be located: left as it is")
            for q in range(nlo, nhi):
                self.unit(UnitStatus.EDITED, UnitAction.SKIP, new_texts[q], kind=kind, line=new_lines[q],
                          old_source=old_joined, why=why, words=0)
            if nlo == nhi:
                self.unit(UnitStatus.DELETED, UnitAction.SKIP, "", kind=kind, line=old_line, old_source=old_joined,
                          why="deleted upstream, but the translation never had it")
            if not placed:
                self.warnings.append(f"line {old_line}: {why}")
            return
        ranges = [r for b in beads for r in m.bead_ranges(m.beads[b])]
        previous = "".join(self.target_text[a:b] for _, a, b in ranges)
        if nlo == nhi:
            for p in range(lo, hi):
                self.unit(UnitStatus.DELETED, UnitAction.DROP, "", kind=kind, line=old_line,
                          old_source=old_texts[p], translation=previous,
                          why="deleted upstream: its translation is removed")
            for b in beads:
                for k in m.beads[b].targets:
                    removed.setdefault(m.target_sentences[k].block, set()).add(k)
            return
        line = new_lines[nlo]
        fix = spelling_fix(old_joined, new_joined)
        if fix is not None:
            self.unit(UnitStatus.EDITED, UnitAction.PATCH, new_joined, kind=kind, line=line, old_source=old_joined,
                      translation=previous, why=fix)
            return
        blocks = {block for block, _, _ in ranges}
        start, end = ranges[0][1], ranges[-1][2]
        if len(blocks) == 1:
            patched = inline_patch(old_joined, new_joined, self.target_text[start:end])
            if patched is not None:
                self.edit(start, end, patched[0])
                touched |= blocks
                self.unit(UnitStatus.EDITED, UnitAction.PATCH, new_joined, kind=kind, line=line,
                          old_source=old_joined, translation=previous,
                          why=f"only inline markup changed ({patched[1]}): applied to the translation")
                return
        wrapped = self._wrap_sentences(old_ids[lo:hi], old_texts[lo:hi], new_joined)
        if wrapped is not None:
            for position, marker in wrapped:
                self.edit(position, position, marker)
            self.unit(UnitStatus.EDITED, UnitAction.PATCH, new_joined, kind=kind, line=line, old_source=old_joined,
                      translation=previous, why="slide markers added around whole sentences: added around "
                                                "their translation")
            return
        if without_slide_markers(old_joined) == without_slide_markers(new_joined):
            # Slide markers only mark what a slide shows: a good translation is not thrown away
            # for them, and where they go inside the translator's sentence is the translator's call.
            self.unit(UnitStatus.EDITED, UnitAction.KEEP, new_joined, kind=kind, line=line, old_source=old_joined,
                      translation=previous, why="only slide markers changed, inside the sentence: the translation "
                                                "kept (add them to it by hand where the slides need them)")
            return
        earlier = self.previous_translation(ranges[-1][2], self.after_comments(ranges[-1][2]))
        olds = []
        for p in range(lo, hi):
            bead = m.beads[m.bead_of[old_ids[p]]]
            # A sentence machine-translated by an earlier sync suggests the human text it replaced.
            previous = earlier if earlier is not None and m.is_machine_text(bead) else m.bead_text(bead)
            olds.append((old_texts[p], previous))
        self._translate_region(beads, ranges, olds, new_texts[nlo:nhi], new_lines[nlo:nhi], kind, removed, touched,
                               old_line)

    def _wrap_sentences(self, old_ids, old_texts: list[str], new_text: str) -> list[tuple[int, str]] | None:
        """Where to put d2l's slide markers in the translation when upstream only wrapped whole
        sentences in them: (offset on disk, marker) pairs, or None."""
        m = self.map
        wraps = wrapped_sentences(old_texts, new_text, sentence_joiner(self.source_lang))
        if wraps is None:
            return None
        out: list[tuple[int, str]] = []
        for k, opening, marker in wraps:
            bead_index = m.bead_of.get(old_ids[k])
            if bead_index is None:
                return None
            bead = m.beads[bead_index]
            if not bead.targets or not bead.placed or bead.sentences[0 if opening else -1] != old_ids[k]:
                return None  # the translation of that sentence also holds others: nowhere to put it
            ranges = m.bead_ranges(bead)
            out.append((ranges[0][1] if opening else ranges[-1][2], marker))
        return out

    def _translate_region(self, beads: list[int], ranges, olds: list[tuple[str, str]], new_texts, new_lines,
                          kind, removed: dict[int, set[int]], touched: set[int], old_line: int) -> None:
        m = self.map
        first_block, start = ranges[0][0], ranges[0][1]
        end = self.after_comments([r for r in ranges if r[0] == first_block][-1][2])
        indices = []
        for source, line in zip(new_texts, new_lines):
            best, score = ("", ""), 0.0
            for old in olds:
                value = similarity(old[0], source)
                if value > score:
                    best, score = old, value
            indices.append(self.add(self.changed_unit(source, line, kind, best[0], best[1], score)))
        for old_source, previous in olds:
            if not any(similarity(old_source, s) >= self.threshold for s in new_texts):
                self.unit(UnitStatus.DELETED, UnitAction.DROP, "", kind=kind, line=old_line,
                          old_source=old_source, translation=previous,
                          why="replaced upstream by text that is not an edit of it: its translation is removed")
        separator = self.separator(start, end, first_block)
        parts: list[str | int] = []
        for k, index in enumerate(indices):
            if k:
                parts.append(separator)
            parts.append(index)
        self.edit(start, end, *parts)
        touched.add(first_block)
        for bead in beads:
            for k in m.beads[bead].targets:
                if m.target_sentences[k].block != first_block:
                    removed.setdefault(m.target_sentences[k].block, set()).add(k)

    def _insert_sentences(self, old_ids, lo: int, texts: list[str], lines: list[int], kind: str,
                          touched: set[int]) -> None:
        """New sentences in a paragraph: after the translation of the sentence before them."""
        m = self.map
        before = m.beads[m.bead_of[old_ids[lo - 1]]] if lo > 0 and old_ids[lo - 1] in m.bead_of else None
        after = m.beads[m.bead_of[old_ids[lo]]] if lo < len(old_ids) and old_ids[lo] in m.bead_of else None
        indices = [self.add(self.changed_unit(s, line, kind)) for s, line in zip(texts, lines)]
        joiner = sentence_joiner(self.target_lang)
        if before is not None and before.targets and before.placed:
            block, _, end = m.bead_ranges(before)[-1]
            end = self.after_comments(end)
            separator = self.line_separator(end, block) or joiner
            parts: list[str | int] = []
            for index in indices:
                parts += [separator, index]
            self.edit(end, end, *parts)
            touched.add(block)
        elif after is not None and after.targets and after.placed:
            block, start, _ = m.bead_ranges(after)[0]
            separator = self.line_separator(start, block, before=True) or joiner
            parts = []
            for index in indices:
                parts += [index, separator]
            self.edit(start, start, *parts)
            touched.add(block)
        else:
            for index in indices:
                self.units[index] = _skipped(self.units[index])

    def _commit_removals(self, group: ProseGroup, removed: dict[int, set[int]], touched: set[int]) -> None:
        m = self.map
        for t, ids in removed.items():
            all_ids = {k for k, s in enumerate(m.target_sentences) if s.block == t}
            if ids >= all_ids and t not in touched:
                self.delete_block(m, t)
                continue
            for k in sorted(ids):
                self.remove_sentence(k)


def _skipped(unit: SyncUnit) -> SyncUnit:
    return SyncUnit(unit.status, unit.source, "", unit.origin, unit.old_source, unit.score, unit.line, 0, unit.kind,
                    UnitAction.SKIP, "new upstream in a paragraph whose translation could not be located: left out")


__all__ = ["DEFAULT_EDIT_THRESHOLD", "Bead", "ProsePatcher"]
