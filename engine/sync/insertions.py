"""Where blocks new upstream go in the translation, and what is written there.

A run of new blocks goes after the translation of the block before it (after any blocks of the
translator's own that follow that one), or before the translation of the block after it. Three
cases first take new blocks out of that rule:
- **split**: a new paragraph that is a piece of an edited old paragraph (upstream cut it in two)
  belongs to that paragraph's translation, sentence by sentence (`absorbed`);
- **already there**: a new block the translation already had on its own (a tab or directive the
  translator added before upstream did) is that block (`adopted`), nothing is inserted;
- **in place**: a new block that replaces a deleted one (display math turned into a paragraph)
  goes where the deleted block's translation was, keeping the blank lines around it.
New prose is machine-translated in the translation's line style; a paragraph that moved keeps
its translation; code, math and directives are copied.
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz

from amts.engine.align.matching import ordered_matching
from amts.engine.markup.markdown import Block, BlockKind, protected_spans
from amts.engine.sync.block_diff import fingerprint
from amts.engine.sync.prose_patch import ProsePatcher
from amts.engine.sync.structure import is_structural, structure_similarity
from amts.engine.sync.translation_map import caption_parts, normalise, sentence_joiner
from amts.engine.sync.units import UnitAction, UnitStatus

SPLIT_MIN_PARTIAL = 85.0  # a new paragraph this much inside an edited old one is a piece of it


class InsertionPlanner(ProsePatcher):
    """Placement of the new source's unpaired blocks; `SectionPlanner` calls `place_new_blocks`
    before patching (it decides what is absorbed, adopted or replaced in place) and
    `insert_runs` after."""

    anchored: set[int]  # target blocks that translate an old block
    absorbed: dict[int, tuple[list[int], list[int]]]  # old block → new blocks before / after its own
    adopted: dict[int, int]  # new block → the translator's own block that already is it
    in_place: set[int]  # target blocks whose deletion leaves their blank lines to a new block
    in_place_of: dict[int, int]  # first block of an inserted run → target block it takes the place of
    _nonblank_blocks: list[int]  # the new source's blocks other than blank lines, in order
    _nonblank_order: dict[int, int]  # new block → its place in that list

    def place_new_blocks(self) -> None:
        self.absorbed, self.adopted, self.in_place, self.in_place_of = {}, {}, set(), {}
        self._nonblank_blocks = [j for j, b in enumerate(self.new.blocks) if b.kind != BlockKind.BLANK]
        self._nonblank_order = {j: k for k, j in enumerate(self._nonblank_blocks)}
        self._absorb_split_paragraphs()
        for run in self._runs():
            self._adopt(run)
        for run in self._runs():
            self._replace_in_place(run)

    def new_block_sentences(self, i: int, j: int) -> list[tuple[str, int]]:
        """The sentences (and lines) of old block i's new self, split-off pieces included."""
        before, after = self.absorbed.get(i, ([], []))
        return [(s, self.new.blocks[k].start_line) for k in [*before, j, *after] for s in self.sentences_of_new(k)]

    # --- runs of new blocks -------------------------------------------------------------------
    def _nonblank(self) -> list[int]:
        return self._nonblank_blocks

    def _runs(self) -> list[list[int]]:
        """Consecutive new blocks (blank lines aside) with no old self, not yet placed otherwise."""
        taken = set(self.adopted) | {k for before, after in self.absorbed.values() for k in before + after}
        inserted = [j for j in self.diff.inserted(self.new) if j not in taken]
        order = self._nonblank_order
        runs: list[list[int]] = []
        for j in inserted:
            if runs and order[runs[-1][-1]] == order[j] - 1:
                runs[-1].append(j)
            else:
                runs.append([j])
        return runs

    def _neighbours(self, run: list[int]) -> tuple[list[int], list[int]]:
        nonblank = self._nonblank()
        first, last = self._nonblank_order[run[0]], self._nonblank_order[run[-1]]
        return nonblank[first - 1::-1] if first else [], nonblank[last + 1:]

    def location(self, j: int, last: bool) -> int | None:
        """The translation's block for new block j's old self (last/first of a paragraph group)."""
        if j in self.adopted:
            return self.adopted[j]
        pair = self.diff.new_to_old.get(j)
        if pair is None:
            return None
        i = pair[0]
        if self.old.blocks[i].is_prose:
            g = self.map.group_of.get(i)
            # Not a block this patch deletes: what is written after it would go with it.
            targets = [t for t in self.map.groups[g].target_blocks if t not in self.removed_blocks] \
                if g is not None else []
            return (targets[-1] if last else targets[0]) if targets else None
        t = self.map.counterpart.get(i)
        return t if t not in self.removed_blocks else None

    # --- split paragraphs ---------------------------------------------------------------------
    def _absorb_split_paragraphs(self) -> None:
        nonblank = self._nonblank()
        inserted = set(self.diff.inserted(self.new))
        for k, j in enumerate(nonblank):
            pair = self.diff.new_to_old.get(j)
            if pair is None or pair[1] or not self.new.blocks[j].is_prose:
                continue
            i = pair[0]
            g = self.map.group_of.get(i)
            if g is None or not self.map.groups[g].target_blocks:
                continue
            old_text = normalise(self.old.blocks[i].prose(self.source_lang))
            before: list[int] = []
            after: list[int] = []
            for step, pieces in ((-1, before), (1, after)):
                q = k + step
                while 0 <= q < len(nonblank) and nonblank[q] in inserted and self._piece_of(nonblank[q], j, old_text):
                    pieces.append(nonblank[q])
                    inserted.discard(nonblank[q])
                    q += step
            before.reverse()
            if before or after:
                self.absorbed[i] = (before, after)

    def _piece_of(self, candidate: int, j: int, old_text: str) -> bool:
        block = self.new.blocks[candidate]
        if block.kind != self.new.blocks[j].kind or block.kind == BlockKind.HEADING:
            return False
        text = normalise(block.prose(self.source_lang))
        if len(text) > len(old_text):
            return False  # a piece of the old paragraph is not longer than all of it
        return len(text) >= 20 and fuzz.partial_ratio(text, old_text, score_cutoff=SPLIT_MIN_PARTIAL) > 0

    # --- blocks the translation already had ---------------------------------------------------
    def _window(self, run: list[int]) -> list[int]:
        """The translator's own blocks between the translations of the run's neighbours."""
        before, after = self._neighbours(run)
        start = next((t for j in before if (t := self.location(j, last=True)) is not None), -1)
        end = next((t for j in after if (t := self.location(j, last=False)) is not None), len(self.map.target.blocks))
        return [t for t in range(start + 1, end) if self._own(t)]

    def _own(self, t: int) -> bool:
        """A non-blank target block that translates no old block (and is not taken yet)."""
        block = self.map.target.blocks[t]
        return block.kind != BlockKind.BLANK and t not in self.anchored

    def _adopt(self, run: list[int]) -> None:
        own = self._window(run)
        if not own:
            return
        blocks = [self.new.blocks[j] for j in run]
        targets = [self.map.target.blocks[t] for t in own]
        for a, b in ordered_matching([[_same_block(x, y) for y in targets] for x in blocks]):
            self.adopted[run[a]] = own[b]
            self.anchored.add(own[b])
            block = blocks[a]
            self.unit(UnitStatus.NEW, UnitAction.KEEP, normalise(block.raw), kind=str(block.kind),
                      line=block.start_line, translation=self.map.target_raw(own[b]),
                      words=0, why="new upstream, and the translation already had it: kept as it is")

    # --- a new block where a deleted one was --------------------------------------------------
    def _replace_in_place(self, run: list[int]) -> None:
        before, after = self._neighbours(run)
        low = next((self.diff.new_to_old[j][0] for j in before if j in self.diff.new_to_old), -1)
        high = next((self.diff.new_to_old[j][0] for j in after if j in self.diff.new_to_old), len(self.old.blocks))
        for i in self.diff.deleted:
            if not low < i < high:
                continue
            t = self._deleted_target(i)
            if t is not None and t not in self.in_place:
                self.in_place.add(t)
                self.in_place_of[run[0]] = t
                return

    def _deleted_target(self, i: int) -> int | None:
        """The one target block that deleting old block i removes, if there is one."""
        if is_structural(self.old.blocks[i]):
            return self.map.counterpart.get(i)
        g = self.map.group_of.get(i)
        if g is None:
            return None
        group = self.map.groups[g]
        return group.target_blocks[0] if group.source_blocks == (i,) and len(group.target_blocks) == 1 else None

    # --- writing runs -------------------------------------------------------------------------
    def insert_runs(self) -> None:
        moved = self._moved_blocks()
        for run in self._runs():
            self._insert_run(run, moved)

    def _moved_blocks(self) -> dict[str, tuple[int, ...]]:
        """Fingerprint of a deleted paragraph → its translation's blocks (to move along with it)."""
        out = {}
        for i in self.diff.deleted:
            g = self.map.group_of.get(i)
            if g is not None and self.map.groups[g].source_blocks == (i,) and self.map.groups[g].target_blocks:
                out[fingerprint(self.old.blocks[i])] = self.map.groups[g].target_blocks
        return out

    def _insert_run(self, run: list[int], moved: dict[str, tuple[int, ...]]) -> None:
        before, after = self._neighbours(run)
        body = self._run_parts(run[0], run[-1], moved)
        if run[0] in self.in_place_of:
            position = self.map.block_range(self.in_place_of[run[0]])[0]
            self.edit(position, position, *body)
            return
        prev_new = before[0] if before else None
        anchor = next((t for j in before if (t := self.location(j, last=True)) is not None), None)
        if anchor is not None:
            last = self._skip_translator_blocks(anchor)
            position = self.map.block_range(last)[1]
            lead = self.to_eol(self._gap(prev_new, run[0]))
            if position and not self.target_text[:position].endswith(("\n", "\r")):
                lead = self.eol + lead
            end = self._same_gap_end(prev_new, last == anchor, position)
            if end is not None and after:  # the translation laid this gap out as the source did
                self.edit(position, end, lead, *body, self.to_eol(self._gap(run[-1], after[0])))
            else:
                self.edit(position, position, lead, *body)
            return
        following = next((t for j in after if (t := self.location(j, last=False)) is not None), None)
        if following is not None:
            position = self.map.block_range(following)[0]
            self.edit(position, position, *body, self.to_eol(self._gap(run[-1], after[0])) or self.eol)
            return
        position = len(self.target_text)
        lead = ""
        if self.target_text:
            lead = ("" if self.target_text.endswith(("\n", "\r")) else self.eol) + (
                self.to_eol(self._gap(prev_new, run[0])) or self.eol)
        self.edit(position, position, lead, *body)

    def _same_gap_end(self, prev_new: int | None, direct: bool, position: int) -> int | None:
        """Where the blank lines after `position` end, when they are exactly the blank lines the
        old source had after the old self of `prev_new` (so upstream's layout may replace them)."""
        if prev_new is None or not direct or prev_new not in self.diff.new_to_old:
            return None
        i = self.diff.new_to_old[prev_new][0]
        old_gap = "".join(b.raw for b in _blank_run(self.old.blocks, i + 1))
        end = position
        while end < len(self.target_text):
            line_end = self.target_text.find("\n", end)
            line_end = len(self.target_text) if line_end < 0 else line_end + 1
            if self.target_text[end:line_end].strip():
                break
            end = line_end
        same = self.target_text[position:end].replace("\r\n", "\n") == old_gap.replace("\r\n", "\n")
        return end if same and end < len(self.target_text) else None

    def _skip_translator_blocks(self, t: int) -> int:
        """The last block of the translator's own that follows block t (or t itself)."""
        blocks = self.map.target.blocks
        last = t
        for k in range(t + 1, len(blocks)):
            if blocks[k].kind == BlockKind.BLANK:
                if self.map.target_raw(k).strip():
                    last = k  # a sync comment line: it belongs to the block before it
                continue
            if k in self.anchored:
                break
            last = k
        return last

    def _gap(self, before: int | None, after: int) -> str:
        """The blank lines of the new source between two of its blocks."""
        if before is None:
            return ""
        return "".join(b.raw for b in self.new.blocks[before + 1:after])

    def _run_parts(self, j1: int, j2: int, moved: dict[str, tuple[int, ...]]) -> list[str | int]:
        parts: list[str | int] = []
        for j in range(j1, j2 + 1):
            block = self.new.blocks[j]
            if block.kind == BlockKind.BLANK:
                parts.append(self.to_eol(block.raw))
            elif block.is_prose:
                parts += self._new_prose(j, moved)
            else:
                parts.append(self.to_eol(block.raw))
                self.unit(UnitStatus.NEW, UnitAction.INSERT, block.raw, kind=str(block.kind), line=block.start_line,
                          words=0, why="new upstream: copied as it is (nothing to translate)")
                if block.kind == BlockKind.IMAGE:
                    self._new_caption(parts, block)
        if parts and isinstance(parts[-1], str) and not parts[-1].endswith(("\n", "\r")) and j2 + 1 < len(
                self.new.blocks):
            parts[-1] += self.eol
        return parts

    def _new_caption(self, parts: list[str | int], block: Block) -> None:
        """A new figure's caption is translated like a sentence."""
        cut = caption_parts(block.raw)
        if cut is None or not normalise(cut[1]):
            return
        index = self.add(self.changed_unit(normalise(cut[1]), block.start_line, "caption"))
        parts[-1:] = [self.to_eol(cut[0]), index, self.to_eol(cut[2])]

    def _new_prose(self, j: int, moved: dict[str, tuple[int, ...]]) -> list[str | int]:
        block = self.new.blocks[j]
        kind = self.prose_kind(block)
        targets = moved.pop(fingerprint(block), None)
        if targets is not None:
            start, end = self.map.block_range(targets[0])[0], self.map.block_range(targets[-1])[1]
            text = self.target_text[start:end]
            for sentence in self.sentences_of_new(j):
                self.unit(UnitStatus.UNCHANGED, UnitAction.KEEP, sentence, kind=kind, line=block.start_line,
                          why="moved upstream: its translation moved with it")
            return [text if text.endswith(("\n", "\r")) or not block.raw.endswith("\n") else text + self.eol]
        sentences = self.sentences_of_new(j)
        if not sentences:
            return [self.to_eol(block.raw)]
        head = block.prefix or block.raw[: len(block.raw) - len(block.raw.lstrip(" \t"))]
        tail = self.eol if block.raw.endswith(("\n", "\r")) else ""
        if self.line_breaks and tail and block.kind == BlockKind.LIST_ITEM:
            separator = self.eol + " " * len(block.prefix)
        elif self.line_breaks and tail and block.kind != BlockKind.HEADING:
            separator = self.eol
        else:
            separator = sentence_joiner(self.target_lang)
        parts: list[str | int] = [head]
        for k, sentence in enumerate(sentences):
            if k:
                parts.append(separator)
            parts.append(self.add(self.changed_unit(sentence, block.start_line, kind)))
        parts.append(tail)
        return parts


