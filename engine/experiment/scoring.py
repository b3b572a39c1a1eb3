"""Scoring a sub-pipeline's translated articles: aligned prose units → BLEU/chrF, terms, diffs.

A unit is a paragraph pair of the article's alignment with its human translation (so a
paragraph the translator merged or split is one unit, not a misaligned pair of lines); the
machine side of a unit is the translation of the same source blocks, taken from the translated
HTML by block index. Units are written one a line (`units/<article>.hyp|ref.txt`), which is what
`amts.engine.evaluate` scores and what anyone can re-score with sacrebleu's command line.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from amts.engine.align.pairs import AlignedPair
from amts.engine.atomic import write_text_atomic
from amts.engine.book import Book
from amts.engine.client.job_output import SegmentCounts
from amts.engine.evaluate import score_corpus, unit_diff
from amts.engine.experiment.config import PipelineSpec
from amts.engine.experiment.report import ArticleScore
from amts.engine.markup.protect import ProtectedDocument
from amts.engine.markup.protected_html import SpanPiece, read_translation
from amts.engine.paralleldata.terminology import Term, terminology_hits


@dataclass(frozen=True)
class ScoredPipeline:
    articles: tuple[ArticleScore, ...]
    bleu: float
    chrf: float
    bleu_signature: str
    chrf_signature: str


@dataclass(frozen=True)
class ScoringUnit:
    """One aligned prose unit of an article: machine output, human reference, source line."""

    hypothesis: str
    reference: str
    source_line: int


def flat_name(section_name: str) -> str:
    """A document's file name in the job's input folder (no subfolders: AWS may flatten them)."""
    return section_name.replace("/", "__").removesuffix(".md") + ".html"


def translated_units(translated_html: str, doc: ProtectedDocument) -> dict[int, str]:
    """Each translated unit as one line of text, protected spans as their original Markdown."""
    spans = doc.span_texts()
    out: dict[int, str] = {}
    for unit in read_translation(translated_html).units:
        if unit.block_index in out:
            continue
        parts = []
        for piece in unit.pieces:
            if isinstance(piece, SpanPiece):
                parts.append(spans.get(piece.span_id, piece.text) if piece.span_id is not None
                             else piece.text)
            else:
                parts.append(piece)
        out[unit.block_index] = " ".join("".join(parts).split())
    return out


def _joiner(lang: str) -> str:
    return "" if lang.split("-")[0] in ("zh", "ja") else " "


def scoring_units(doc: ProtectedDocument, translated_html: str, pairs: list[AlignedPair],
                  target_lang: str) -> list[ScoringUnit]:
    """The article's aligned units: each paragraph pair with both sides, and the translation of
    the source blocks it covers (from its first source line up to the next pair's)."""
    translations = translated_units(translated_html, doc)
    blocks = [(b.start_line, i) for i, b in enumerate(doc.blocks) if b.kind.value in
              ("heading", "paragraph", "list_item")]
    starts = sorted(p.source_line for p in pairs if p.source_line)
    units: list[ScoringUnit] = []
    for pair in pairs:
        if not (pair.source_line and pair.source.strip() and pair.target.strip()):
            continue  # a paragraph with no counterpart has nothing to be compared with
        later = [s for s in starts if s > pair.source_line]
        end = later[0] if later else float("inf")
        covered = [i for line, i in blocks if pair.source_line <= line < end]
        texts = [translations.get(i) or " ".join(_source_text(doc, i).split()) for i in covered]
        hypothesis = _joiner(target_lang).join(t for t in texts if t)
        units.append(ScoringUnit(hypothesis, " ".join(pair.target.split()), pair.source_line))
    return units


def _source_text(doc: ProtectedDocument, index: int) -> str:
    block = doc.blocks[index]
    return block.text or block.raw.removeprefix(block.prefix)


def score_pipeline(
    spec: PipelineSpec, book: Book, documents: dict[str, ProtectedDocument],
    outputs: dict[str, tuple[str, Path]], held_out_pairs: dict[str, list[AlignedPair]], *,
    terminology: list[Term] | None, per_document: dict[str, SegmentCounts], out_dir: Path,
    warn: Callable[..., None],
) -> ScoredPipeline:
    """Score every translated article; write the units and their diffs for the UI."""

    articles: list[tuple[str, str, str]] = []
    extra: dict[str, dict] = {}
    for name, (translated_html, output_path) in sorted(outputs.items()):
        units = [u for u in scoring_units(documents[name], translated_html,
                                          held_out_pairs.get(name, []), spec.target_lang)
                 if u.hypothesis.strip()]
        if not units:
            warn("no aligned prose unit to score in this article", name)
            continue
        hyp = "\n".join(u.hypothesis for u in units) + "\n"
        ref = "\n".join(u.reference for u in units) + "\n"
        stem = out_dir / "units" / name
        write_text_atomic(stem.with_suffix(".hyp.txt"), hyp)
        write_text_atomic(stem.with_suffix(".ref.txt"), ref)
        diffs = [{"line": u.source_line, "hyp": u.hypothesis, "ref": u.reference,
                  "ops": [[d.kind, d.hyp_text, d.ref_text] for d in
                                                  unit_diff(u.hypothesis, u.reference, spec.target_lang)]}
                 for u in units]
        write_text_atomic(stem.with_suffix(".diff.json"), json.dumps(diffs, ensure_ascii=False))
        articles.append((name, hyp, ref))
        counts = per_document.get(flat_name(name), SegmentCounts())
        info = {"units": len(units), "output_path": str(output_path),
                "diff_path": str(stem.with_suffix(".diff.json")),
                "reference_path": str(book.section(name).target_path),
                "translated_segments": counts.translated, "untranslated_segments": counts.untranslated}
        if terminology:
            source = "\n".join(b.text for b in documents[name].blocks if b.text)
            output = "\n".join(u.hypothesis for u in units)
            hits = terminology_hits(source, output, terminology)
            info.update(terms_checked=hits.present, terms_hit=hits.consistent)
        extra[name] = info
    if not articles:
        from amts.engine.errors import AmtsError

        raise AmtsError("no article had an aligned prose unit to score")
    result = score_corpus(articles, spec.target_lang)
    scores = tuple(ArticleScore(a.path, a.bleu, a.chrf, **extra[a.path]) for a in result.articles)
    return ScoredPipeline(scores, result.bleu, result.chrf, result.signature, result.chrf_signature)
