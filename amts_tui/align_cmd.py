"""`amts-tui align`: a translated book → Amazon Translate parallel data, with a summary."""

from __future__ import annotations

import argparse
import sys
import time

from amts.engine.align.book_alignment import BookAlignment, align_book
from amts.engine.align.pairs import AlignedPair
from amts.engine.book import open_book
from amts.engine.errors import AmtsError
from amts.engine.paralleldata.write import MAX_SEGMENT_BYTES, utf8_len, write_parallel_data

EXIT_OK, EXIT_PARTIAL, EXIT_USAGE = 0, 1, 2


def sentence_splitter(alignment: BookAlignment):
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


def run_align(args: argparse.Namespace) -> int:
    fmt = args.format or {".tsv": "tsv", ".tmx": "tmx", ".jsonl": "jsonl"}.get(args.output.suffix.lower(), "csv")
    if not 0.0 <= args.min_confidence <= 1.0:
        raise AmtsError("--min-confidence must be between 0 and 1")
    book = open_book(args.book, source=args.source, target=args.target,
                     source_lang=args.source_lang, target_lang=args.target_lang)
    started = time.perf_counter()
    alignment = align_book(book, workdir=args.workdir, jobs=args.jobs)
    pairs = alignment.pairs(args.granularity)
    if not pairs:
        for skipped in alignment.skipped:
            print(f"skipped {skipped}", file=sys.stderr)
        print("amts-tui align: error: nothing to export (no aligned pairs)", file=sys.stderr)
        return EXIT_USAGE
    splitter = sentence_splitter(alignment) if args.granularity == "paragraph" else None
    report = write_parallel_data(pairs, args.output, fmt, book.source_lang, book.target_lang,
                                 min_confidence=args.min_confidence, splitter=splitter)
    seconds = time.perf_counter() - started
    for warning in alignment.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    for skipped in alignment.skipped:
        print(f"skipped {skipped}", file=sys.stderr)
    print(f"{len(alignment.sections)} sections aligned ({alignment.cached_sections} from cache), "
          f"{len(alignment.skipped)} files skipped, {len(alignment.warnings)} warnings, {seconds:.2f} s")
    for splitter in dict.fromkeys(alignment.splitters):
        print(f"sentences of {splitter}")
    for line in report.summary_lines():
        print(line)
    return EXIT_PARTIAL if alignment.skipped else EXIT_OK
