"""A whole book → aligned pairs: every section aligned once, cached by content, on all cores.

Alignment is a pure function of the two texts and the languages, so its result is cached by
content (`amts.engine.align.cache`): re-running on an unchanged book reads the cache instead of
segmenting again. Cache misses run in worker processes that end with their parent
(`amts.engine.align.workers`), since segmentation and the bead DP are CPU-bound.

What cannot be aligned is skipped with a reason and the rest goes on: a file that cannot be read
(not UTF-8, a FIFO or device named `*.md`), or a section larger than `MAX_SECTION_BYTES`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from amts.engine.align.cache import ALIGNER_VERSION, AlignmentCache, cache_key
from amts.engine.align.pairs import AlignedPair, AlignmentWarning, SectionAlignmentResult, Side
from amts.engine.align.workers import run_in_workers
from amts.engine.book import Book, Section, SkippedFile, read_markdown_file
from amts.engine.errors import AmtsError
from amts.engine.markup.segment import segmenter_for

#: A section file larger than this is not aligned: time and memory grow linearly with its size, and
#: a d2l section is under 0.1 MB, so this is a file that should be split (or not a section at all).
MAX_SECTION_BYTES = 4_000_000
_MIN_SECTIONS_FOR_WORKERS = 4  # below this, starting worker processes costs more than it saves

# What the sync planner (amts.engine.sync.prepare) shares with align: the same cache and keys.
alignment_cache_key = cache_key
__all__ = ["ALIGNER_VERSION", "MAX_SECTION_BYTES", "AlignmentCache", "BookAlignment", "SectionAlignmentResult",
           "align_book", "align_texts", "alignment_cache_key"]


@dataclass(frozen=True, slots=True)
class BookAlignment:
    book: Book
    sections: tuple[SectionAlignmentResult, ...]
    skipped: tuple[SkippedFile, ...] = field(default=())
    warnings: tuple[AlignmentWarning, ...] = field(default=())

    @property
    def splitters(self) -> tuple[str, str]:
        """How each language of the book is split into sentences (source, target), one line each."""
        return segmenter_for(self.book.source_lang), segmenter_for(self.book.target_lang)

    def pairs(self, granularity: str = "sentence") -> list[AlignedPair]:
        return [p for s in self.sections for p in s.pairs(granularity)]

    @property
    def cached_sections(self) -> int:
        return sum(s.cached for s in self.sections)


def align_texts(name: str, source_text: str, target_text: str, source_lang: str, target_lang: str,
                source_display: str = "", target_display: str = "") -> SectionAlignmentResult:
    """Align one section's texts; warnings name the file (source or target) and line."""
    from amts.engine.align.document import align_document  # imported on first use: a warm run never needs it

    result = align_document(source_text, target_text, source_lang, target_lang, path=name)
    files = {Side.SOURCE: source_display or name, Side.TARGET: target_display or name}
    warnings = tuple(replace(w, file=files[w.side]) for w in result.warnings)
    return SectionAlignmentResult(name, tuple(result.paragraph_pairs), tuple(result.sentence_pairs), warnings)


def _align_job_of(job: tuple[str, tuple]) -> SectionAlignmentResult:
    return align_texts(*job[1])


def _too_large(section: Section, book: Book) -> SkippedFile | None:
    for path in (section.source_path, section.target_path):
        try:
            size = path.stat().st_size
        except OSError:
            continue  # reading it will say what is wrong
        if size > MAX_SECTION_BYTES:
            return SkippedFile(_display(book, path), f"section too large to align: {size / 1e6:.1f} MB, over the "
                               f"{MAX_SECTION_BYTES / 1e6:.0f} MB a file may have; split it into smaller sections")
    return None


def align_book(book: Book, *, workdir: Path | None = None, jobs: int | None = None,
               on_progress: Callable[[int, int], None] | None = None,
               exclude: Callable[[str], bool] | None = None) -> BookAlignment:
    """Align every section of a book. Sections that cannot be read or are too large are skipped
    with a reason."""
    cache = AlignmentCache(workdir)
    done: dict[str, SectionAlignmentResult] = {}
    todo: list[tuple[str, tuple]] = []
    skipped: list[SkippedFile] = list(book.skipped)
    order: list[str] = []
    for section in book.sections:
        if exclude and exclude(section.name):
            continue
        too_large = _too_large(section, book)
        if too_large:
            skipped.append(too_large)
            continue
        try:
            src = read_markdown_file(section.source_path, _display(book, section.source_path))
            tgt = read_markdown_file(section.target_path, _display(book, section.target_path))
        except AmtsError as exc:
            skipped.append(SkippedFile(exc.path or section.name, exc.message, exc.line))
            continue
        order.append(section.name)
        key = cache_key(src, tgt, book.source_lang, book.target_lang)
        hit = cache.get(section.name, key)
        if hit is not None:
            done[section.name] = hit
        else:
            args = (section.name, src, tgt, book.source_lang, book.target_lang,
                    _display(book, section.source_path), _display(book, section.target_path))
            todo.append((key, args))
    total = len(order)
    if on_progress:
        on_progress(len(done), total)
    workers = min(jobs or os.cpu_count() or 1, len(todo))

    def finished(job: tuple[str, tuple], result: SectionAlignmentResult) -> None:
        cache.put(job[0], result)
        done[result.name] = result
        if on_progress:
            on_progress(len(done), total)

    if workers > 1 and len(todo) >= _MIN_SECTIONS_FOR_WORKERS:
        # Largest sections first, so that no worker is left with one big file at the end.
        todo.sort(key=lambda item: -len(item[1][1]))
        # Imported before the workers fork, so that they share it instead of each importing it
        # (and pysbd); not imported at all when everything comes from the cache.
        import amts.engine.align.document  # noqa: F401
        run_in_workers(_align_job_of, todo, workers, finished)
    else:
        for job in todo:
            finished(job, _align_job_of(job))
    sections = tuple(done[name] for name in order)
    warnings = tuple(w for s in sections for w in s.warnings)
    return BookAlignment(book, sections, tuple(skipped), warnings)


def _display(book: Book, path: Path) -> str:
    try:
        return path.relative_to(book.root).as_posix()
    except ValueError:
        return str(path)
