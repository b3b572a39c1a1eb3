"""Benchmark: what the maintainer's dashboard reads from disk when its screens are shown.

Prints, for the shared d2l-zh book against d2l-en: the Book screen's staleness cold (empty plan
cache) and warm (cache hit), and for a work directory of N demo runs: reading the Results history.
Run by hand:  .venv/bin/python bench/bench_dashboard.py [--runs N]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from amts.engine.experiment.config import demo_config  # noqa: E402
from amts.engine.experiment.history import read_history, results_to_show  # noqa: E402
from amts.engine.experiment.pipeline import run_experiment  # noqa: E402
from amts.engine.sync import list_review, plan_sync  # noqa: E402
from amts.engine.sync.staleness import book_staleness  # noqa: E402

SHARED = REPO.parent / "shared" / "d2l"


def staleness_figures(workdir: Path) -> None:
    book, upstream = SHARED / "d2l-zh", SHARED / "d2l-en"
    if not book.is_dir() or not upstream.is_dir():
        print(f"staleness: skipped ({book} or {upstream} is absent)")
        return
    for label in ("cold", "warm"):
        started = time.perf_counter()
        plan = plan_sync(book, upstream, workdir=workdir)
        staleness = book_staleness(plan, list_review(book))
        took = time.perf_counter() - started
        counts = {str(k): v for k, v in staleness.counts.items()}
        print(f"staleness d2l-zh vs d2l-en ({label}): {took:.2f} s · {len(staleness.sections)} sections · {counts}")


def history_figures(workdir: Path, runs: int) -> None:
    config = demo_config(REPO / "sample_data", workdir)
    started = time.perf_counter()
    for _ in range(runs):
        asyncio.run(run_experiment(config))
    print(f"{runs} demo runs: {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    history = read_history(workdir)
    shown = results_to_show(history)
    took = time.perf_counter() - started
    print(f"Results history: {len(history)} runs read and the newest shown in {took * 1000:.0f} ms "
          f"({shown.entry.run_id if shown else 'none'})")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        staleness_figures(Path(tmp) / "plan")
        history_figures(Path(tmp) / "runs", args.runs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
