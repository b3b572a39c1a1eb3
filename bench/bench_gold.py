"""Benchmark: strict sentence-alignment F1 on every gold file in ../shared/gold, in one run.

Does what the project's before-stop hook does: a small book per gold set (the edition's own
config.ini and the gold section's two files; the three zh files together, and each alone),
`amts-tui align --granularity sentence --format jsonl`, then ../shared/tools/score_alignment.py.
Prints one F1 per gold file, the three zh dev files together, and the average over all gold files.
Run by hand:
    .venv/bin/python bench/bench_gold.py [--show N]
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
AMTS = REPO / ".venv" / "bin" / "amts-tui"
SECTION = "chapter_convolutional-neural-networks/padding-and-strides"
_F1 = re.compile(r"F1 ([0-9.]+)")


def _copy_section(edition: Path, stem: str, book: Path) -> None:
    (book / stem).parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("_origin.md", ".md"):
        shutil.copy(edition / f"{stem}{suffix}", book / f"{stem}{suffix}")


def _align(book: Path, out: Path) -> None:
    subprocess.run([str(AMTS), "align", str(book), "--granularity", "sentence", "--format", "jsonl",
                    "-o", str(out), "--workdir", str(book.parent / f"{book.name}-work")],
                   check=False, capture_output=True, text=True)


def _score(gold: Path, pairs: Path, lang: str, show: int) -> float:
    done = subprocess.run([sys.executable, str(SHARED / "tools" / "score_alignment.py"), str(gold), str(pairs),
                           "--tgt", lang, "--show", str(show)], capture_output=True, text=True)
    lines = done.stdout.strip().splitlines()
    for line in lines[:-1]:
        print("   ", line)
    found = _F1.search(lines[-1]) if lines else None
    return float(found.group(1)) if found else 0.0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--show", type=int, default=0, help="print N missed gold beads per file")
    args = ap.parse_args()
    gold_dir, zh = SHARED / "gold", SHARED / "d2l" / "d2l-zh"
    if not gold_dir.is_dir() or not zh.is_dir():
        print(f"skipped: {gold_dir} or {zh} is absent")
        return 0
    scores: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        book = tmp / "zh-book"
        book.mkdir()
        shutil.copy(zh / "config.ini", book / "config.ini")
        zh_golds = sorted(gold_dir.glob("*.gold.jsonl"))
        stems = {}
        for gold in zh_golds:
            name = gold.name.removesuffix(".gold.jsonl")
            origin = next(zh.glob(f"chapter_*/{name}_origin.md"))
            stems[gold] = origin.relative_to(zh).as_posix().removesuffix("_origin.md")
            _copy_section(zh, stems[gold], book)
        _align(book, tmp / "zh.jsonl")
        together = tmp / "zh-gold.jsonl"
        together.write_text("".join(g.read_text(encoding="utf-8") for g in zh_golds), encoding="utf-8")
        for gold in zh_golds:  # each file alone: a book of its one section
            alone = tmp / f"zh-{gold.name}"
            alone.mkdir()
            shutil.copy(zh / "config.ini", alone / "config.ini")
            _copy_section(zh, stems[gold], alone)
            _align(alone, tmp / "alone.jsonl")
            scores[f"zh {gold.name.removesuffix('.gold.jsonl')}"] = _score(gold, tmp / "alone.jsonl", "zh", args.show)
        zh_together = _score(together, tmp / "zh.jsonl", "zh", 0)
        for gold in sorted((gold_dir / "editions").glob("*-padding-and-strides.gold.jsonl")):
            lang = gold.name.split("-")[0]
            edition = SHARED / "d2l" / "editions" / f"d2l-{lang}"
            book = tmp / f"{lang}-book"
            book.mkdir()
            shutil.copy(edition / "config.ini", book / "config.ini")
            _copy_section(edition, SECTION, book)
            _align(book, tmp / f"{lang}.jsonl")
            scores[f"{lang} padding-and-strides"] = _score(gold, tmp / f"{lang}.jsonl", lang, args.show)
    for name, f1 in scores.items():
        print(f"{name:45s} F1 {f1:.3f}")
    print(f"{'zh three dev files together':45s} F1 {zh_together:.3f}")
    print(f"{'average over the gold files':45s} F1 {sum(scores.values()) / len(scores):.3f}   "
          f"minimum {min(scores.values()):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
