"""Time to first paint of the app (bare and on the real book), screen switches, time to load
the whole shared d2l-zh book into Align, and what the pair table costs on it.

    .venv/bin/python bench/bench_tui.py [--book ../shared/d2l/d2l-zh] [--warm]

Runs headless (App.run_test) at 120x40 with a fresh work directory, so alignment is not cached
unless --warm is given (then it loads twice and reports both). First paint is the time from
building the app until run_test hands over (the first frame is composed and drawn). A screen
switch is the time from the action until the screen is drawn, less the cost of an idle pause;
switches are measured once the book is aligned and shown in the pair table (nothing else running).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

from textual.worker import WorkerCancelled

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


async def first_paint_on_book(book: Path, work: Path) -> float:
    """Time to the first frame with the real book given on the command line (`--book`)."""
    started = time.perf_counter()
    app = make_app(settings=Settings(work_dir=str(work)), book_path=book)
    async with app.run_test(size=(120, 40)):
        return time.perf_counter() - started


async def handled(pilot) -> None:
    """Until the screen has handled what is queued (twice: handlers queue more). Not
    `pilot.pause()`, which waits for an idle process: never, while a worker aligns."""
    await pilot.pause(0)
    await pilot.pause(0)


async def idle_pause(pilot) -> float:
    started = time.perf_counter()
    await handled(pilot)
    return time.perf_counter() - started


async def settled(app, pilot, table: PairTable | None) -> None:
    """Until no worker runs and the pair table (once the Align screen exists) holds every row it
    was given: a worker may start another as it ends (the batch fill of the DataTable version
    did), so one `wait_for_complete` is not enough."""
    while True:
        try:
            await app.workers.wait_for_complete()
        except WorkerCancelled:  # an exclusive worker replaced by a newer one: wait for that
            pass
        await handled(pilot)
        filled = table is None or table.row_count == len(table.rows_shown)
        if filled and not any(worker.is_running for worker in app.workers):
            return
        await asyncio.sleep(0.01)


async def screen_switches(book: Path | None, work: Path, rounds: int = 3) -> dict[str, list[float]]:
    """Seconds per switch to each screen: the first visit, then `rounds` revisits (from Book),
    each until the screen has handled its messages (layout and paint included)."""
    app = make_app(settings=Settings(work_dir=str(work)), book_path=book, demo=book is None)
    times: dict[str, list[float]] = {}
    table: PairTable | None = None
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await settled(app, pilot, table)
        modes = [m for m in app.MODES if m != "book"]
        for _ in range(rounds + 1):
            for mode in modes:
                for target in (mode, "book"):
                    baseline = await idle_pause(pilot)
                    started = time.perf_counter()
                    app.action_show_screen(target)
                    await handled(pilot)
                    elapsed = time.perf_counter() - started - baseline
                    times.setdefault(target, []).append(max(0.0, elapsed))
                    if target == "align" and table is None:
                        table = app.screen.query_one(PairTable)
                await settled(app, pilot, table)
    return times


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


async def pair_table_costs(book: Path, work: Path, rounds: int = 5) -> dict[str, list[float]]:
    """Seconds for what the Align screen does with the whole book's pairs (the alignment cached
    by an earlier load): `show_pairs` alone, and then until drawn; a search typed into the field
    applied to every pair, and cleared again (refilter and draw)."""
    app = make_app(settings=Settings(work_dir=str(work)), book_path=book)
    times: dict[str, list[float]] = {}

    def timed(name: str, started: float) -> None:
        times.setdefault(name, []).append(time.perf_counter() - started)

    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("2")
        while app.session.alignment is None:
            await pilot.pause(0.05)
        screen = app.screen
        table = screen.query_one(PairTable)
        await settled(app, pilot, table)
        search = screen.query_one("#align-search")
        rows, excluded = table.rows_shown, set(table.excluded)
        for stored in (0, 1):
            if stored:  # one pair excluded, as after a user's `x`
                app.session.exclusions = app.service.exclude_pairs(app.session.book, [rows[len(rows) // 2][1]])
            for _ in range(rounds):
                if not stored:
                    started = time.perf_counter()
                    table.show_pairs(rows, excluded)
                    timed(f"show_pairs({len(rows):,} rows)", started)
                    await settled(app, pilot, table)
                    timed(f"show_pairs({len(rows):,} rows) and draw", started)
                for text in ("gradient", ""):
                    search.value = text
                    await handled(pilot)  # Input.Changed handled: the debounce timer is set
                    started = time.perf_counter()
                    screen.refresh_pairs()  # what the timer calls
                    await settled(app, pilot, table)
                    timed(f"search {text!r} over {len(rows):,} pairs ({table.row_count:,} shown, "
                          f"{stored} excluded), drawn", started)
                await settled(app, pilot, table)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--book", type=Path, default=REPO.parent / "shared" / "d2l" / "d2l-zh")
    parser.add_argument("--warm", action="store_true", help="load twice: cold, then from the cache")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["AMTS_CONFIG_DIR"] = tmp
        work = Path(tmp) / "work"
        print(f"time to first paint (no book): {asyncio.run(first_paint(work)):.2f}s")
        book = args.book if args.book.exists() else None
        if book is not None:
            print(f"time to first paint on {book.name}: {asyncio.run(first_paint_on_book(book, work)):.2f}s")
        for mode, seconds in asyncio.run(screen_switches(book, work)).items():
            first, again = seconds[0], seconds[1:]
            print(f"switch to {mode:<8} first {first * 1000:6.0f} ms · then median "
                  f"{sorted(again)[len(again) // 2] * 1000:4.0f} ms, max {max(again) * 1000:4.0f} ms")
        if book is None:
            print(f"{args.book} not found: skipping the whole-book load")
            return
        # A work directory of its own: the switches above aligned the book into `work` already
        # (this process keeps its in-memory segmentation caches, so "cold" means an empty disk cache).
        fresh = Path(tmp) / "load"
        for run in ("cold", "warm") if args.warm else ("cold",):
            aligned, filled, pairs, sections = asyncio.run(load_into_align(args.book, fresh))
            print(f"{run}: d2l-zh into Align: {sections} sections, {pairs:,} sentence pairs aligned in "
                  f"{aligned:.2f}s, table filled in {filled:.2f}s")
        for name, seconds in asyncio.run(pair_table_costs(args.book, work)).items():
            print(f"{name}: median {sorted(seconds)[len(seconds) // 2] * 1000:.1f} ms, "
                  f"max {max(seconds) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
