"""BLEU and chrF of two folders of translations, file by file (what `amts-tui evaluate` scores).

Files are paired by relative path (`*.md`, `*.txt`). Text files are taken line by line, as they
are (so scores equal sacrebleu's command line on them). Markdown is scored prose block against
prose block: code and math would inflate BLEU. When the two files' block structures differ (a
synced section against an older reference), the blocks are paired by the paragraph aligner.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from amts.engine.align.document import align_document
from amts.engine.errors import AmtsError
from amts.engine.evaluate import EvaluationResult, score_corpus, segments_of
from amts.engine.markup.markdown import parse_markdown


@dataclass(frozen=True, slots=True)
class TreeEvaluation:
    """The scores, the files without a counterpart in the other tree, and the files that could not
    be paired unit by unit (each an AmtsError naming the file), which are left out, not fatal."""

    result: EvaluationResult
    missing: tuple[str, ...]
    unscored: tuple[AmtsError, ...]


def evaluate_trees(hyp_dir: Path, ref_dir: Path, target_lang: str) -> TreeEvaluation:
    """Score every file of `hyp_dir` against the file at the same path in `ref_dir`."""
    for d in (hyp_dir, ref_dir):
        if not Path(d).is_dir():
            raise AmtsError("folder not found", d)
    hyps, refs = _files(Path(hyp_dir)), _files(Path(ref_dir))
    common = sorted(hyps.keys() & refs.keys())
    if not common:
        raise AmtsError(f"no file has the same relative path in {hyp_dir} and {ref_dir}")
    missing = tuple(sorted(hyps.keys() ^ refs.keys()))
    articles, unscored = [], []
    for rel in common:
        try:
            articles.append((rel, *_aligned(rel, _read(hyps[rel]), _read(refs[rel]), target_lang)))
        except AmtsError as exc:
            unscored.append(exc)
    if not articles:
        raise AmtsError(f"no file could be scored: {unscored[0]}")
    return TreeEvaluation(score_corpus(articles, target_lang), missing, tuple(unscored))


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


def _aligned(rel: str, hyp: str, ref: str, target_lang: str) -> tuple[str, str]:
    """Unit-aligned texts to score (see the module doc)."""
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
