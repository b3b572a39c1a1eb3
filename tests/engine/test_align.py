"""Alignment: synthetic merges, splits and omissions, then the real gold sections and the whole book."""

from __future__ import annotations

import json
import pickle
import re
import subprocess
import sys

import pytest

from amts.engine.align.document import align_document
from amts.engine.align.pairs import AlignmentWarning, Side

EN = """# Attention Cues
:label:`sec_cues`

Attention is a scarce resource.
We pay for it with an opportunity cost.
Nothing comes for free.

```{.python .input}
x = 1
```

The loss is $\\ell$ and the weight is `w`.
Both are computed by :numref:`sec_loss`.
We will reuse both of these quantities again and again in the later chapters of the book.

* First item about $x$.
* Second item about `y`.
"""

ZH = """# 注意力提示
:label:`sec_cues`

注意力是一种稀缺的资源，我们用机会成本为它付费。
注意力不是免费的。

```{.python .input}
x = 1
```

损失为$\\ell$，权重为`w`。
两者都由 :numref:`sec_loss`计算。

* 关于$x$的第一项。
* 关于`y`的第二项。
"""


def _pairs(result):
    return [(p.source, p.target) for p in result.sentence_pairs]


def test_merge_headings_lists_and_an_untranslated_sentence():
    result = align_document(EN, ZH, "en", "zh", path="cues.md")
    pairs = _pairs(result)
    assert pairs[0] == ("Attention Cues", "注意力提示")
    assert ("Attention is a scarce resource. We pay for it with an opportunity cost.",
            "注意力是一种稀缺的资源，我们用机会成本为它付费。") in pairs
    assert ("Nothing comes for free.", "注意力不是免费的。") in pairs
    assert ("The loss is $\\ell$ and the weight is `w`.", "损失为$\\ell$，权重为`w`。") in pairs
    assert ("We will reuse both of these quantities again and again in the later chapters of the book.", "") in pairs
    assert ("First item about $x$.", "关于$x$的第一项。") in pairs
    assert ("Second item about `y`.", "关于`y`的第二项。") in pairs
    assert all(p.path == "cues.md" for p in result.sentence_pairs)
    merged = next(p for p in result.sentence_pairs if p.bead == "2-1")
    assert merged.source_line == 4 and merged.target_line == 4 and 0.0 < merged.confidence <= 1.0
    # paragraph pairs keep each file's inline markup and join zh without spaces
    assert ("The loss is $\\ell$ and the weight is `w`. Both are computed by :numref:`sec_loss`. "
            "We will reuse both of these quantities again and again in the later chapters of the book.",
            "损失为$\\ell$，权重为`w`。两者都由 :numref:`sec_loss`计算。") in [
        (p.source, p.target) for p in result.paragraph_pairs]


def test_split_sentence_and_an_added_paragraph_with_a_warning():
    en = ("# Title\n\nThe model is trained on a large corpus of text with $n$ examples. It converges fast.\n\n"
          "We use a learning rate of 0.1 for the first 10 epochs.\n\n"
          "Finally, we evaluate the model on the test set and report its accuracy.\n\n"
          "## Summary\n\n* Training is done on a large corpus with a small learning rate.\n"
          "* Evaluation on the test set reports the accuracy of the trained model.\n"
          "* The whole procedure takes a few hours on a single GPU.\n")
    zh = ("# 标题\n\n模型在大型语料库上训练。语料库共有$n$个样本。它收敛得很快。\n\n"
          "前10轮的学习率为0.1。\n\n"
          "这是译者额外加入的一段说明，用来解释本节所需的背景知识和常用术语。读者可以跳过这一段。\n\n"
          "最后，我们在测试集上评估模型并报告其准确率。\n\n"
          "## 小结\n\n* 训练在大型语料库上以较小的学习率进行。\n* 在测试集上的评估报告训练后模型的准确率。\n"
          "* 整个过程在单个GPU上需要几个小时。\n")
    result = align_document(en, zh, "en", "zh")
    pairs = _pairs(result)
    assert ("The model is trained on a large corpus of text with $n$ examples.",
            "模型在大型语料库上训练。语料库共有$n$个样本。") in pairs
    assert ("It converges fast.", "它收敛得很快。") in pairs
    assert ("We use a learning rate of 0.1 for the first 10 epochs.", "前10轮的学习率为0.1。") in pairs
    assert ("", "这是译者额外加入的一段说明，用来解释本节所需的背景知识和常用术语。") in pairs
    assert ("", "读者可以跳过这一段。") in pairs
    assert ("Finally, we evaluate the model on the test set and report its accuracy.",
            "最后，我们在测试集上评估模型并报告其准确率。") in pairs
    # The warning names the translation's side and the added paragraph's line there (7).
    assert AlignmentWarning(Side.TARGET, 7, "target paragraph has no counterpart in the source") in result.warnings


def test_reordered_sentences_become_one_bead():
    en = ("Note that there are many alternatives for the design of attention mechanisms. For instance, we can "
          "design a non-differentiable attention model :cite:`Mnih.2014`. Given the dominance of the framework "
          "in :numref:`fig_qkv`, models under this framework will be the center of our attention.\n")
    zh = ("鉴于上面所提框架在 :numref:`fig_qkv`中的主导地位，因此这个框架下的模型将成为本章的中心。"
          "然而，注意力机制的设计有许多替代方案。例如可以设计一个不可微的注意力模型 :cite:`Mnih.2014`。\n")
    result = align_document(en, zh, "en", "zh")
    assert [p.bead for p in result.sentence_pairs] == ["3-3"]


