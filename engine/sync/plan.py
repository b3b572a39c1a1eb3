"""Plan a whole-book sync: which sections changed upstream and how each translation is patched.

Sections are matched by path: `NAME.md` of the upstream book ↔ `NAME_origin.md` + `NAME.md` of
the translation repo. A section whose `NAME_origin.md` equals upstream is left exactly as it is
(nothing aligned). A section new upstream becomes a new pair (every unit new); a section the
upstream no longer has is reported, never deleted. The changed sections are aligned first (in
worker processes, cached in the work directory when one is given), because their sentence pairs
also form the book's memory, which finds the human translation of a sentence that moved.
"""

from __future__ import annotations

import json
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from amts.engine.book import ORIGIN_SUFFIX, Book, SkippedFile, open_book, read_markdown_file
from amts.engine.cost import estimate_cost
from amts.engine.errors import AmtsError
from amts.engine.sync.book_memory import BookMemory
from amts.engine.sync.plan_cache import book_digest, cached_plan, section_key, store_plan
from amts.engine.sync.prepare import CacheMiss, Sentences, SyncCache, prepare_job, prepare_section
from amts.engine.sync.provenance import PROVENANCE_FILE, pending_machine_text, read_provenance, text_digest
from amts.engine.sync.section import DEFAULT_EDIT_THRESHOLD, SectionPlanner, untouched_section_plan
from amts.engine.sync.translation_map import TranslationMap
from amts.engine.sync.units import SectionPlan, SyncPlan

__all__ = ["DEFAULT_COST_VARIANT", "PROVENANCE_FILE", "plan_sync", "read_provenance", "text_digest"]

#: `--write` runs one ACT batch job (with the book's parallel data): priced at the ACT rate.
DEFAULT_COST_VARIANT = "act-sync"
_PARALLEL_FROM = 8  # sections to prepare; below this a process pool costs more than it saves


def _markdown_files(root: Path) -> dict[str, Path]:
    files = {}
    for path in root.rglob("*.md"):
        rel = path.relative_to(root)
        if any(part.startswith(".") or part == "_build" for part in rel.parts):
            continue
        files[rel.as_posix()] = path
    return files


def plan_sync(book: Book | Path, upstream: Path, *, edit_threshold: float = DEFAULT_EDIT_THRESHOLD,
              cost_variant: str = DEFAULT_COST_VARIANT, jobs: int | None = None,
              workdir: Path | None = None) -> SyncPlan:
    """Plan the sync of a translation repo with its upstream source book (no file is written).

    `workdir` holds the alignment and sentence caches (none without it); `cost_variant` prices
    the characters to machine-translate (`act-*`: ACT batch rate, else standard)."""
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
    cache = SyncCache(workdir)
    digest = book_digest([*shared, *((name, "", "", new) for name, new in fresh),
                          ("", "", json.dumps(provenance, sort_keys=True), "")],
                         book.source_lang, book.target_lang, edit_threshold)
    sections = _cached_plans(cache, digest, shared, fresh) if workdir is not None else None
    if sections is None:
        sections = _plan_sections(shared, fresh, book, provenance, edit_threshold, workdir, jobs)
        for planned in sections:
            store_plan(cache, section_key(digest, planned.path), planned)
    sections.sort(key=lambda s: s.path)
    words = sum(s.words for s in sections)
    characters = sum(s.characters for s in sections)
    return SyncPlan(
        book.root, upstream, book.source_lang, book.target_lang, tuple(sections),
        sum(s.words_reused for s in sections) / words if words else 1.0,
        characters, estimate_cost({cost_variant: characters})[0], deleted, tuple(skipped))


def _cached_plans(cache: SyncCache, digest: str, shared: list, fresh: list) -> list[SectionPlan] | None:
    """Every section's plan from the cache, or None when any is missing."""
    out = []
    for name, old, target, new in [*shared, *((name, "", "", new) for name, new in fresh)]:
        plan = cached_plan(cache, section_key(digest, name), new, target, old)
        if plan is None:
            return None
        out.append(plan)
    return out


def _plan_sections(shared: list, fresh: list, book: Book, provenance: dict, edit_threshold: float,
                   workdir: Path | None, jobs: int | None) -> list[SectionPlan]:
    # Sections whose source did not move are not aligned, unless a section new upstream may
    # find its sentences translated there (the book's memory is made of aligned sections).
    prepared = _prepare_all(
        [(name, old, target, new, book.source_lang, book.target_lang, workdir, old != new or bool(fresh))
         for name, old, target, new in shared]
        + [(name, "", "", new, book.source_lang, book.target_lang, workdir, False) for name, new in fresh], jobs)
    memory = _book_memory({name: m for name, (m, _) in prepared.items() if m is not None}, SyncCache(workdir))
    sections: list[SectionPlan] = []
    for name, old, target, new in shared:
        mapping, sentences = prepared[name]
        if mapping is None or old == new:
            sections.append(untouched_section_plan(name, old, target, sentences, book.source_lang,
                                                   pending_machine_text(provenance, name, target)))
        else:
            sections.append(SectionPlanner(name, mapping, new, book.source_lang, book.target_lang, memory,
                                           sentences, old, edit_threshold).plan())
    for name, new in fresh:
        sections.append(SectionPlanner(name, None, new, book.source_lang, book.target_lang, memory,
                                       prepared[name][1], "", edit_threshold).plan())
    memory.save()
    return sections


def _prepare_all(items: list[tuple], jobs: int | None) -> dict[str, tuple[TranslationMap | None, Sentences]]:
    """Maps and sentence splits of every section: from the cache, else in worker processes."""
    done: dict[str, tuple[TranslationMap | None, Sentences]] = {}
    todo = []
    for args in items:
        name, old, target, new, source_lang, target_lang, workdir, with_map = args
        if workdir is None or len(items) < _PARALLEL_FROM:
            todo.append(args)
            continue
        try:  # a warm cache answers in the parent: no pool to start
            done[name] = prepare_section(name, old, target, new, source_lang, target_lang, workdir, with_map,
                                         cached_only=True)
        except CacheMiss:
            todo.append(args)
    workers = min(jobs or os.cpu_count() or 1, len(todo))
    if workers > 1 and len(todo) >= _PARALLEL_FROM:
        todo.sort(key=lambda a: -len(a[1]) - len(a[3]))  # biggest first
        with ProcessPoolExecutor(max_workers=workers) as pool:
            for args, result in zip(todo, pool.map(prepare_job, todo, chunksize=1)):
                done[args[0]] = result
    else:
        for args in todo:
            done[args[0]] = prepare_job(args)
    return done


def _book_memory(maps: dict[str, TranslationMap], cache: SyncCache) -> BookMemory:
    """Human sentence translations of the aligned sections (machine text awaiting review is not
    a human translation: it never comes back from the memory as if it were one)."""
    pairs = []
    for m in maps.values():
        for bead in m.beads:
            if len(bead.sentences) == 1 and bead.targets and bead.placed and not m.is_machine_text(bead):
                i, k = bead.sentences[0]
                pairs.append((m.sentences[i][k], m.bead_text(bead)))
    return BookMemory(pairs, cache)


def _rel(book: Book, path: Path) -> str:
    try:
        return path.relative_to(book.root).as_posix()
    except ValueError:
        return str(path)
