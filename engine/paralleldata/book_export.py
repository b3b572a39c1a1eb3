"""A whole book → one parallel-data file: align (cached), split what is too long, write.

What `amts-tui align` does, without the printing: the book is aligned with the work directory as
cache, and at paragraph granularity a pair with a side over Amazon's 1000 bytes is cut at its
aligned sentence boundaries (`paragraph_splitter`) instead of being dropped.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from amts.engine.align.book_alignment import BookAlignment, align_book
from amts.engine.align.pairs import AlignedPair
from amts.engine.book import Book
from amts.engine.errors import AmtsError
from amts.engine.paralleldata.exclusions import ExclusionStore
from amts.engine.paralleldata.write import MAX_SEGMENT_BYTES, ExportReport, Splitter, utf8_len, write_parallel_data

_FORMAT_OF_SUFFIX = {".tsv": "tsv", ".tmx": "tmx", ".jsonl": "jsonl"}


def format_for(output: Path, fmt: str | None = None) -> str:
    """The format to write: the one asked for, else the output file's extension's, else csv."""
    return fmt or _FORMAT_OF_SUFFIX.get(Path(output).suffix.lower(), "csv")


def paragraph_splitter(alignment: BookAlignment) -> Splitter:
    """Split a too-long paragraph pair at its aligned sentence boundaries (Amazon's 1000 bytes).

    The paragraph's sentence pairs are regrouped greedily into the fewest pieces that fit, so
    nothing aligned is lost; a single sentence over the limit still cannot be kept.
    """
    by_section = {s.name: s.sentence_pairs for s in alignment.sections}

    def split(pair: AlignedPair) -> list[AlignedPair] | None:
        inside = [
            s for s in by_section.get(pair.path, ())
            if s.source and s.target and s.source in pair.source and s.target in pair.target
            and pair.source_line <= s.source_line and pair.target_line <= s.target_line
        ]
        if not inside:
            return None
        pieces: list[AlignedPair] = []
        for s in inside:
            if pieces:
                last = pieces[-1]
                joined_src = f"{last.source} {s.source}"
                joined_tgt = last.target + ("" if alignment.book.target_lang in ("zh", "ja") else " ") + s.target
                if utf8_len(joined_src) <= MAX_SEGMENT_BYTES and utf8_len(joined_tgt) <= MAX_SEGMENT_BYTES:
                    pieces[-1] = AlignedPair(joined_src, joined_tgt, min(last.confidence, s.confidence),
                                             "n-n", "paragraph", last.path, last.source_line, last.target_line)
                    continue
            pieces.append(AlignedPair(s.source, s.target, s.confidence, s.bead, "paragraph", s.path,
                                      s.source_line, s.target_line))
        return pieces

    return split


@dataclass(frozen=True, slots=True)
class BookExport:
    """The alignment the export came from, what was written (None: nothing aligned, nothing
    written), and how long it took."""

    alignment: BookAlignment
    report: ExportReport | None
    seconds: float


def export_book(book: Book, output: Path, *, granularity: str = "sentence", fmt: str | None = None,
                min_confidence: float = 0.0, workdir: Path | None = None, jobs: int | None = None) -> BookExport:
    """Align `book` (cached in `workdir`) and write its pairs at `granularity` to `output`."""
    if not 0.0 <= min_confidence <= 1.0:
        raise AmtsError("--min-confidence must be between 0 and 1")
    started = time.perf_counter()
    alignment = align_book(book, workdir=workdir, jobs=jobs)
    pairs = alignment.pairs(granularity)
    if not pairs:
        return BookExport(alignment, None, time.perf_counter() - started)
    splitter = paragraph_splitter(alignment) if granularity == "paragraph" else None
    exclusions = ExclusionStore.for_book(workdir, book.root).read() if workdir is not None else None
    report = write_parallel_data(pairs, output, format_for(output, fmt), book.source_lang, book.target_lang,
                                 min_confidence=min_confidence, splitter=splitter, exclusions=exclusions)
    return BookExport(alignment, report, time.perf_counter() - started)
