"""Benchmark: every edition of the book (zh, ja, ko, vi, tr) as one portfolio, plus huge sections.

For each edition: sentence pairs, pairs written, warnings, skipped files, seconds cold (empty
cache) and warm (unchanged book), peak memory — each edition in a fresh process, so that its
figures are its own — and the wall time of `amts-tui align` on it as a user runs it. Then synthetic
one-section books of 1 MB and 20 MB (real d2l-zh sections concatenated, the book repeated as
needed): seconds and peak memory, or the message that skipped the section.
Run by hand:  .venv/bin/python bench/bench_editions.py [--jobs N] [--only zh,ko] [--sizes 1,20]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared" / "d2l"
EDITIONS = {"zh": SHARED / "d2l-zh", **{lang: SHARED / "editions" / f"d2l-{lang}" for lang in ("ja", "ko", "vi", "tr")}}
AMTS = REPO / ".venv" / "bin" / "amts-tui"


def _peak_mib() -> tuple[float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def measure_edition(book_path: Path, jobs: int | None) -> dict:
    """One edition, cold then warm, in this process (run it in a fresh one)."""
    from amts.engine.align.book_alignment import align_book
    from amts.engine.book import open_book
    from amts.engine.paralleldata.write import write_parallel_data

    figures: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        for run in ("cold", "warm"):
            started = time.perf_counter()
            book = open_book(book_path)
            alignment = align_book(book, workdir=Path(tmp) / "work", jobs=jobs)
            pairs = alignment.pairs("sentence")
            report = write_parallel_data(pairs, Path(tmp) / "pairs.csv", "csv", book.source_lang, book.target_lang)
            figures[run] = time.perf_counter() - started
        figures.update(pairs=len(pairs), written=report.written, warnings=len(alignment.warnings),
                       skipped=len(alignment.skipped), too_long=report.dropped_too_long,
                       splitters=list(alignment.splitters))
    figures["peak_main_mib"], figures["peak_worker_mib"] = _peak_mib()
    return figures


def cli_seconds(book_path: Path) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        subprocess.run([str(AMTS), "align", str(book_path), "-o", f"{tmp}/pairs.csv", "--workdir", f"{tmp}/work"],
                       capture_output=True, check=False)
        return time.perf_counter() - started


def synthetic_book(megabytes: float, root: Path) -> Path:
    """A d2lbook book with one section: real d2l-zh sections concatenated up to `megabytes` of English."""
    zh = EDITIONS["zh"]
    pairs = sorted(zh.glob("chapter_*/*_origin.md"))
    english, chinese, size = [], [], 0
    while size < megabytes * 1_000_000:
        for origin in pairs:
            text = origin.read_text(encoding="utf-8")
            english.append(text)
            chinese.append(origin.with_name(origin.name.replace("_origin.md", ".md")).read_text(encoding="utf-8"))
            size += len(text.encode("utf-8"))
            if size >= megabytes * 1_000_000:
                break
    chapter = root / "chapter_synthetic"
    chapter.mkdir(parents=True)
    (root / "config.ini").write_text("[project]\nlang = zh\n\n[translation]\norigin_lang = en\n", encoding="utf-8")
    (chapter / "huge_origin.md").write_text("\n".join(english), encoding="utf-8")
    (chapter / "huge.md").write_text("\n".join(chinese), encoding="utf-8")
    return root


def measure_synthetic(megabytes: float) -> dict:
    from amts.engine.align.book_alignment import align_book
    from amts.engine.book import open_book

    with tempfile.TemporaryDirectory() as tmp:
        root = synthetic_book(megabytes, Path(tmp) / "book")
        started = time.perf_counter()
        alignment = align_book(open_book(root), workdir=None, jobs=1)
        seconds = time.perf_counter() - started
    return {"seconds": seconds, "pairs": len(alignment.pairs("sentence")),
            "skipped": [str(s) for s in alignment.skipped], "peak_mib": _peak_mib()[0]}


def _in_fresh_process(*args: str) -> dict:
    done = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, check=False)
    if done.returncode:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit {done.returncode}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jobs", type=int, default=None)
    ap.add_argument("--only", default="zh,ja,ko,vi,tr", help="editions, comma-separated")
    ap.add_argument("--sizes", default="1,20", help="synthetic section sizes in MB ('' for none)")
    ap.add_argument("--edition", type=Path, help=argparse.SUPPRESS)  # one edition, as a child process
    ap.add_argument("--synthetic", type=float, help=argparse.SUPPRESS)  # one synthetic section, as a child
    args = ap.parse_args()
    sys.path.insert(0, str(REPO))
    if args.edition:
        print(json.dumps(measure_edition(args.edition, args.jobs)))
        return 0
    if args.synthetic:
        print(json.dumps(measure_synthetic(args.synthetic)))
        return 0
    print("edition  pairs  written  warnings  skipped  >1000B  cold s  warm s  CLI s  peak MiB (main/worker)")
    for lang in args.only.split(","):
        path = EDITIONS[lang]
        if not path.is_dir():
            print(f"{lang:7s}  skipped: {path} is absent")
            continue
        extra = ["--jobs", str(args.jobs)] if args.jobs else []
        f = _in_fresh_process("--edition", str(path), *extra)
        if "error" in f:
            print(f"{lang:7s}  failed: {f['error']}")
            continue
        print(f"{lang:7s}  {f['pairs']:5d}  {f['written']:7d}  {f['warnings']:8d}  {f['skipped']:7d}"
              f"  {f['too_long']:6d}  {f['cold']:6.2f}  {f['warm']:6.2f}  {cli_seconds(path):5.2f}"
              f"  {f['peak_main_mib']:.0f}/{f['peak_worker_mib']:.0f}")
        print(f"         segmentation: {'; '.join(f['splitters'])}")
    for size in filter(None, args.sizes.split(",")):
        f = _in_fresh_process("--synthetic", size)
        if "error" in f:
            print(f"synthetic {size} MB section: failed: {f['error']}")
        elif f["skipped"]:
            print(f"synthetic {size} MB section: skipped in {f['seconds']:.2f} s, peak {f['peak_mib']:.0f} MiB: "
                  f"{f['skipped'][0]}")
        else:
            print(f"synthetic {size} MB section: {f['pairs']} pairs in {f['seconds']:.2f} s, "
                  f"peak {f['peak_mib']:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
