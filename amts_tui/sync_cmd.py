"""`amts-tui sync BOOK --upstream DIR`: plan (and with --write apply) a sync with the new source.

amts.engine.sync plans and applies, amts.engine.act.sync_translation translates through the
backend; this module reads the arguments and prints.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import sys
import time
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from amts.engine.atomic import write_text_atomic
from amts.engine.errors import AmtsError
from amts.engine.workdir import resolve_workdir
from amts.engine.write_targets import check_output_file
from amts.engine.writer_lock import hold_book, hold_workdir
from amts.tui.exit_status import ExitStatus

if TYPE_CHECKING:
    from amts.engine.client.settings import BackendSettings
    from amts.engine.sync.units import SyncPlan

DESCRIPTION = ("Plan (and with --write apply) a sync of a translated book with its new upstream source: "
               "reuse the human translation of every unchanged sentence, machine-translate the rest and "
               "mark it for review. Exit status: 0 done, 1 some sections skipped, 2 usage or error.")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("book", type=Path, help="a d2lbook translation repo (NAME_origin.md beside NAME.md)")
    p.add_argument("--upstream", type=Path, required=True, help="the new source book (NAME.md at the same paths)")
    p.add_argument("--json", type=Path, metavar="FILE",
                   help="also write the plan as JSON: per section its counts and every changed unit "
                        "(old source, new source, old translation, action and why)")
    p.add_argument("--diff", nargs="?", const="-", metavar="FILE",
                   help="print (or write to FILE) the unified diff --write applies, file by file; machine "
                        "translation shows as the source text it will replace (the plan table then goes "
                        "to stderr when the diff goes to stdout)")
    p.add_argument("--write", action="store_true", help="apply: write NAME.md and NAME_origin.md")
    p.add_argument("--workdir", type=Path,
                   help="work folder: the alignment and plan caches, the run state, the local backend's "
                        "state, the job's files (default: $AMTS_WORKDIR, else BOOK/.amts)")
    p.add_argument("--resume", action="store_true",
                   help="with --write: re-attach to the batch job of an interrupted sync --write in the "
                        "same work folder instead of starting a second one")
    p.add_argument("--backend", choices=("local", "aws"), default=None,
                   help="machine translation for --write: one ACT batch job with the book's own "
                        "parallel data (default local: the book's memory stands in for ACT, units it "
                        "does not cover stay untranslated)")
    p.add_argument("--realtime", action="store_true",
                   help="translate unit by unit with TranslateText instead of a batch job "
                        "(standard translation, no parallel data; the local backend returns the text)")
    p.add_argument("--config", type=Path, metavar="FILE",
                   help="an amts.toml whose [backend] (kind, bucket, role_arn, region, profile, prefix) "
                        "and [limits] max_cost_usd --write uses; the flags below override it")
    p.add_argument("--region", help="AWS region (--backend aws; default: AWS_REGION, AWS_DEFAULT_REGION, "
                                    "then the profile's region)")
    p.add_argument("--profile", help="AWS profile (--backend aws; default: the standard chain)")
    p.add_argument("--bucket", help="S3 bucket for the job's files (--backend aws: required, in the "
                                    "region; never created)")
    p.add_argument("--role-arn", help="data-access role of the batch job (--backend aws: required)")
    p.add_argument("--max-cost", type=float, metavar="USD",
                   help="refuse a --write estimated above USD (default: the config's limits.max_cost_usd, "
                        "else 100)")
    p.add_argument("--threshold", type=float, default=None, metavar="N",
                   help="similarity 0..100 from which a changed sentence counts as edited (default 60)")
    p.add_argument("--review-marker", default=None, metavar="COMMENT",
                   help='the HTML comment after each machine-translated unit '
                        '(default "<!-- amts: machine translation, review -->")')
    p.add_argument("--jobs", type=int, default=None, help="worker processes for aligning (default: all cores)")


def print_plan(plan: SyncPlan, seconds: float, out: TextIO | None = None) -> None:
    """The per-section table and the whole-book line."""
    out = out or sys.stdout
    width = max([len("section")] + [len(s.path) for s in plan.sections])
    header = (f"{'section':<{width}}  {'unchanged':>9} {'edited':>6} {'new':>5} {'deleted':>7} "
              f"{'review':>6} {'saved':>6} {'MT chars':>9}")
    print(header, file=out)
    print("-" * len(header), file=out)
    for s in plan.sections:
        mark = " (new upstream)" if s.status == "new-upstream" else ""
        print(f"{s.path:<{width}}  {s.unchanged:>9} {s.edited:>6} {s.new:>5} {s.deleted:>7} "
              f"{s.counts.awaiting_review:>6} {s.workload_saved:>6.1%} {s.characters:>9}{mark}", file=out)
    c = plan.counts
    print("-" * len(header), file=out)
    print(f"{len(plan.sections)} sections: {c.unchanged} unchanged, {c.edited} edited, {c.new} new, "
          f"{c.deleted} deleted units, {c.patched} patched without machine translation, {c.merged} code/math/"
          f"path blocks merged, {c.conflicts} conflicts marked for review, {c.skipped} changes to text the "
          f"translation never had ({c.awaiting_review} units already awaiting review); "
          f"workload saved {plan.workload_saved:.1%}; {plan.characters_to_translate} characters to machine-"
          f"translate, ${plan.cost.usd:.2f} at ${plan.cost.usd_per_million_chars:g}/M ({plan.cost.variant}); "
          f"planned in {seconds:.2f} s", file=out)
    for path in plan.deleted_upstream:
        print(f"upstream no longer has {path}: kept in the book (delete it by hand if it should go)", file=out)
    for skipped in plan.skipped:
        print(f"skipped {skipped}", file=sys.stderr)


def _backend_and_limit(args: argparse.Namespace) -> tuple[BackendSettings, float | None]:
    """The backend --write uses and its cost limit: the flags, over --config's [backend] and
    [limits], over the defaults; checked before anything is planned or called."""
    from amts.engine.act.sync_translation import sync_backend
    from amts.engine.experiment.config import LimitsSettings, load_config

    config = load_config(args.config) if args.config is not None else None
    backend = sync_backend(args.backend, region=args.region, profile=args.profile, bucket=args.bucket,
                           role_arn=args.role_arn, base=config.backend.service if config else None)
    limits = config.limits if config else LimitsSettings()
    return backend, args.max_cost if args.max_cost is not None else limits.max_cost_usd


def run(args: argparse.Namespace) -> int:
    from amts.engine.act.sync_translation import apply_through_backend
    from amts.engine.sync.plan import DEFAULT_COST_VARIANT, plan_sync
    from amts.engine.sync.section import DEFAULT_EDIT_THRESHOLD

    writer = ExitStack()  # with --write: the one writer of the book and of the work directory
    try:
        threshold = DEFAULT_EDIT_THRESHOLD if args.threshold is None else args.threshold
        if not 0.0 <= threshold <= 100.0:
            raise AmtsError("--threshold must be between 0 and 100")
        if args.resume and not args.write:
            raise AmtsError("--resume re-attaches to the job of an interrupted --write: use it with --write")
        if args.max_cost is not None and not (math.isfinite(args.max_cost) and args.max_cost >= 0):
            raise AmtsError(f"--max-cost must be a number of US dollars, at least 0, not {args.max_cost}")
        backend, max_cost = _backend_and_limit(args) if args.write else (None, None)
        for output in (args.json, None if args.diff in (None, "-") else Path(args.diff)):
            if output is not None:
                check_output_file(output, input_trees=[args.book, args.upstream])
        workdir = resolve_workdir(args.workdir, beside=args.book)
        if args.write:
            writer.enter_context(hold_book(args.book, "sync --write"))
            writer.enter_context(hold_workdir(workdir, "sync --write"))
        started = time.perf_counter()
        plan = plan_sync(args.book, args.upstream, edit_threshold=threshold, jobs=args.jobs,
                         cost_variant="standard" if args.realtime else DEFAULT_COST_VARIANT,
                         workdir=workdir)
        table = sys.stderr if args.diff == "-" else sys.stdout
        print_plan(plan, time.perf_counter() - started, table)
        if args.json is not None:
            write_text_atomic(args.json, json.dumps(plan.to_json(), ensure_ascii=False, indent=1) + "\n")
            print(f"plan written to {args.json}", file=table)
        if args.diff is not None:
            from amts.engine.sync.diff import sync_diff

            patch = sync_diff(plan, **({"review_marker": args.review_marker} if args.review_marker else {}))
            if args.diff == "-":
                sys.stdout.write(patch)
            else:
                write_text_atomic(Path(args.diff), patch)
                print(f"diff written to {args.diff}", file=table)
        if backend is not None:  # --write
            marker = {"review_marker": args.review_marker} if args.review_marker else {}
            result = asyncio.run(apply_through_backend(
                plan, backend, workdir, realtime=args.realtime, resume=args.resume, max_cost_usd=max_cost, **marker))
            for line in result.summary_lines():
                print(line)
    except AmtsError as exc:
        print(f"amts-tui sync: error: {exc}", file=sys.stderr)
        return ExitStatus.USAGE
    except KeyboardInterrupt:  # asyncio.run cancelled the apply, which stopped its running job
        print("amts-tui sync: interrupted (a running translation job was stopped)", file=sys.stderr)
        return ExitStatus.INTERRUPTED
    finally:
        writer.close()
    return ExitStatus.PARTIAL if plan.skipped else ExitStatus.OK
