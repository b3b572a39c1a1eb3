"""Plan one section as a patch of its translation: old source, new source, and `NAME.md`.

The old `NAME.md` is the base. The old source is diffed against the new one block by block
(amts.engine.sync.block_diff) and every change is carried into the translation's own block, found
through the map of old source ↔ translation (amts.engine.sync.translation_map):
- prose: sentence by sentence (amts.engine.sync.prose_patch);
- code cells, math, tables, directives, front matter: three-way line merges
  (amts.engine.sync.line_merge); images and links keep their translated caption;
- blocks new upstream go after the translation of the block before them (and after any blocks
  only the translation has that follow it), their prose machine-translated, in the file's style;
- blocks deleted upstream go; blocks only the translation has stay where they are.
Everything else keeps its bytes. A section whose `NAME_origin.md` is upstream already is not
planned at all: `untouched_section_plan`.
"""

from __future__ import annotations

from dataclasses import replace

from amts.engine.markup.markdown import Block, BlockKind, parse_markdown
from amts.engine.sync.block_diff import diff_blocks, word_count
from amts.engine.sync.book_memory import BookMemory
from amts.engine.sync.edits import comment_text, disjoint, line_ending
from amts.engine.sync.inline_edit import inline_patch, spelling_fix
from amts.engine.sync.insertions import InsertionPlanner
from amts.engine.sync.line_merge import LineConflict, merge_lines
from amts.engine.sync.prose_patch import DEFAULT_EDIT_THRESHOLD
from amts.engine.sync.structure import is_structural, tab_line
from amts.engine.sync.translation_map import (
    ProseGroup,
    TranslationMap,
    caption_parts,
    normalise,
    strip_review_comments,
)
from amts.engine.sync.units import SectionPlan, TextOrigin, UnitAction, UnitStatus
from amts.engine.sync.workload import comment_unit, count_units, reused, untouched_section_plan

#: After a block where upstream and the translator changed the same lines (one comment per conflict).
STALE_COMMENT_MARKER = "<!-- amts: upstream reworded this translated comment, review: {new} -->"
REPLACED_LINES_MARKER = "<!-- amts: upstream's lines replaced the translation's own, review; previous: {previous} -->"

__all__ = ["DEFAULT_EDIT_THRESHOLD", "SectionPlanner", "untouched_section_plan"]


