"""`amts-tui evaluate --hyp DIR --ref DIR --target-lang zh [--json FILE]`: score two trees.

Files are paired by relative path; amts.engine.tree_evaluation pairs their units and scores them.
This module only reads the arguments and prints.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TextIO

from amts.engine.atomic import write_text_atomic
from amts.engine.errors import AmtsError
from amts.engine.tree_evaluation import evaluate_trees
from amts.engine.write_targets import check_output_file
from amts.tui.exit_status import ExitStatus

DESCRIPTION = ("BLEU and chrF (sacrebleu) of machine output against human references: two trees of "
               "Markdown or line-aligned text files with the same relative paths. Exit status: 0 all "
               "scored, 1 some files left out, 2 usage error or nothing scored.")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--hyp", type=Path, required=True, help="folder of machine translations")
    p.add_argument("--ref", type=Path, required=True, help="folder of human references")
    p.add_argument("--target-lang", required=True, help="language of both trees (zh tokenizes as zh)")
    p.add_argument("--json", type=Path, help="also write the scores as JSON to this file")


def run(args: argparse.Namespace) -> int:
    return run_evaluate(args.hyp, args.ref, args.target_lang, args.json)


def run_evaluate(hyp_dir: Path, ref_dir: Path, target_lang: str, json_path: Path | None,
                 *, out: TextIO | None = None) -> int:
    """Print the per-file table and corpus scores; write the JSON when asked. Exit status."""
    out = out or sys.stdout
    try:
        if json_path is not None:  # before scoring: never over a scored file, a device or a folder
            check_output_file(json_path, input_trees=[hyp_dir, ref_dir])
        evaluation = evaluate_trees(Path(hyp_dir), Path(ref_dir), target_lang)
    except AmtsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return ExitStatus.USAGE
    result = evaluation.result
    width = max(len("Article"), *(len(a.path) for a in result.articles))
    print(f"{'Article':<{width}}  {'BLEU':>7}  {'chrF':>7}  {'lines':>5}", file=out)
    for a in result.articles:
        print(f"{a.path:<{width}}  {a.bleu:7.2f}  {a.chrf:7.2f}  {a.segments:5d}", file=out)
    print(f"{'corpus':<{width}}  {result.bleu:7.2f}  {result.chrf:7.2f}", file=out)
    print(f"BLEU signature: {result.signature}", file=out)
    print(f"chrF signature: {result.chrf_signature}", file=out)
    for rel in evaluation.missing:
        print(f"warning: {rel} has no counterpart in the other tree; not scored", file=sys.stderr)
    for exc in evaluation.unscored:
        print(f"warning: {exc}; not scored", file=sys.stderr)
    if json_path is not None:
        data = {"bleu": result.bleu, "chrf": result.chrf, "signature": result.signature,
                "articles": [{"path": a.path, "bleu": a.bleu, "chrf": a.chrf}
                             for a in result.articles]}
        write_text_atomic(json_path, json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        print(f"scores written to {json_path}", file=out)
    return ExitStatus.PARTIAL if evaluation.unscored else ExitStatus.OK