def _blank_run(blocks: tuple[Block, ...], start: int) -> list[Block]:
    out = []
    for block in blocks[start:]:
        if block.kind != BlockKind.BLANK:
            break
        out.append(block)
    return out


def _anchors(text: str) -> set[str]:
    """What a paragraph and its translation share: code, math, roles, numbers, proper names."""
    found = {span.text for span in protected_spans(text)}
    found.update(w for w in re.findall(r"[A-Za-z][A-Za-z0-9.+#-]*[A-Za-z0-9]|\d+(?:\.\d+)?", text)
                 if w[0].isdigit() or any(c.isupper() for c in w))
    return found


def _same_block(new: Block, own: Block) -> float:
    """How surely a new block is one the translator had already added (0: not it)."""
    if new.is_prose != own.is_prose:
        return 0.0
    if new.is_prose:
        if new.kind != own.kind:
            return 0.0
        a, b = _anchors(new.raw), _anchors(own.raw)
        return 0.5 if a & b and len(a & b) * 3 >= min(len(a), len(b)) else 0.0
    if new.kind in (BlockKind.DIRECTIVE, BlockKind.HTML, BlockKind.MATH, BlockKind.TABLE, BlockKind.FRONT_MATTER):
        return 2.0 if new.kind == own.kind and normalise(new.raw) == normalise(own.raw) else 0.0
    similarity = structure_similarity(new, own)
    return 2.0 * similarity if similarity >= 0.6 else 0.0