class SectionPlanner(InsertionPlanner):
    """Builds the units and edits of one section; `plan()` returns the SectionPlan."""

    def __init__(self, path: str, mapping: TranslationMap | None, new_text: str, source_lang: str,
                 target_lang: str, memory: BookMemory | None, new_sentences: dict[int, tuple[str, ...]],
                 origin_text: str = "", edit_threshold: float = DEFAULT_EDIT_THRESHOLD):
        if mapping is None:  # a section new upstream: an empty translation to insert everything into
            empty = parse_markdown("")
            mapping = TranslationMap(empty, empty, "", (0,))
        super().__init__(mapping.target_text, line_ending(mapping.target_text, line_ending(new_text)),
                         source_lang, target_lang)
        self.path = path
        self.status = "shared" if origin_text or mapping.target_text else "new-upstream"
        self.map = mapping
        self.old, self.new = mapping.old, parse_markdown(new_text)
        self.new_text, self.origin_text = new_text, origin_text
        self.memory = memory
        self.threshold = edit_threshold
        self.new_sentences = new_sentences
        # Follow the translation's layout: semantic line breaks if it uses them anywhere.
        self.line_breaks = not mapping.target_text or any(
            len(b.raw.splitlines()) > 1 for b in mapping.target.blocks if b.is_prose)
        self.anchored: set[int] = set(mapping.counterpart.values())
        for group in mapping.groups:
            if group.source_blocks:
                self.anchored.update(group.target_blocks)

    # --- the whole section --------------------------------------------------------------------
    def plan(self) -> SectionPlan:
        m = self.map
        self.diff = diff_blocks(self.old, self.new)
        self.place_new_blocks()
        for group in m.groups:
            if not group.source_blocks:
                continue
            pairs = [self.diff.old_to_new.get(i) for i in group.source_blocks]
            if all(p is not None and p[1] for p in pairs):
                for i, pair in zip(group.source_blocks, pairs):
                    assert pair is not None
                    line = self.new.blocks[pair[0]].start_line
                    for k, sentence in enumerate(m.sentences[i]):
                        self._unchanged((i, k), sentence, line, self.prose_kind(self.old.blocks[i]))
            elif not group.target_blocks:
                self._skip_group(group)
            else:
                self.patch_group(group)
        for i, block in enumerate(self.old.blocks):
            if block.is_prose and i not in m.group_of:
                self._skip_group(ProseGroup((i,), ()))
            elif is_structural(block):
                pair = self.diff.old_to_new.get(i)
                if pair is None:
                    self._delete_structure(i)
                elif pair[1]:
                    self._unchanged_structure(i)
                else:
                    self._merge_structure(i, pair[0])
        self.insert_runs()
        return self._section_plan()

    def _skip_group(self, group: ProseGroup) -> None:
        """Prose the translation never had: whatever upstream did to it, it stays out."""
        for i in group.source_blocks:
            pair = self.diff.old_to_new.get(i)
            if pair is not None and pair[1]:
                continue
            old = " ".join(self.map.sentences.get(i, ()))
            source = self.new.blocks[pair[0]].prose(self.source_lang) if pair is not None else ""
            line = self.new.blocks[pair[0]].start_line if pair is not None else self.old.blocks[i].start_line
            self.unit(UnitStatus.EDITED if pair is not None else UnitStatus.DELETED, UnitAction.SKIP, source,
                      kind=self.prose_kind(self.old.blocks[i]), line=line, old_source=old, words=0,
                      why="changed upstream, but the translation never had this paragraph: left as it is")

    # --- structural blocks --------------------------------------------------------------------
    def _unchanged_structure(self, i: int) -> None:
        t = self.map.counterpart.get(i)
        if t is None:
            return
        block, target = self.old.blocks[i], self.map.target_raw(t)
        if block.kind == BlockKind.CODE:
            self._comment_units(block.raw, target, self._new_line(i))
        elif block.kind in (BlockKind.IMAGE, BlockKind.LINK):
            old_parts, target_parts = caption_parts(block.raw), caption_parts(target)
            if old_parts and target_parts and normalise(old_parts[1]) and old_parts[1] != target_parts[1]:
                self.unit(UnitStatus.UNCHANGED, UnitAction.KEEP, normalise(old_parts[1]), kind="caption",
                          line=self._new_line(i), translation=target_parts[1])

    def _new_line(self, i: int) -> int:
        pair = self.diff.old_to_new.get(i)
        return self.new.blocks[pair[0]].start_line if pair is not None else self.old.blocks[i].start_line

    def _comment_units(self, old: str, target: str, line: int, conflicts: tuple[LineConflict, ...] = ()) -> None:
        unit = comment_unit(old, target, line, self.source_lang, frozenset(x for c in conflicts for x in c.old))
        if unit is not None:
            self.add(unit)

    def _merge_structure(self, i: int, j: int) -> None:
        old, new = self.old.blocks[i], self.new.blocks[j]
        kind, line = str(old.kind), new.start_line
        t = self.map.counterpart.get(i)
        if t is None:
            if old.kind != BlockKind.FRONT_MATTER:
                self.unit(UnitStatus.EDITED, UnitAction.SKIP, new.raw, kind=kind, line=line, old_source=old.raw,
                          words=0, why="changed upstream, but the translation has no copy of this block")
            return
        start, end = self.map.block_range(t)
        target = self.target_text[start:end]
        if old.kind in (BlockKind.IMAGE, BlockKind.LINK) and self._merge_caption(old, new, target, start, end):
            return
        merged = merge_lines(old.raw, new.raw, target, self.eol, code=old.kind == BlockKind.CODE)
        if merged.text == target:
            self.unit(UnitStatus.EDITED, UnitAction.KEEP, new.raw, kind=kind, line=line, old_source=old.raw,
                      translation=target, words=0,
                      why="changed upstream only where the translator changed it too: the translation's kept")
        else:
            self.unit(UnitStatus.EDITED, UnitAction.MERGE, new.raw, kind=kind, line=line, old_source=old.raw,
                      translation=target, words=0,
                      why=f"{merged.upstream_lines} line(s) changed upstream, merged into the translation's copy")
        markers = []
        if old.kind != BlockKind.FRONT_MATTER:  # metadata follows upstream silently
            for conflict in merged.conflicts:
                markers.append(self._conflict(conflict, kind, line))
        text = merged.text
        if markers:
            if not text.endswith(("\n", "\r")):
                text += self.eol
            text += "".join(marker + self.eol for marker in markers)
        if old.kind == BlockKind.CODE:
            self._comment_units(old.raw, target, line, merged.conflicts)
        if text != target:
            self.edit(start, end, text)

    def _conflict(self, conflict: LineConflict, kind: str, line: int) -> str:
        new, previous = "\n".join(conflict.new), "\n".join(conflict.previous)
        if conflict.kept:
            why = "the English of a translated comment changed: the translation kept, marked for review"
            marker = STALE_COMMENT_MARKER.format(new=comment_text(" / ".join(x.strip() for x in conflict.new)))
        else:
            why = "upstream changed lines the translator had changed too: upstream's lines taken, marked for review"
            marker = REPLACED_LINES_MARKER.format(
                previous=comment_text(" / ".join(x.strip() for x in conflict.previous)))
        words = word_count(" ".join(x.strip().lstrip("#") for x in conflict.old), self.source_lang) \
            if kind == "code" else 0
        index = self.unit(UnitStatus.EDITED, UnitAction.CONFLICT, new, kind=kind, line=line + conflict.line,
                          old_source="\n".join(conflict.old), translation=previous, why=why, words=words,
                          origin=TextOrigin.HUMAN if conflict.kept else TextOrigin.MACHINE)
        self.units[index] = replace(self.units[index], marker=marker)
        return marker

    def _merge_caption(self, old: Block, new: Block, target: str, start: int, end: int) -> bool:
        """An image or link line: path and options from upstream, the caption stays translated."""
        o, n, t = caption_parts(old.raw), caption_parts(new.raw), caption_parts(target)
        if o is None or n is None or t is None:
            return False
        line = new.start_line
        before = t[0] if o[0] == n[0] else self.to_eol(n[0])
        after = t[2] if o[2] == n[2] else self.to_eol(n[2])
        parts: list[str | int] = [before]
        if normalise(o[1]) == normalise(n[1]):
            parts.append(t[1])
            if normalise(t[1]):
                self.unit(UnitStatus.UNCHANGED, UnitAction.KEEP, normalise(n[1]), kind="caption", line=line,
                          translation=t[1])
        elif normalise(t[1]) == normalise(o[1]):
            parts.append(n[1])  # the translation had the English caption: it follows upstream
        else:
            fix = spelling_fix(normalise(o[1]), normalise(n[1]))
            patched = inline_patch(normalise(o[1]), normalise(n[1]), t[1]) if fix is None else None
            if fix is not None or patched is not None:
                parts.append(t[1] if patched is None else patched[0])
                self.unit(UnitStatus.EDITED, UnitAction.PATCH, normalise(n[1]), kind="caption", line=line,
                          old_source=normalise(o[1]), translation=t[1],
                          why=fix or f"only inline markup changed ({patched[1] if patched else ''}): applied")
            else:
                parts.append(self.add(self.changed_unit(normalise(n[1]), line, "caption", normalise(o[1]), t[1],
                                                        100.0 if o[1] else 0.0)))
        parts.append(after)
        if after != t[2] or before != t[0]:
            self.unit(UnitStatus.EDITED, UnitAction.MERGE, new.raw, kind=str(old.kind), line=line,
                      old_source=old.raw, translation=target, words=0,
                      why="path or options changed upstream: the caption keeps its translation")
        if parts != [t[0], t[1], t[2]]:
            self.edit(start, end, *parts)
        return True

    def _delete_structure(self, i: int) -> None:
        old = self.old.blocks[i]
        t = self.map.counterpart.get(i)
        if t is None:
            return
        if old.kind == BlockKind.CODE and tab_line(old) != tab_line(self.map.target.blocks[t]):
            # The translator made this cell their own (another framework tab): theirs to delete.
            self.unit(UnitStatus.DELETED, UnitAction.SKIP, "", kind="code", line=old.start_line, old_source=old.raw,
                      translation=self.map.target_raw(t), words=0,
                      why="deleted upstream, but the translation's copy is for another framework tab: kept")
            return
        self.delete_block(self.map, t)
        self.unit(UnitStatus.DELETED, UnitAction.DROP, "", kind=str(old.kind), line=old.start_line,
                  old_source=old.raw, translation=self.map.target_raw(t), words=0,
                  why="deleted upstream: removed from the translation")

    # --- the result ---------------------------------------------------------------------------
    def _section_plan(self) -> SectionPlan:
        units = tuple(self.units)
        return SectionPlan(
            self.path, units, count_units(units, self.target_text), disjoint(self.edits), self.new_text,
            self.target_text, self.origin_text, self.status,
            words=sum(u.words for u in units if u.status != UnitStatus.DELETED and u.action != UnitAction.SKIP),
            words_reused=sum(u.words for u in units if reused(u)),
            characters=sum(len(u.source) for u in units if u.needs_translation),
            warnings=self.map.warnings + tuple(self.warnings),
            translator_blocks=self._translator_blocks(), eol=self.eol)

    def _translator_blocks(self) -> tuple[str, ...]:
        out = []
        for t, block in enumerate(self.map.target.blocks):
            if block.kind == BlockKind.BLANK or t in self.anchored:
                continue
            lines = strip_review_comments(block.raw).strip().splitlines()
            what = " ".join(lines[:2] if block.kind == BlockKind.CODE else lines[:1]) or str(block.kind)
            out.append(f"line {block.start_line}: {what[:80]}")
        return tuple(out)


