"""Evaluation: sacrebleu BLEU/chrF per article and corpus, equal to sacrebleu's CLI; unit diffs."""

from __future__ import annotations

import subprocess
import sys

import pytest

from amts.engine.errors import AmtsError
from amts.engine.evaluate import (
    DiffOp,
    bleu_tokenizer,
    score_article,
    score_corpus,
    segments_of,
    unit_diff,
)

STUDY_ARTICLES = [
    "chapter_natural-language-processing-pretraining/approx-training",
    "chapter_natural-language-processing-pretraining/bert-dataset",
    "chapter_recurrent-neural-networks/language-models-and-dataset",
    "chapter_recurrent-modern/machine-translation-and-dataset",
    "chapter_natural-language-processing-applications/sentiment-analysis-and-dataset",
]


def prose_lines(path):
    """The file's prose lines (no code, math, directives): a stand-in for aligned units."""
    lines, in_code = [], False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            in_code = not in_code
        elif not in_code and line.strip() and not line.startswith(("$$", ":", "#", "!", "|")):
            lines.append(line.strip())
    return lines


def perturb(line: str, every: int) -> str:
    """A deterministic 'machine translation': every n-th character dropped, some replaced."""
    out = [ch for i, ch in enumerate(line) if i % every != every - 1]
    return "".join("的" if i % (every * 3) == 1 else ch for i, ch in enumerate(out))


def run_sacrebleu_cli(ref, hyp, *args):
    result = subprocess.run([sys.executable, "-m", "sacrebleu", str(ref), "-i", str(hyp), *args,
                             "-b", "-w", "4"], capture_output=True, text=True, check=True)
    return float(result.stdout.strip())


@pytest.fixture(scope="module")
def study_texts(d2l_zh):
    """(path, hypothesis, reference) for the five articles of the original study, from the book."""
    articles = []
    for number, name in enumerate(STUDY_ARTICLES):
        path = d2l_zh / f"{name}.md"
        if not path.exists():
            pytest.skip(f"{path} is absent")
        reference = prose_lines(path)
        hypothesis = [perturb(line, 5 + number) for line in reference]
        articles.append((name, "\n".join(hypothesis), "\n\n".join(reference)))
    return articles


def test_bleu_and_chrf_equal_sacrebleu_cli_for_chinese(tmp_path, study_texts):
    result = score_corpus(study_texts, "zh")
    ref, hyp = tmp_path / "ref.zh", tmp_path / "hyp.zh"
    ref.write_text("\n".join(line for _, _, r in study_texts for line in segments_of(r)) + "\n",
                   encoding="utf-8")
    hyp.write_text("\n".join(line for _, h, _ in study_texts for line in segments_of(h)) + "\n",
                   encoding="utf-8")
    assert round(result.bleu, 4) == run_sacrebleu_cli(ref, hyp, "-tok", "zh")
    assert round(result.chrf, 4) == run_sacrebleu_cli(ref, hyp, "-m", "chrf")
    assert 10 < result.bleu < 95
    assert "tok:zh" in result.signature and result.signature.startswith("nrefs:1|")
    assert "nc:6" in result.chrf_signature
    # Per article: the same as the CLI on that article alone.
    name, hypothesis, reference = study_texts[0]
    ref.write_text("\n".join(segments_of(reference)) + "\n", encoding="utf-8")
    hyp.write_text("\n".join(segments_of(hypothesis)) + "\n", encoding="utf-8")
    article = result.articles[0]
    assert article.path == name and article.segments == len(segments_of(reference))
    assert round(article.bleu, 4) == run_sacrebleu_cli(ref, hyp, "-tok", "zh")
    # Articles perturbed less score higher: the scores follow the damage.
    assert [a.bleu for a in result.articles] == sorted(a.bleu for a in result.articles)
    assert result.to_json_dict()["articles"][0] == {
        "path": name, "bleu": article.bleu, "chrf": article.chrf, "segments": article.segments}


def test_english_target_uses_13a_and_equals_cli(tmp_path, d2l_zh):
    reference = prose_lines(d2l_zh / f"{STUDY_ARTICLES[1]}_origin.md")
    hypothesis = [" ".join(w for i, w in enumerate(line.split()) if i % 4 != 3) for line in reference]
    result = score_corpus([("bert", "\n".join(hypothesis), "\n".join(reference))], "en")
    assert "tok:13a" in result.signature
    ref, hyp = tmp_path / "ref.en", tmp_path / "hyp.en"
    ref.write_text("\n".join(reference) + "\n", encoding="utf-8")
    hyp.write_text("\n".join(hypothesis) + "\n", encoding="utf-8")
    assert round(result.bleu, 4) == run_sacrebleu_cli(ref, hyp, "-tok", "13a")


def test_zh_tokenization_counts_characters_not_spaces():
    # Without zh tokenization an unspaced Chinese sentence is one token and any change scores 0.
    reference = "我们使用小批量随机梯度下降来训练模型。"
    hypothesis = "我们用小批量随机梯度下降训练模型。"
    zh = score_article(hypothesis, reference, "zh")
    assert zh.bleu > 30
    assert score_article(hypothesis, reference, "fr").bleu == 0.0
    assert score_article(reference, reference, "zh-TW").bleu == pytest.approx(100.0)


def test_tokenizer_choice():
    assert bleu_tokenizer("zh") == ("zh", "")
    assert bleu_tokenizer("en") == ("13a", "")
    tokenize, note = bleu_tokenizer("ja")
    assert (tokenize, bool(note)) in {("ja-mecab", False), ("char", True)}


def test_japanese_fallback_is_said_in_the_signature():
    result = score_corpus([("a", "今日は良い天気です", "今日はいい天気です")], "ja")
    tokenize, note = bleu_tokenizer("ja")
    assert f"tok:{tokenize}" in result.signature
    assert (note in result.signature) if note else "note:" not in result.signature


def test_misaligned_lines_name_the_article():
    with pytest.raises(AmtsError, match="hypothesis has 1 non-empty lines but the reference has 2") as err:
        score_corpus([("chapter/x.md", "one", "one\ntwo")], "en")
    assert err.value.path == "chapter/x.md"
    with pytest.raises(AmtsError, match="nothing to evaluate"):
        score_corpus([("empty.md", "\n", " \n")], "en")


def test_unit_diff_is_character_level_for_chinese():
    ops = unit_diff("我们用模型", "我们使用模型", "zh")
    assert ops == [DiffOp("equal", "我们", "我们"), DiffOp("insert", "", "使"),
                   DiffOp("equal", "用模型", "用模型")]


def test_unit_diff_is_word_level_otherwise_and_reconstructs_both_texts():
    hyp, ref = "The model trains fast.", "The network trains quickly, fast."
    ops = unit_diff(hyp, ref, "en")
    assert "".join(op.hyp_text for op in ops) == hyp
    assert "".join(op.ref_text for op in ops) == ref
    assert DiffOp("replace", "model", "network") in ops
    assert all(op.kind in {"equal", "insert", "delete", "replace"} for op in ops)
    assert unit_diff("same", "same", "de") == [DiffOp("equal", "same", "same")]
