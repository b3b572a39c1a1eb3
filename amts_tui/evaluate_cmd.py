"""`amts-tui evaluate --hyp DIR --ref DIR --target-lang zh [--json FILE]`: score two trees.

Files are paired by relative path (`*.md`); each file holds aligned units one a line, as
`amts.engine.evaluate` expects (the units the pipeline writes, or any line-aligned translation).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TextIO

from amts.engine.align.document import align_document
from amts.engine.atomic import write_text_atomic
from amts.engine.errors import AmtsError
from amts.engine.evaluate import score_corpus, segments_of
from amts.engine.markup.markdown import parse_markdown


def _files(root: Path) -> dict[str, Path]:
    return {p.relative_to(root).as_posix(): p for p in sorted(root.rglob("*"))
            if p.is_file() and p.suffix in (".md", ".txt") and not p.name.startswith(".")}


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise AmtsError("not UTF-8", path) from None
    except OSError as exc:
        raise AmtsError(f"cannot read: {exc.strerror}", path) from None


def evaluate_trees(hyp_dir: Path, ref_dir: Path, target_lang: str):
    """Score every file of `hyp_dir` against the file at the same path in `ref_dir`.

    Returns (result, missing, unscored): files without a counterpart, and files that could not
    be paired unit by unit (each an AmtsError naming the file), which are left out, not fatal.
    """
    for d in (hyp_dir, ref_dir):
        if not Path(d).is_dir():
            raise AmtsError("folder not found", d)
    hyps, refs = _files(Path(hyp_dir)), _files(Path(ref_dir))
    common = sorted(hyps.keys() & refs.keys())
    if not common:
        raise AmtsError(f"no file has the same relative path in {hyp_dir} and {ref_dir}")
    missing = sorted(hyps.keys() ^ refs.keys())
    articles, unscored = [], []
    for rel in common:
        try:
            articles.append((rel, *_aligned(rel, _read(hyps[rel]), _read(refs[rel]), target_lang)))
        except AmtsError as exc:
            unscored.append(exc)
    if not articles:
        raise AmtsError(f"no file could be scored: {unscored[0]}")
    return score_corpus(articles, target_lang), missing, unscored


def _aligned(rel: str, hyp: str, ref: str, target_lang: str) -> tuple[str, str]:
    """Unit-aligned texts to score. Text files are taken line by line, as they are (so scores
    equal sacrebleu's CLI on them). Markdown is scored prose block against prose block: code and
    math would inflate BLEU. When the two files' block structures differ (a synced section
    against an older reference), the blocks are paired by the paragraph aligner."""
    if not rel.endswith(".md"):
        if len(segments_of(hyp)) != len(segments_of(ref)):
            raise AmtsError(f"{len(segments_of(hyp))} lines here, {len(segments_of(ref))} in the "
                            "reference: not line-aligned", rel)
        return hyp, ref
    hyp_blocks = [b.prose(target_lang) for b in parse_markdown(hyp).prose_blocks]
    ref_blocks = [b.prose(target_lang) for b in parse_markdown(ref).prose_blocks]
    if len(hyp_blocks) != len(ref_blocks):
        pairs = align_document(hyp, ref, target_lang, target_lang, path=rel).paragraph_pairs
        hyp_blocks = [p.source for p in pairs if p.source and p.target]
        ref_blocks = [p.target for p in pairs if p.source and p.target]
    if not hyp_blocks:
        raise AmtsError("no prose to score", rel)
    return "\n".join(hyp_blocks) + "\n", "\n".join(ref_blocks) + "\n"


def run_evaluate(hyp_dir: Path, ref_dir: Path, target_lang: str, json_path: Path | None,
                 *, out: TextIO | None = None) -> int:
    """Print the per-file table and corpus scores; write the JSON when asked. Exit status."""
    out = out or sys.stdout
    try:
        result, missing, unscored = evaluate_trees(Path(hyp_dir), Path(ref_dir), target_lang)
    except AmtsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    width = max(len("Article"), *(len(a.path) for a in result.articles))
    print(f"{'Article':<{width}}  {'BLEU':>7}  {'chrF':>7}  {'lines':>5}", file=out)
    for a in result.articles:
        print(f"{a.path:<{width}}  {a.bleu:7.2f}  {a.chrf:7.2f}  {a.segments:5d}", file=out)
    print(f"{'corpus':<{width}}  {result.bleu:7.2f}  {result.chrf:7.2f}", file=out)
    print(f"BLEU signature: {result.signature}", file=out)
    print(f"chrF signature: {result.chrf_signature}", file=out)
    for rel in missing:
        print(f"warning: {rel} has no counterpart in the other tree; not scored", file=sys.stderr)
    for exc in unscored:
        print(f"warning: {exc}; not scored", file=sys.stderr)
    if json_path is not None:
        data = {"bleu": result.bleu, "chrf": result.chrf, "signature": result.signature,
                "articles": [{"path": a.path, "bleu": a.bleu, "chrf": a.chrf}
                             for a in result.articles]}
        write_text_atomic(json_path, json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        print(f"scores written to {json_path}", file=out)
    return 1 if unscored else 0


def main(argv: list[str]) -> int:
    """`amts-tui evaluate`: exit 0 all scored, 1 some files left out, 2 usage or nothing scored."""
    p = argparse.ArgumentParser(
        prog="amts-tui evaluate",
        description="BLEU and chrF (sacrebleu) of machine output against human references: two "
                    "trees of Markdown or line-aligned text files with the same relative paths.",
    )
    p.add_argument("--hyp", type=Path, required=True, help="folder of machine translations")
    p.add_argument("--ref", type=Path, required=True, help="folder of human references")
    p.add_argument("--target-lang", required=True, help="language of both trees (zh tokenizes as zh)")
    p.add_argument("--json", type=Path, help="also write the scores as JSON to this file")
    args = p.parse_args(argv)
    return run_evaluate(args.hyp, args.ref, args.target_lang, args.json)
