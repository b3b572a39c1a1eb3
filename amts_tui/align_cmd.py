"""`amts-tui align`: a translated book → Amazon Translate parallel data, with a summary.

amts.engine.paralleldata.book_export aligns and writes; this module reads the arguments and prints.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from amts.engine.book import open_book
from amts.engine.paralleldata.book_export import export_book
from amts.engine.workdir import resolve_workdir
from amts.engine.write_targets import check_output_file
from amts.tui.exit_status import ExitStatus

DESCRIPTION = ("Parallel data from a translated book (CSV, TSV, TMX, JSONL). Exit status: 0 everything "
               "exported, 1 something skipped (the warnings say what and where), 2 usage error or "
               "nothing exportable.")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("book", nargs="?", type=Path, help="a d2lbook translation repo")
    p.add_argument("--source", type=Path, help="source tree (with --target)")
    p.add_argument("--target", type=Path, help="target tree (with --source)")
    p.add_argument("--source-lang", help="source language (default: the book's origin_lang)")
    p.add_argument("--target-lang", help="target language (default: the book's lang)")
    p.add_argument("--granularity", choices=("sentence", "paragraph"), default="sentence")
    p.add_argument("--format", choices=("csv", "tsv", "tmx", "jsonl"),
                   help="default: from the output file's extension, else csv")
    p.add_argument("--min-confidence", type=float, default=0.0, metavar="X",
                   help="drop pairs whose alignment confidence is below X (0..1)")
    p.add_argument("-o", "--output", type=Path, required=True, help="the file to write")
    p.add_argument("--workdir", type=Path, help="cache folder (default: $AMTS_WORKDIR, else .amts)")
    p.add_argument("--jobs", type=int, default=None, help="worker processes (default: all cores)")


def run(args: argparse.Namespace) -> int:
    book = open_book(args.book, source=args.source, target=args.target,
                     source_lang=args.source_lang, target_lang=args.target_lang)
    # Before the (slow) alignment: never over a section, a device or a folder.
    trees = [tree for tree in (args.book, args.source, args.target) if tree is not None]
    check_output_file(args.output, input_trees=trees)
    export = export_book(book, args.output, granularity=args.granularity, fmt=args.format,
                         min_confidence=args.min_confidence, workdir=resolve_workdir(args.workdir),
                         jobs=args.jobs)
    alignment = export.alignment
    if export.report is None:
        for skipped in alignment.skipped:
            print(f"skipped {skipped}", file=sys.stderr)
        print("amts-tui align: error: nothing to export (no aligned pairs)", file=sys.stderr)
        return ExitStatus.USAGE
    for warning in alignment.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    for skipped in alignment.skipped:
        print(f"skipped {skipped}", file=sys.stderr)
    print(f"{len(alignment.sections)} sections aligned ({alignment.cached_sections} from cache), "
          f"{len(alignment.skipped)} files skipped, {len(alignment.warnings)} warnings, {export.seconds:.2f} s")
    for splitter in dict.fromkeys(alignment.splitters):
        print(f"sentences of {splitter}")
    for line in export.report.summary_lines():
        print(line)
    return ExitStatus.PARTIAL if alignment.skipped else ExitStatus.OK
