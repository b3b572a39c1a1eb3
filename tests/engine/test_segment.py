"""Sentence segmentation: pysbd for English, CJK punctuation for zh/ja, rules per language (real edition text)."""

from __future__ import annotations

import pytest

from amts.engine.markup.markdown import parse_markdown
from amts.engine.markup.segment import SUPPORTED_BY_PYSBD, segmenter_for, split_sentences

from conftest import SHARED


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


# --- every edition's own text: one test per rule --------------------------------------------------

PADDING = "chapter_convolutional-neural-networks/padding-and-strides"


def _edition(lang):
    path = SHARED / "d2l" / "editions" / f"d2l-{lang}"
    if not path.is_dir():
        pytest.skip(f"{path} is absent: the real d2l data lives in ../shared beside the checkout")
    return path


def _sentences_of(path, lang, phrase):
    """The sentences of the prose block of `path` (a real edition file) that holds `phrase`."""
    for block in parse_markdown(path.read_text(encoding="utf-8")).prose_blocks:
        prose = block.prose(lang)
        if phrase in prose:
            return split_sentences(prose, lang)
    raise AssertionError(f"{phrase!r} not in {path}")


def _sentence_with(path, lang, phrase):
    return next(s for s in _sentences_of(path, lang, phrase) if phrase in s)


def test_korean_sentence_ends_without_a_space():
    section = _edition("ko") / f"{PADDING}.md"
    sentences = _sentences_of(section, "ko", "생성되었습니다.:numref:")
    assert sentences[0].endswith("출력 표현이 생성되었습니다.")
    assert sentences[1].startswith(":numref:`sec_conv_layer`에서 일반화했듯이")
    assert sentences[2].startswith("따라서 컨벌루션 계층의 출력 모양은")
    padded = _sentences_of(section, "ko", "5 \\times 5$로 늘립니다.그런 다음")
    assert any(s.startswith("그런 다음 해당 출력이") for s in padded)
    assert any(s.startswith(":numref:`img_conv_pad`에서는") for s in padded)


def test_korean_periods_inside_words_and_numbers_stay():
    assert split_sentences("학습률은 0.5입니다.모델은 d2l.ai 사이트에 있습니다.왜 그럴까?이유는 간단합니다.", "ko") == [
        "학습률은 0.5입니다.", "모델은 d2l.ai 사이트에 있습니다.", "왜 그럴까?", "이유는 간단합니다."]


def test_a_sentence_may_start_with_a_role_after_a_full_stop():
    tr = _sentences_of(_edition("tr") / f"{PADDING}.md", "tr", "gösterimi sağladı. :numref:`sec_conv_layer`")
    assert tr[0].endswith("bir çıktı gösterimi sağladı.")
    assert tr[1].startswith(":numref:`sec_conv_layer` içinde genelleştirdiğimiz gibi")
    vi = _sentence_with(_edition("vi") / f"{PADDING}.md", "vi", "cho thấy một hoạt động tương quan chéo")
    assert vi.startswith(":numref:`img_conv_stride` cho thấy")


def test_turkish_ordinals_and_abbreviations():
    tr = _edition("tr")
    beam = tr / "chapter_recurrent-modern" / "beam-search.md"
    assert _sentence_with(beam, "tr", "andıcını seçtiğimizi varsayalım") == (
        "3. zaman adımında “B” andıcını seçtiğimizi varsayalım.")
    assert "her andıcın koşullu olasılığı 3. zaman adımında da değişti." in _sentence_with(
        beam, "tr", "adımında da değişti")
    densenet = _sentence_with(tr / "chapter_convolutional-modern" / "densenet.md", "tr", "(bkz. :numref:`sec_resnet`")
    assert densenet.endswith("(bkz. :numref:`sec_resnet` içindeki alıştırma).")
    assert split_sentences("Klasöre gidin (örn. İndirilenler klasörü). Sonra açın.", "tr") == [
        "Klasöre gidin (örn. İndirilenler klasörü).", "Sonra açın."]


def test_vietnamese_etc_ends_a_sentence_before_a_capital():
    alexnet = _edition("vi") / "chapter_convolutional-modern" / "alexnet.md"
    sentences = _sentences_of(alexnet, "vi", "lưỡi cỏ, v.v. Thậm chí")
    assert any(s.endswith("như mắt, mũi, lưỡi cỏ, v.v.") for s in sentences)
    assert any(s.startswith("Thậm chí các lớp cao hơn") for s in sentences)
    assert split_sentences("Các số 1, 2, v.v. đều là số nguyên.", "vi") == ["Các số 1, 2, v.v. đều là số nguyên."]


def test_japanese_quotation_kept_whole():
    bert = _edition("ja") / "chapter_natural-language-processing-applications" / "finetuning-bert.md"
    quoted = _sentence_with(bert, "ja", "「一部の専門家は")
    assert "報告しています。しかし、" in quoted and "」と「" in quoted
    assert split_sentences("彼は「はい。わかりました。」と言った。次に進む。", "ja") == [
        "彼は「はい。わかりました。」と言った。", "次に進む。"]
    # Machine translation's stray brackets around a token quote no sentence.
    dataset = _edition("ja") / "chapter_recurrent-modern" / "machine-translation-and-dataset.md"
    assert _sentence_with(dataset, "ja", "(」<unk>「)").endswith("(」<unk>「) トークンとして扱います。")


def test_slide_marker_after_a_full_stop_ends_the_sentence():
    section = _edition("ja") / PADDING
    ja = _sentences_of(section.with_name("padding-and-strides.md"), "ja", "適用する**)。")
    assert ja[0].endswith("(**すべての辺に 1 ピクセルのパディングを適用する**)。")
    en = _sentences_of(section.with_name("padding-and-strides_origin.md"), "en", "on all sides.**)")
    assert any(s.endswith("(**apply 1 pixel of padding on all sides.**)") for s in en)
    assert any(s.startswith("Given an input with a height and width of 8") for s in en)


def test_every_edition_language_names_its_splitter():
    assert segmenter_for("ko").startswith("ko: Korean rules")
    assert segmenter_for("tr").startswith("tr: Turkish rules")
    assert segmenter_for("vi").startswith("vi: Vietnamese rules")
    assert "「…」 kept whole" in segmenter_for("ja")
    assert "no rules for this language" in segmenter_for("fi")
