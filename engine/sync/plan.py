"""Plan a whole-book sync: which sections changed upstream and what each unit of them needs.

Sections are matched by path: `NAME.md` of the upstream book ↔ `NAME_origin.md` + `NAME.md` of
the translation repo. A section new upstream becomes a new pair (every unit new); a section the
upstream no longer has is reported, never deleted. The old source ↔ translation alignments run
first (in worker processes: pysbd is CPU-bound), because their sentence pairs also form the
book's memory, which finds the human translation of a sentence that moved to another paragraph.

A section the last sync left settled (its `NAME_origin.md` and `NAME.md` still hash to what that
apply wrote, and upstream has not moved since) is not planned from alignment at all: apply wrote
`NAME.md` unit for unit from the new source, so every unit is known (human, or machine awaiting
review as the sidecar records). Re-aligning it could pair a paragraph differently from the plan
that wrote it (a 6-sentence source paragraph against its 4-line translation) and invent work.
"""

from __future__ import annotations

import hashlib
import json
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path

from amts.engine.book import ORIGIN_SUFFIX, Book, SkippedFile, open_book, read_markdown_file
from amts.engine.cost import estimate_cost
from amts.engine.errors import AmtsError
from amts.engine.markup.markdown import BlockKind, parse_markdown
from amts.engine.paralleldata.memory import TranslationMemory
from amts.engine.sync.section import DEFAULT_EDIT_THRESHOLD, SectionPlanner, word_count
from amts.engine.sync.translation_map import TranslationMap, block_sentences, caption_parts, map_translation, normalise
from amts.engine.sync.units import BlockOutput, SectionPlan, SyncPlan, SyncUnit, TextOrigin, UnitCounts, UnitStatus

#: Where apply records the machine units awaiting review and the hashes of the files it wrote.
PROVENANCE_FILE = Path(".amts") / "sync-provenance.json"
MEMORY_MIN_SCORE = 85.0  # a suggestion from elsewhere in the book must be close to be useful
_PARALLEL_FROM = 8  # sections; below this a process pool costs more than it saves


def _markdown_files(root: Path) -> dict[str, Path]:
    files = {}
    for path in root.rglob("*.md"):
        rel = path.relative_to(root)
        if any(part.startswith(".") or part == "_build" for part in rel.parts):
            continue
        files[rel.as_posix()] = path
    return files


