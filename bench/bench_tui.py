"""Time to first paint of the app, and time to load the whole shared d2l-zh book into Align.

    .venv/bin/python bench/bench_tui.py [--book ../shared/d2l/d2l-zh] [--warm]

Runs headless (App.run_test) at 120x40 with a fresh work directory, so alignment is not cached
unless --warm is given (then it loads twice and reports both).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from amts.tui.app import make_app  # noqa: E402
from amts.tui.settings import Settings  # noqa: E402
from amts.tui.widgets.pair_table import PairTable  # noqa: E402


async def first_paint(work: Path) -> float:
    started = time.perf_counter()
    app = make_app(settings=Settings(work_dir=str(work)))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        return time.perf_counter() - started


async def load_into_align(book: Path, work: Path) -> tuple[float, float, int, int]:
    """(seconds until the pairs are aligned, until the table holds them all, pairs, sections)."""
    app = make_app(settings=Settings(work_dir=str(work)), book_path=book)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        started = time.perf_counter()
        await pilot.press("2")
        while app.session.alignment is None:
            await pilot.pause(0.05)
        aligned = time.perf_counter() - started
        table = app.screen.query_one(PairTable)
        expected = len(app.session.alignment.pairs("sentence"))
        while table.row_count < expected:
            await pilot.pause(0.05)
        await pilot.press("end", "pagedown", "home")  # scrolling the full table still answers
        await pilot.pause()
        return aligned, time.perf_counter() - started, expected, len(app.session.alignment.sections)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--book", type=Path, default=REPO.parent / "shared" / "d2l" / "d2l-zh")
    parser.add_argument("--warm", action="store_true", help="load twice: cold, then from the cache")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["AMTS_CONFIG_DIR"] = tmp
        work = Path(tmp) / "work"
        print(f"time to first paint: {asyncio.run(first_paint(work)):.2f}s")
        if not args.book.exists():
            print(f"{args.book} not found: skipping the whole-book load")
            return
        for run in ("cold", "warm") if args.warm else ("cold",):
            aligned, filled, pairs, sections = asyncio.run(load_into_align(args.book, work))
            print(f"{run}: d2l-zh into Align: {sections} sections, {pairs:,} sentence pairs aligned in "
                  f"{aligned:.2f}s, table filled in {filled:.2f}s")


if __name__ == "__main__":
    main()