def test_unbalanced_structure_and_empty_files_do_not_raise():
    result = align_document("# A\n\nOne. Two.\n\n```\nunclosed\n", "", "en", "zh")
    assert all(not p.target for p in result.sentence_pairs)
    assert any("never closed" in w.message for w in result.warnings)
    assert align_document("", "", "en", "zh").sentence_pairs == []


def test_result_pickles_for_worker_processes():
    result = align_document(EN, ZH, "en", "zh")
    assert pickle.loads(pickle.dumps(result)) == result


GOLD_SECTIONS = {
    "machine-translation-and-dataset": "chapter_recurrent-modern",
    "rmsprop": "chapter_optimization",
    "attention-cues": "chapter_attention-mechanisms",
}
EDITION_GOLD_SECTION = "chapter_convolutional-neural-networks/padding-and-strides"


def _gold_cases(gold_dir, d2l_zh):
    """(name, language, English text, translation, gold file) for every gold file in ../shared/gold."""
    for gold in sorted(gold_dir.glob("*.gold.jsonl")):
        name = gold.name.removesuffix(".gold.jsonl")
        chapter = GOLD_SECTIONS.get(name) or next(p.parent.name for p in d2l_zh.glob(f"chapter_*/{name}.md"))
        yield (name, "zh", (d2l_zh / chapter / f"{name}_origin.md").read_text(encoding="utf-8"),
               (d2l_zh / chapter / f"{name}.md").read_text(encoding="utf-8"), gold)
    for gold in sorted((gold_dir / "editions").glob("*-padding-and-strides.gold.jsonl")):
        lang = gold.name.split("-")[0]
        section = d2l_zh.parent / "editions" / f"d2l-{lang}" / EDITION_GOLD_SECTION
        yield (gold.name, lang, section.with_name(section.name + "_origin.md").read_text(encoding="utf-8"),
               section.with_name(section.name + ".md").read_text(encoding="utf-8"), gold)


@pytest.mark.parametrize("reverse", [False, True], ids=["en-xx", "xx-en"])
def test_every_gold_file_scores_at_least_097_and_098_on_average(gold_dir, d2l_zh, score_tool, tmp_path, reverse):
    """Strict bead F1 of every gold file (the three zh dev files and one section of each of ja, ko,
    vi, tr), aligned in both directions, scored by the shared tool."""
    scores = {}
    for name, lang, english, translation, gold in _gold_cases(gold_dir, d2l_zh):
        if reverse:
            result = align_document(translation, english, lang, "en")
            rows = [{"en": p.target, lang: p.source} for p in result.sentence_pairs]
        else:
            result = align_document(english, translation, "en", lang)
            rows = [{"en": p.source, lang: p.target} for p in result.sentence_pairs]
        pairs_file = tmp_path / f"{name}.jsonl"
        pairs_file.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
        output = subprocess.run([sys.executable, str(score_tool), str(gold), str(pairs_file), "--tgt", lang],
                                capture_output=True, text=True, check=True).stdout
        scores[name] = float(re.search(r"F1 ([0-9.]+)", output).group(1))
    assert len(scores) >= 7, scores
    assert min(scores.values()) >= 0.97, scores
    assert sum(scores.values()) / len(scores) >= 0.98, scores


def test_every_section_of_the_book_aligns(d2l_zh_aligned):
    # The session's alignment of the whole book (conftest.d2l_zh_aligned): align_document on
    # every section, in worker processes, not from any cache.
    sections = [s for s in d2l_zh_aligned.alignment.sections if s.name.startswith("chapter_")]
    assert len(sections) > 100 and not any(s.cached for s in sections)
    for section in sections:
        assert section.sentence_pairs, section.name
        assert any(p.source and p.target for p in section.paragraph_pairs), section.name
        assert all(0.0 <= p.confidence <= 1.0 for p in section.sentence_pairs)


def _edition_section(d2l_zh, lang, section):
    path = d2l_zh.parent / "editions" / f"d2l-{lang}" / section
    if not path.with_name(path.name + ".md").exists():
        pytest.skip(f"{path} is absent")
    return (path.with_name(path.name + "_origin.md").read_text(encoding="utf-8"),
            path.with_name(path.name + ".md").read_text(encoding="utf-8"))


@pytest.mark.parametrize("lang, first_words", [("ko", "고유값 찾기 고유값을"), ("vi", "Tìm kiếm Eigenvalues")])
def test_a_heading_that_swallowed_its_paragraph_pairs_with_heading_and_first_sentence(d2l_zh, lang, first_words):
    """Machine translation ran "## Finding Eigenvalues" and the paragraph under it into one line."""
    english, translation = _edition_section(
        d2l_zh, lang, "chapter_appendix-mathematics-for-deep-learning/eigendecomposition")
    pairs = align_document(english, translation, "en", lang).sentence_pairs
    first = next(p for p in pairs if p.target.startswith(first_words))
    assert first.source == "Finding Eigenvalues Let us figure out how to find them."
    following = pairs[pairs.index(first) + 1]
    assert following.source.startswith("By subtracting off the $\\lambda \\mathbf{v}$ from both sides")
    assert following.target and following.bead == "1-1"


def test_a_summary_heading_that_swallowed_its_list_pairs_item_by_item(d2l_zh):
    english, korean = _edition_section(d2l_zh, "ko", "chapter_appendix-mathematics-for-deep-learning/distributions")
    pairs = align_document(english, korean, "en", "ko").sentence_pairs
    by_source = {p.source: p.target for p in pairs}
    assert by_source["Continuous uniform distributions select from an interval."] == (
        "연속적인 균일 분포는 구간에서 선택합니다.*")
    assert by_source["All the above distributions belong to exponential family."] == (
        "위의 모든 분포는 지수 군에 속합니다.")
