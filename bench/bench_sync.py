"""Benchmark: the sync plan of the whole shared d2l-zh book against d2l-en, cold and warm, and its apply.

Prints the plan time with an empty work directory (alignment and sentence splitting run, on all
cores), then warm (the work directory's caches answer; the issue 11 target is <= 3 s), then with
only the section plans removed from the cache (what a book that changed anywhere costs), apply time
with a fast fake translator (into a temporary copy of the book), the replan time after apply and
whether it finds nothing to do, and the plan's figures. Run by hand:
    .venv/bin/python bench/bench_sync.py [BOOK UPSTREAM] [--jobs N] [--warm-runs N]
Timings depend on the machine's load: report them with it (`uptime`).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from amts.engine.sync import apply_sync, plan_sync  # noqa: E402

SHARED = REPO.parent / "shared" / "d2l"


async def fake_translator(texts: list[str], source_lang: str, target_lang: str) -> list[str]:
    return [f"MT: {text}" for text in texts]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("book", nargs="?", type=Path, default=SHARED / "d2l-zh")
    ap.add_argument("upstream", nargs="?", type=Path, default=SHARED / "d2l-en")
    ap.add_argument("--jobs", type=int, default=None)
    ap.add_argument("--warm-runs", type=int, default=3, help="warm plans to time (the best is reported)")
    args = ap.parse_args()
    if not (args.book.exists() and args.upstream.exists()):
        print(f"skipped: {args.book} or {args.upstream} is absent")
        return 0
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory(prefix="amts-bench-sync-") as tmp:
        work = Path(tmp) / "work"
        started = time.perf_counter()
        plan = plan_sync(args.book, args.upstream, jobs=args.jobs, workdir=work)
        cold = time.perf_counter() - started
        warm = []
        for _ in range(max(1, args.warm_runs)):
            started = time.perf_counter()
            plan = plan_sync(args.book, args.upstream, jobs=args.jobs, workdir=work)
            warm.append(time.perf_counter() - started)
        replanned = []  # the section plans themselves not cached: planned from cached maps
        for _ in range(max(1, args.warm_runs)):
            for entry in (work / "cache" / "sync").glob("plan-*.json"):
                entry.unlink()
            started = time.perf_counter()
            plan_sync(args.book, args.upstream, jobs=args.jobs, workdir=work)
            replanned.append(time.perf_counter() - started)
        c = plan.counts
        print(f"plan: {len(plan.sections)} sections; cold {cold:.2f} s, warm {min(warm):.2f} s "
              f"(runs: {', '.join(f'{w:.2f}' for w in warm)}); from cached maps and sentences, plans "
              f"not cached: {min(replanned):.2f} s (runs: {', '.join(f'{w:.2f}' for w in replanned)})")
        print(f"units: {c.unchanged} unchanged, {c.edited} edited, {c.new} new, {c.deleted} deleted, "
              f"{c.patched} patched, {c.merged} merged blocks, {c.conflicts} conflicts, {c.skipped} skipped; "
              f"workload saved {plan.workload_saved:.1%}; {plan.characters_to_translate} characters to MT "
              f"(${plan.cost.usd:.2f} at {plan.cost.variant}); {len(plan.deleted_upstream)} sections deleted "
              "upstream")
        book = Path(tmp) / "book"
        shutil.copytree(args.book, book, ignore=shutil.ignore_patterns("img", "*.png", "*.svg"))
        plan = plan_sync(book, args.upstream, jobs=args.jobs, workdir=work)
        started = time.perf_counter()
        result = asyncio.run(apply_sync(plan, fake_translator))
        apply_seconds = time.perf_counter() - started
        started = time.perf_counter()
        again = plan_sync(book, args.upstream, jobs=args.jobs, workdir=work)
        replan_seconds = time.perf_counter() - started
    print(f"apply (fake translator): {len(result.written)} files in {apply_seconds:.2f} s")
    print(f"replan after apply: {replan_seconds:.2f} s, "
          f"{'nothing to do' if not again.has_work else 'WORK LEFT'} "
          f"({again.counts.awaiting_review} units awaiting review)")
    return 0 if not again.has_work else 1


if __name__ == "__main__":
    sys.exit(main())