def read_provenance(book_root: Path) -> dict:
    """The sidecar of the last sync (empty when there is none or it cannot be read)."""
    try:
        data = json.loads((Path(book_root) / PROVENANCE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) and isinstance(data.get("sections"), dict) else {}


def pending_machine_text(provenance: dict, path: str, target_text: str) -> dict[str, str]:
    """Source → machine text of the units of a section still marked for review in NAME.md."""
    marker = provenance.get("review_marker", "")
    pending = {}
    for entry in _section_record(provenance, path).get("machine", ()):
        try:
            source, translation = entry["source"], entry["translation"]
        except (TypeError, KeyError):
            continue
        if marker and translation + marker in target_text:
            pending[normalise(source)] = translation
    return pending


def _section_record(provenance: dict, path: str) -> dict:
    record = provenance.get("sections", {}).get(path, {})
    return record if isinstance(record, dict) else {}


def merged_paragraphs(provenance: dict, path: str) -> tuple[str, ...]:
    """Paragraphs of a section that the last sync found translated inside the one before."""
    merged = _section_record(provenance, path).get("merged", ())
    return tuple(m for m in merged if isinstance(m, str)) if isinstance(merged, list) else ()


def text_digest(text: str) -> str:
    """The hash apply records of a file it wrote (of the text exactly as written)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def written_by_last_sync(provenance: dict, path: str, origin_text: str, target_text: str) -> bool:
    """Whether NAME_origin.md and NAME.md are both exactly what the last apply wrote."""
    written = _section_record(provenance, path).get("written")
    return (isinstance(written, dict) and written.get("origin_sha256") == text_digest(origin_text)
            and written.get("target_sha256") == text_digest(target_text))


def settled_section_plan(path: str, new_text: str, target_text: str, source_lang: str,
                         pending: dict[str, str], merged: tuple[str, ...]) -> SectionPlan:
    """The plan of a section the last sync wrote and nobody changed since: nothing to do.

    Its units are the new source's sentences, headings and captions, all unchanged: machine
    text awaiting review where the sidecar says so (with that text), the translators' otherwise
    (their text is not cut per unit: nothing needs it, as `NAME.md` is kept byte for byte as one
    verbatim block, so applying this plan writes nothing).
    """
    units: list[SyncUnit] = []
    for block in parse_markdown(new_text).blocks:
        if block.is_prose:
            kind = "heading" if block.kind == BlockKind.HEADING else "sentence"
            sources = block_sentences(block, source_lang)
        elif block.kind in (BlockKind.IMAGE, BlockKind.LINK):
            parts = caption_parts(block.raw)
            kind, sources = "caption", (normalise(parts[1]),) if parts and normalise(parts[1]) else ()
        else:
            continue
        for source in sources:
            machine = pending.get(normalise(source))
            units.append(SyncUnit(UnitStatus.UNCHANGED, source, machine or "",
                                  TextOrigin.MACHINE if machine is not None else TextOrigin.HUMAN,
                                  source, 100.0, block.start_line, word_count(source, source_lang), kind))
    words = sum(u.words for u in units)
    review = sum(1 for u in units if u.origin == TextOrigin.MACHINE)
    return SectionPlan(
        path, tuple(units), UnitCounts(unchanged=len(units), awaiting_review=review),
        (BlockOutput(target_text),), new_text, target_text, new_text, words=words,
        words_reused=sum(u.words for u in units if u.origin != TextOrigin.MACHINE),
        merged=merged, settled=True)


def _map_job(args: tuple) -> TranslationMap:
    return map_translation(*args)


def plan_sync(book: Book | Path, upstream: Path, *, edit_threshold: float = DEFAULT_EDIT_THRESHOLD,
              cost_variant: str = "no-act", jobs: int | None = None) -> SyncPlan:
    """Plan the sync of a translation repo with its upstream source book (no file is written)."""
    if not isinstance(book, Book):
        book = open_book(Path(book))
    if book.layout != "translation-repo":
        raise AmtsError("sync needs a d2lbook translation repo (NAME_origin.md beside NAME.md)", book.root)
    upstream = Path(upstream)
    if not upstream.is_dir():
        raise AmtsError("upstream source book not found", upstream)
    upstream_files = _markdown_files(upstream)
    skipped: list[SkippedFile] = []
    shared, fresh = [], []
    for section in book.sections:
        if section.name in upstream_files:
            try:
                old = read_markdown_file(section.source_path, _rel(book, section.source_path))
                target = read_markdown_file(section.target_path, _rel(book, section.target_path))
                new = read_markdown_file(upstream_files[section.name], section.name + " (upstream)")
            except AmtsError as exc:
                skipped.append(SkippedFile(exc.path or section.name, exc.message, exc.line))
                continue
            shared.append((section.name, old, target, new))
    known = {s.name for s in book.sections}
    for rel, path in sorted(upstream_files.items()):
        if rel in known or rel.endswith(ORIGIN_SUFFIX) or "/" not in rel:
            continue  # the book's own pages, and top-level files such as README.md
        if (book.root / rel).exists():
            skipped.append(SkippedFile(rel, f"exists in the book without {Path(rel).stem}{ORIGIN_SUFFIX}: "
                                            "not overwritten"))
            continue
        try:
            fresh.append((rel, read_markdown_file(path, rel + " (upstream)")))
        except AmtsError as exc:
            skipped.append(SkippedFile(exc.path or rel, exc.message, exc.line))
    deleted = tuple(s.name for s in book.sections if s.name not in upstream_files)

    provenance = read_provenance(book.root)
    settled = {name for name, old, target, new in shared
               if old == new and written_by_last_sync(provenance, name, old, target)}
    # Every aligned section feeds the book's memory, which only the sections planned from
    # alignment consult: when every section is settled, nothing is aligned at all.
    to_map = shared if fresh or len(settled) < len(shared) else []
    maps = dict(zip((name for name, *_ in to_map),
                    _map_all([(name, old, target) for name, old, target, _ in to_map],
                             book.source_lang, book.target_lang, jobs)))
    pending_by_section = {name: pending_machine_text(provenance, name, target)
                          for name, old, target, new in shared}
    # Machine text still awaiting review is not a human translation: it must never come back
    # from the memory as if it were one.
    machine_texts = {name: {normalise(t) for t in pending.values()}
                     for name, pending in pending_by_section.items()}
    memory = TranslationMemory(
        ((m.sentences[bead.sentences[0][0]][bead.sentences[0][1]], bead.target)
         for name, m in maps.items() for bead in m.beads
         if len(bead.sentences) == 1 and bead.target.strip()
         and not _contains_machine_text(normalise(bead.target), machine_texts.get(name, set()))),
        min_score=MEMORY_MIN_SCORE)
    sections: list[SectionPlan] = []
    for name, old, target, new in shared:
        pending = pending_by_section[name]
        merged = merged_paragraphs(provenance, name)
        if name in settled:
            sections.append(settled_section_plan(name, new, target, book.source_lang, pending, merged))
            continue
        plan = SectionPlanner(name, maps[name], new, book.source_lang, book.target_lang, memory, pending,
                              edit_threshold, merged).plan()
        sections.append(replace(plan, target_text=target, origin_text=old))
    for name, new in fresh:
        sections.append(SectionPlanner(name, None, new, book.source_lang, book.target_lang, memory, {},
                                       edit_threshold).plan())
    sections.sort(key=lambda s: s.path)
    words = sum(s.words for s in sections)
    characters = sum(s.characters for s in sections)
    return SyncPlan(
        book.root, upstream, book.source_lang, book.target_lang, tuple(sections),
        sum(s.words_reused for s in sections) / words if words else 1.0,
        characters, estimate_cost({cost_variant: characters})[0], deleted, tuple(skipped))


def _map_all(items: list[tuple[str, str, str]], source_lang: str, target_lang: str,
             jobs: int | None) -> list[TranslationMap]:
    args = [(old, target, source_lang, target_lang, name) for name, old, target in items]
    workers = min(jobs or os.cpu_count() or 1, len(args))
    if workers > 1 and len(args) >= _PARALLEL_FROM:
        order = sorted(range(len(args)), key=lambda k: -len(args[k][0]))  # biggest first
        with ProcessPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(_map_job, [args[k] for k in order], chunksize=1))
        by_index = dict(zip(order, results))
        return [by_index[k] for k in range(len(args))]
    return [_map_job(a) for a in args]


def _rel(book: Book, path: Path) -> str:
    try:
        return path.relative_to(book.root).as_posix()
    except ValueError:
        return str(path)


def _contains_machine_text(target: str, machine_texts: set[str]) -> bool:
    return target in machine_texts or any(len(t) >= 8 and t in target for t in machine_texts)
