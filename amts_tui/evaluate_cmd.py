"""`amts-tui evaluate --hyp DIR --ref DIR --target-lang zh [--json FILE]`: score two trees.

Files are paired by relative path (`*.md`); each file holds aligned units one a line, as
`engine.evaluate` expects (the units the pipeline writes, or any line-aligned translation).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TextIO

from engine.atomic import write_text_atomic
from engine.errors import AmtsError
from engine.evaluate import score_corpus, segments_of
from engine.markdown import parse_markdown


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
    """Score every file of `hyp_dir` against the file at the same path in `ref_dir`."""
    for d in (hyp_dir, ref_dir):
        if not Path(d).is_dir():
            raise AmtsError("folder not found", d)
    hyps, refs = _files(Path(hyp_dir)), _files(Path(ref_dir))
    common = sorted(hyps.keys() & refs.keys())
    if not common:
        raise AmtsError(f"no file has the same relative path in {hyp_dir} and {ref_dir}")
    missing = sorted(hyps.keys() ^ refs.keys())
    articles = [(rel, *_aligned(rel, _read(hyps[rel]), _read(refs[rel]), target_lang))
                for rel in common]
    return score_corpus(articles, target_lang), missing


def _aligned(rel: str, hyp: str, ref: str, target_lang: str) -> tuple[str, str]:
    """Line-aligned files as they are (so scores equal sacrebleu's CLI on them); otherwise
    Markdown with the same block structure, scored prose block against prose block."""
    if len(segments_of(hyp)) == len(segments_of(ref)):
        return hyp, ref
    hyp_blocks = [b.prose(target_lang) for b in parse_markdown(hyp).prose_blocks]
    ref_blocks = [b.prose(target_lang) for b in parse_markdown(ref).prose_blocks]
    if len(hyp_blocks) != len(ref_blocks):
        raise AmtsError(f"{len(segments_of(hyp))} lines and {len(hyp_blocks)} prose blocks here, "
                        f"{len(segments_of(ref))} lines and {len(ref_blocks)} prose blocks in the "
                        "reference: neither is aligned", rel)
    return "\n".join(hyp_blocks) + "\n", "\n".join(ref_blocks) + "\n"


def run_evaluate(hyp_dir: Path, ref_dir: Path, target_lang: str, json_path: Path | None,
                 *, out: TextIO | None = None) -> int:
    """Print the per-file table and corpus scores; write the JSON when asked. Exit status."""
    out = out or sys.stdout
    try:
        result, missing = evaluate_trees(Path(hyp_dir), Path(ref_dir), target_lang)
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
    if json_path is not None:
        data = {"bleu": result.bleu, "chrf": result.chrf, "signature": result.signature,
                "articles": [{"path": a.path, "bleu": a.bleu, "chrf": a.chrf}
                             for a in result.articles]}
        write_text_atomic(json_path, json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        print(f"scores written to {json_path}", file=out)
    return 0
