"""Benchmark: the sync plan of the whole shared d2l-zh book against d2l-en, and its apply.

Prints plan time (all 106 shared sections in one call), apply time with a fast fake translator
(into a temporary copy of the book), the replan time and whether it finds nothing to do, and the
workload-saved figure. Run by hand:  .venv/bin/python bench/bench_sync.py [BOOK UPSTREAM] [--jobs N]
"""

from __future__ import annotations

import argparse
import asyncio
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
    args = ap.parse_args()
    if not (args.book.exists() and args.upstream.exists()):
        print(f"skipped: {args.book} or {args.upstream} is absent")
        return 0
    started = time.perf_counter()
    plan = plan_sync(args.book, args.upstream, jobs=args.jobs)
    plan_seconds = time.perf_counter() - started
    c = plan.counts
    print(f"plan: {len(plan.sections)} sections in {plan_seconds:.2f} s; units {c.unchanged} unchanged, "
          f"{c.edited} edited, {c.new} new, {c.deleted} deleted; workload saved {plan.workload_saved:.1%}; "
          f"{plan.characters_to_translate} characters to MT (${plan.cost.usd:.2f}); "
          f"{len(plan.deleted_upstream)} sections deleted upstream")
    with tempfile.TemporaryDirectory(prefix="amts-bench-sync-") as tmp:
        book = Path(tmp) / "book"
        shutil.copytree(args.book, book, ignore=shutil.ignore_patterns("img", "*.png", "*.svg"))
        plan = plan_sync(book, args.upstream, jobs=args.jobs)
        started = time.perf_counter()
        result = asyncio.run(apply_sync(plan, fake_translator))
        apply_seconds = time.perf_counter() - started
        started = time.perf_counter()
        again = plan_sync(book, args.upstream, jobs=args.jobs)
        replan_seconds = time.perf_counter() - started
    print(f"apply (fake translator): {len(result.written)} files in {apply_seconds:.2f} s")
    print(f"replan after apply: {replan_seconds:.2f} s, "
          f"{'nothing to do' if not again.has_work else 'WORK LEFT'} "
          f"({again.counts.awaiting_review} machine units awaiting review)")
    return 0 if not again.has_work else 1


if __name__ == "__main__":
    sys.exit(main())
