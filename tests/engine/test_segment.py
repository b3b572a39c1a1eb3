"""Sentence segmentation: pysbd for English, CJK punctuation for Chinese, a regex fallback."""

from __future__ import annotations

import pytest

from amts.engine.markup.markdown import parse_markdown
from amts.engine.markup.segment import SUPPORTED_BY_PYSBD, segmenter_for, split_sentences


def test_english_sentences_and_abbreviations():
    text = ("We compare A vs. B, e.g., on speed, i.e., wall time. The gain is 3.5 times, see Fig. 2 "
            "and Smith et al. for details. Does it hold? Yes! It does.")
    assert split_sentences(text, "en") == [
        "We compare A vs. B, e.g., on speed, i.e., wall time.",
        "The gain is 3.5 times, see Fig. 2 and Smith et al. for details.",
        "Does it hold?",
        "Yes!",
        "It does.",
    ]


def test_colon_and_semicolon_never_end_a_sentence():
    assert split_sentences("Attention is scarce: you read this; you ignore the rest. Thus it costs.", "en") == [
        "Attention is scarce: you read this; you ignore the rest.", "Thus it costs."]


@pytest.mark.parametrize("text", [
    "Call `d2l.plot. Then` to draw. It works.",
    "The rate is $\\eta = 0.1. Next$ is fixed. It works.",
    "See :numref:`sec_x. Y` for more. It works.",
    "Open [the docs](https://d2l.ai/a. B.html) now. It works.",
])
def test_periods_inside_protected_spans_never_split(text):
    sentences = split_sentences(text, "en")
    assert len(sentences) == 2 and sentences[1] == "It works."


def test_sentences_ending_in_math_or_code_still_split():
    assert split_sentences("The loss is $\\ell$. The weight is `w`. Done.", "en") == [
        "The loss is $\\ell$.", "The weight is `w`.", "Done."]


def test_chinese_punctuation_with_closing_quotes_and_math():
    text = "他说：“好。”然后离开了。损失为$\\ell$。这对吗？对！最后一句"
    assert split_sentences(text, "zh") == [
        "他说：“好。”", "然后离开了。", "损失为$\\ell$。", "这对吗？", "对！", "最后一句"]


def test_chinese_colon_and_semicolon_do_not_split():
    assert split_sentences("首先：读书；然后：写作。", "zh") == ["首先：读书；然后：写作。"]


def test_semantic_line_breaks_make_one_sentence():
    doc = parse_markdown("We have used RNNs\nto design language models,\nwhich are key.\nAnother one.\n")
    assert split_sentences(doc.prose_blocks[0].prose("en"), "en") == [
        "We have used RNNs to design language models, which are key.", "Another one."]
    zh = parse_markdown("语言模型是自然语言处理的关键，\n而机器翻译是基准测试。\n因为它很重要。\n")
    assert split_sentences(zh.prose_blocks[0].prose("zh"), "zh") == [
        "语言模型是自然语言处理的关键，而机器翻译是基准测试。", "因为它很重要。"]


@pytest.mark.parametrize("lang", ["pt", "tr", "vi", "ko"])
def test_rule_languages_split_at_final_punctuation_but_not_abbreviations(lang):
    assert lang not in SUPPORTED_BY_PYSBD
    text = "O modelo, e.g. uma rede, aprende. A taxa é 0.5 aqui. Funciona? Sim."
    assert split_sentences(text, lang) == ["O modelo, e.g. uma rede, aprende.", "A taxa é 0.5 aqui.",
                                           "Funciona?", "Sim."]
    assert "rules" in segmenter_for(lang)


def test_segmenter_descriptions():
    assert "pysbd" in segmenter_for("en") and "pysbd" in segmenter_for("es")
    assert "CJK" in segmenter_for("zh-TW")


def test_real_book_sentences_rejoin_to_their_paragraph(d2l_zh):
    section = d2l_zh / "chapter_optimization" / "rmsprop"
    for path, lang in ((section.with_name("rmsprop_origin.md"), "en"), (section.with_name("rmsprop.md"), "zh")):
        for block in parse_markdown(path.read_text(encoding="utf-8")).prose_blocks:
            prose = block.prose(lang)
            sentences = split_sentences(prose, lang)
            glue = "" if lang == "zh" else " "
            assert "".join(glue.join(sentences).split()) == "".join(prose.split())
