"""Benchmark: the whole shared d2l-zh book from files to exported sentence pairs.

Prints wall time cold (empty cache) and warm (unchanged book, cache hit), sentences per second
and peak memory. Run by hand:  .venv/bin/python bench/bench_align.py [BOOK] [--jobs N]
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from amts.engine.align.book_alignment import align_book  # noqa: E402
from amts.engine.book import open_book  # noqa: E402
from amts.engine.paralleldata.write import write_parallel_data  # noqa: E402


def run_once(book_path: Path, workdir: Path, out: Path, jobs: int | None) -> tuple[float, int, int]:
    started = time.perf_counter()
    book = open_book(book_path)
    alignment = align_book(book, workdir=workdir, jobs=jobs)
    pairs = alignment.pairs("sentence")
    report = write_parallel_data(pairs, out, "csv", book.source_lang, book.target_lang)
    return time.perf_counter() - started, len(pairs), report.written


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("book", nargs="?", type=Path, default=REPO.parent / "shared" / "d2l" / "d2l-zh")
    ap.add_argument("--jobs", type=int, default=None)
    args = ap.parse_args()
    if not args.book.exists():
        print(f"skipped: {args.book} is absent")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        workdir, out = Path(tmp) / "work", Path(tmp) / "pairs.csv"
        cold, pairs, written = run_once(args.book, workdir, out, args.jobs)
        warm, _, _ = run_once(args.book, workdir, out, args.jobs)
    peak_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    peak_children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"book: {args.book}")
    print(f"sentence pairs aligned: {pairs}, written to CSV: {written}")
    print(f"cold (empty cache): {cold:.2f} s  ({pairs / cold:,.0f} sentence pairs/s)")
    print(f"warm (unchanged book): {warm:.2f} s  ({pairs / warm:,.0f} sentence pairs/s)")
    print(f"peak memory: main process {peak_self:.0f} MiB, largest worker {peak_children:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
