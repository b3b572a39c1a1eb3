"""A whole book → aligned pairs: every section aligned once, cached by content, on all cores.

Alignment is a pure function of the two texts and the languages, so its result is cached under
a hash of exactly those (plus the aligner's version): re-running on an unchanged book reads the
cache instead of segmenting again. Cache misses run in a process pool, since pysbd is CPU-bound.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

from amts.engine.align.pairs import AlignedPair
from amts.engine.atomic import write_text_atomic
from amts.engine.book import Book, SkippedFile, read_markdown_file
from amts.engine.errors import AmtsError

#: Bump when alignment output changes, so that old cache entries are not reused.
ALIGNER_VERSION = "4"  # 4: a sync review comment ends the sentence it follows


@dataclass(frozen=True, slots=True)
class SectionAlignmentResult:
    name: str
    paragraph_pairs: tuple[AlignedPair, ...]
    sentence_pairs: tuple[AlignedPair, ...]
    warnings: tuple[SkippedFile, ...] = ()
    cached: bool = False

    def pairs(self, granularity: str) -> tuple[AlignedPair, ...]:
        return self.sentence_pairs if granularity == "sentence" else self.paragraph_pairs


@dataclass(frozen=True, slots=True)
class BookAlignment:
    book: Book
    sections: tuple[SectionAlignmentResult, ...]
    skipped: tuple[SkippedFile, ...] = field(default=())
    warnings: tuple[SkippedFile, ...] = field(default=())

    def pairs(self, granularity: str = "sentence") -> list[AlignedPair]:
        return [p for s in self.sections for p in s.pairs(granularity)]

    @property
    def cached_sections(self) -> int:
        return sum(s.cached for s in self.sections)


def alignment_cache_key(source_text: str, target_text: str, source_lang: str, target_lang: str) -> str:
    """The cache key of one section's alignment (the aligner's version, the languages, both texts)."""
    h = hashlib.sha256()
    for part in (ALIGNER_VERSION, source_lang, target_lang, source_text, "\0", target_text):
        h.update(part.encode("utf-8"))
    return h.hexdigest()


def _to_json(result: SectionAlignmentResult) -> str:
    return json.dumps({
        "paragraph_pairs": [asdict(p) for p in result.paragraph_pairs],
        "sentence_pairs": [asdict(p) for p in result.sentence_pairs],
        "warnings": [asdict(w) for w in result.warnings],
    }, ensure_ascii=False)


def _from_json(name: str, text: str) -> SectionAlignmentResult:
    data = json.loads(text)
    return SectionAlignmentResult(
        name,
        tuple(AlignedPair(**p) for p in data["paragraph_pairs"]),
        tuple(AlignedPair(**p) for p in data["sentence_pairs"]),
        tuple(SkippedFile(**w) for w in data["warnings"]),
        cached=True,
    )


def align_texts(name: str, source_text: str, target_text: str, source_lang: str, target_lang: str,
                source_display: str = "", target_display: str = "") -> SectionAlignmentResult:
    """Align one section's texts; warnings name the file (source or target) and line."""
    from amts.engine.align.document import align_document  # imported here: worker processes import it once

    result = align_document(source_text, target_text, source_lang, target_lang, path=name)
    warnings = tuple(
        _locate(message, line, source_display or name, target_display or name)
        for message, line in result.warnings
    )
    return SectionAlignmentResult(name, tuple(result.paragraph_pairs), tuple(result.sentence_pairs), warnings)


_TARGET_LINE = re.compile(r"^target paragraph at target line (\d+) (.*)$")


def _locate(message: str, line: int, source_file: str, target_file: str) -> SkippedFile:
    """Name the file a warning's line belongs to: the aligner's lines are source lines unless
    the warning is about the target (a parse warning of the translation, a target paragraph)."""
    if message.startswith("target: "):
        return SkippedFile(target_file, message.removeprefix("target: "), line or None)
    if message.startswith("source: "):
        return SkippedFile(source_file, message.removeprefix("source: "), line or None)
    target_line = _TARGET_LINE.match(message)
    if target_line:
        return SkippedFile(target_file, f"target paragraph {target_line.group(2)}", int(target_line.group(1)))
    return SkippedFile(source_file, message, line or None)


def _align_job(args: tuple) -> SectionAlignmentResult:
    return align_texts(*args)


class AlignmentCache:
    """Section alignments on disk under WORKDIR/cache/align, keyed by content hash."""

    def __init__(self, workdir: Path | None):
        self.root = Path(workdir) / "cache" / "align" if workdir else None

    def get(self, name: str, key: str) -> SectionAlignmentResult | None:
        if self.root is None:
            return None
        try:
            return _from_json(name, (self.root / f"{key}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError, TypeError, KeyError):
            return None  # a missing or damaged entry is just a miss

    def put(self, key: str, result: SectionAlignmentResult) -> None:
        if self.root is None:
            return
        try:
            write_text_atomic(self.root / f"{key}.json", _to_json(result))
        except (OSError, AmtsError):
            pass  # an unwritable work directory costs speed, never correctness


def align_book(book: Book, *, workdir: Path | None = None, jobs: int | None = None,
               on_progress: Callable[[int, int], None] | None = None,
               exclude: Callable[[str], bool] | None = None) -> BookAlignment:
    """Align every section of a book. Sections that cannot be read are skipped with a reason."""
    cache = AlignmentCache(workdir)
    done: dict[str, SectionAlignmentResult] = {}
    todo: list[tuple[str, tuple]] = []
    skipped: list[SkippedFile] = list(book.skipped)
    order: list[str] = []
    for section in book.sections:
        if exclude and exclude(section.name):
            continue
        try:
            src = read_markdown_file(section.source_path, _display(book, section.source_path))
            tgt = read_markdown_file(section.target_path, _display(book, section.target_path))
        except AmtsError as exc:
            skipped.append(SkippedFile(exc.path or section.name, exc.message, exc.line))
            continue
        order.append(section.name)
        key = alignment_cache_key(src, tgt, book.source_lang, book.target_lang)
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
    if workers > 1 and len(todo) >= 4:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            # Largest sections first, so that no worker is left with one big file at the end.
            todo.sort(key=lambda item: -len(item[1][1]))
            results = pool.map(_align_job, [args for _, args in todo], chunksize=1)
            for (key, _), result in zip(todo, results):
                cache.put(key, result)
                done[result.name] = result
                if on_progress:
                    on_progress(len(done), total)
    else:
        for key, args in todo:
            result = _align_job(args)
            cache.put(key, result)
            done[result.name] = result
            if on_progress:
                on_progress(len(done), total)
    sections = tuple(done[name] for name in order)
    warnings = tuple(w for s in sections for w in s.warnings)
    return BookAlignment(book, sections, tuple(skipped), warnings)


def _display(book: Book, path: Path) -> str:
    try:
        return path.relative_to(book.root).as_posix()
    except ValueError:
        return str(path)
