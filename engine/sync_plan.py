"""Plan a whole-book sync: which sections changed upstream and what each unit of them needs.

Sections are matched by path: `NAME.md` of the upstream book ↔ `NAME_origin.md` + `NAME.md` of
the translation repo. A section new upstream becomes a new pair (every unit new); a section the
upstream no longer has is reported, never deleted. The old source ↔ translation alignments run
first (in worker processes: pysbd is CPU-bound), because their sentence pairs also form the
book's memory, which finds the human translation of a sentence that moved to another paragraph.
"""

from __future__ import annotations

import json
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path

from engine.book import ORIGIN_SUFFIX, Book, SkippedFile, open_book, read_markdown_file
from engine.cost import estimate_cost
from engine.errors import AmtsError
from engine.sync_match import TranslationMap, map_translation, normalise
from engine.sync_section import DEFAULT_EDIT_THRESHOLD, SectionPlanner
from engine.sync_units import SectionPlan, SyncPlan
from engine.tm import TranslationMemory

#: Where apply records the machine-translated units awaiting review (relative to the book).
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

    maps = _map_all([(name, old, target) for name, old, target, _ in shared],
                    book.source_lang, book.target_lang, jobs)
    memory = TranslationMemory(
        ((m.sentences[bead.sentences[0][0]][bead.sentences[0][1]], bead.target)
         for m in maps for bead in m.beads if len(bead.sentences) == 1 and bead.target.strip()),
        min_score=MEMORY_MIN_SCORE)
    provenance = read_provenance(book.root)
    sections: list[SectionPlan] = []
    for (name, old, target, new), mapping in zip(shared, maps):
        pending = pending_machine_text(provenance, name, target)
        plan = SectionPlanner(name, mapping, new, book.source_lang, book.target_lang, memory, pending,
                              edit_threshold, merged_paragraphs(provenance, name)).plan()
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
