"""Scoring machine output against a human reference: sacrebleu BLEU and chrF, and unit diffs.

The caller passes prose units one per line, hypothesis and reference aligned line by line; the
segments are their non-empty lines. BLEU is sacrebleu's corpus BLEU over those segments (per
article: over the article's segments), so it equals `python -m sacrebleu REF -i HYP -tok ...`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from sacrebleu.metrics import BLEU, CHRF

from amts.engine.errors import AmtsError

CHARACTER_DIFF_LANGS = frozenset({"zh", "ja"})
_WORD_OR_SPACE = re.compile(r"\w+|\s+|[^\w\s]")


@dataclass(frozen=True, slots=True)
class ArticleScore:
    """BLEU and chrF of one article (0-100), over its `segments` aligned lines."""

    path: str
    bleu: float
    chrf: float
    segments: int


@dataclass(frozen=True, slots=True)
class EvaluationResult:
    """Corpus BLEU and chrF over all articles' segments, metric signatures, per-article scores."""

    bleu: float
    chrf: float
    signature: str
    chrf_signature: str
    articles: tuple[ArticleScore, ...]

    @property
    def mean_article_bleu(self) -> float:
        """The unweighted mean of per-article BLEU (the original study's "average" row)."""
        return sum(a.bleu for a in self.articles) / len(self.articles) if self.articles else 0.0

    @property
    def mean_article_chrf(self) -> float:
        """The unweighted mean of per-article chrF."""
        return sum(a.chrf for a in self.articles) / len(self.articles) if self.articles else 0.0

    def to_json_dict(self) -> dict:
        """The `evaluate --json` shape: bleu, chrf, signature, articles [{path, bleu, chrf}]."""
        return {
            "bleu": self.bleu, "chrf": self.chrf, "signature": self.signature,
            "chrf_signature": self.chrf_signature,
            "articles": [{"path": a.path, "bleu": a.bleu, "chrf": a.chrf, "segments": a.segments}
                         for a in self.articles],
        }


@dataclass(frozen=True, slots=True)
class DiffOp:
    """One step from hypothesis to reference: kind is 'equal', 'insert', 'delete' or 'replace'."""

    kind: str
    hyp_text: str
    ref_text: str


def base_lang(lang: str) -> str:
    """The language without its region: zh for zh-TW, pt for pt-PT."""
    return lang.split("-")[0].lower()


@cache
def _ja_mecab_available() -> bool:
    try:
        BLEU(tokenize="ja-mecab")
    except (ImportError, RuntimeError):
        return False
    return True


def bleu_tokenizer(target_lang: str) -> tuple[str, str]:
    """sacrebleu's tokenizer for a target language, and a note when it is a fallback."""
    lang = base_lang(target_lang)
    if lang == "zh":
        return "zh", ""
    if lang == "ja":
        if _ja_mecab_available():
            return "ja-mecab", ""
        # Character tokens are what chrF sees too; comparable across our runs, not with MeCab BLEU.
        return "char", "ja-mecab unavailable, char used"
    return "13a", ""


def segments_of(text: str) -> list[str]:
    """The segments of a text: its non-empty lines, stripped."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def _aligned_segments(hypothesis: str, reference: str, path: str) -> tuple[list[str], list[str]]:
    hyps, refs = segments_of(hypothesis), segments_of(reference)
    if len(hyps) != len(refs):
        raise AmtsError(f"hypothesis has {len(hyps)} non-empty lines but the reference has "
                        f"{len(refs)}: they must be aligned line by line", path or None)
    return hyps, refs


def _metrics(target_lang: str) -> tuple[BLEU, CHRF, str]:
    tokenize, note = bleu_tokenizer(target_lang)
    return BLEU(tokenize=tokenize), CHRF(), note


def score_article(hypothesis: str, reference: str, target_lang: str,
                  path: str = "") -> ArticleScore:
    """BLEU and chrF of one article's aligned lines against its reference."""
    hyps, refs = _aligned_segments(hypothesis, reference, path)
    return _score_segments(hyps, refs, target_lang, path)


def _score_segments(hyps: list[str], refs: list[str], target_lang: str, path: str) -> ArticleScore:
    if not hyps:
        return ArticleScore(path, 0.0, 0.0, 0)
    bleu, chrf, _ = _metrics(target_lang)
    return ArticleScore(path, bleu.corpus_score(hyps, [refs]).score,
                        chrf.corpus_score(hyps, [refs]).score, len(hyps))


def score_corpus(articles: Iterable[tuple[str, str, str]], target_lang: str) -> EvaluationResult:
    """Scores of (path, hypothesis, reference) articles: per article, and corpus-level over all."""
    all_hyps: list[str] = []
    all_refs: list[str] = []
    scores = []
    for path, hypothesis, reference in articles:
        hyps, refs = _aligned_segments(hypothesis, reference, path)
        all_hyps += hyps
        all_refs += refs
        scores.append(_score_segments(hyps, refs, target_lang, path))
    if not all_hyps:
        raise AmtsError("nothing to evaluate: no article has a non-empty line")
    bleu, chrf, note = _metrics(target_lang)
    bleu_score = bleu.corpus_score(all_hyps, [all_refs]).score
    chrf_score = chrf.corpus_score(all_hyps, [all_refs]).score
    signature = str(bleu.get_signature()) + (f"|note:{note}" if note else "")
    return EvaluationResult(bleu_score, chrf_score, signature, str(chrf.get_signature()),
                            tuple(scores))


def unit_diff(hyp: str, ref: str, lang: str) -> list[DiffOp]:
    """How the hypothesis differs from the reference: by character for zh/ja, by word otherwise.

    Whitespace is kept as its own token, so the hyp_texts join back to `hyp` and the ref_texts
    to `ref`.
    """
    if base_lang(lang) in CHARACTER_DIFF_LANGS:
        hyp_tokens, ref_tokens = list(hyp), list(ref)
    else:
        hyp_tokens, ref_tokens = _WORD_OR_SPACE.findall(hyp), _WORD_OR_SPACE.findall(ref)
    matcher = difflib.SequenceMatcher(None, hyp_tokens, ref_tokens, autojunk=False)
    return [
        DiffOp(kind, "".join(hyp_tokens[i1:i2]), "".join(ref_tokens[j1:j2]))
        for kind, i1, i2, j1, j2 in matcher.get_opcodes()
    ]
