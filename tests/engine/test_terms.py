"""Term lists: d2l-zh's TERMINOLOGY.md parsed both ways, consistency checks, Amazon terminology CSV."""

from __future__ import annotations

import csv

import pytest

from amts.engine.errors import AmtsError
from amts.engine.paralleldata.terminology import (
    Term,
    english_forms,
    parse_terminology,
    terminology_hits,
    write_terminology_csv,
)


@pytest.fixture(scope="module")
def terminology(d2l_zh):
    return d2l_zh / "TERMINOLOGY.md"


def by_source(terms):
    return {term.source: term for term in terms}


def test_parses_the_real_list_en_to_zh(terminology):
    terms = parse_terminology(terminology, "en", "zh")
    assert len(terms) > 100
    entries = by_source(terms)
    assert entries["saddle point"].target == "鞍点"
    assert entries["saddle point"].line == 3
    assert entries["hyperparameter"].target == "超参数"
    lstm = entries["long short-term memory (LSTM)"]
    assert (lstm.target, lstm.source_forms) == ("长短期记忆网络", ("long short-term memory", "LSTM"))
    assert entries["momentum (method)"].source_forms == ("momentum",)
    assert entries["hierarchical softmax"].target == "层序softmax"
    assert all("，" not in t.source and "，" not in t.target and t.source and t.target for t in terms)


def test_parses_the_real_list_zh_to_en(terminology):
    terms = by_source(parse_terminology(terminology, "zh", "en"))
    assert terms["鞍点"].target == "saddle point"
    assert terms["独立同分布"].target_forms == ("independent and identically distributed", "i.i.d.")


def test_english_forms():
    assert english_forms("recurrent neural network (RNN)") == ("recurrent neural network", "RNN")
    assert english_forms("momentum (method)") == ("momentum",)
    assert english_forms("stride") == ("stride",)


def test_other_language_pairs_and_bad_lines_are_user_errors(tmp_path, terminology):
    with pytest.raises(AmtsError, match="cannot orient it en→fr"):
        parse_terminology(terminology, "en", "fr")
    bad = tmp_path / "TERMINOLOGY.md"
    bad.write_text("## 术语\n\n鞍点，saddle point\n步幅, stride\n", encoding="utf-8")
    with pytest.raises(AmtsError, match="expected `中文，english`") as err:
        parse_terminology(bad)
    assert (err.value.path, err.value.line) == (str(bad), 4)


def test_hits_en_to_zh_word_boundaries_case_and_plurals(terminology):
    terms = parse_terminology(terminology, "en", "zh")
    wanted = [t for t in terms if t.source in {"saddle point", "parameter", "stride",
                                               "long short-term memory (LSTM)"}]
    source = "Saddle points are rare. We tune each Hyperparameter and LSTM layers."
    output = "鞍点很少见。我们调整每个超参数和长短期记忆网络层。"
    report = terminology_hits(source, output, wanted)
    # "parameter" is not in "Hyperparameter"; "stride" is absent; LSTM counts for its term.
    assert (report.present, report.consistent, report.missing) == (2, 2, ())
    report = terminology_hits(source, "鞍点很少见。我们调整LSTM层。", wanted)
    assert (report.present, report.consistent) == (2, 1)
    assert [t.source for t in report.missing] == ["long short-term memory (LSTM)"]
    assert report.consistency == 0.5


def test_hits_zh_to_en_substring_in_chinese(terminology):
    terms = parse_terminology(terminology, "zh", "en")
    source = "使用小批量随机梯度下降时，步幅为2的汇聚层。"
    report = terminology_hits(source, "With a pooling layer of stride 2.", terms)
    found = {t.source for t in terms} & {"步幅", "汇聚层"}
    assert found == {"步幅", "汇聚层"}
    assert report.present >= 2
    assert {t.source for t in report.missing}.isdisjoint(found)


def test_no_terms_present_is_fully_consistent():
    report = terminology_hits("nothing here", "这里没有", [Term("tensor", "张量", ("tensor",), ("张量",))])
    assert (report.present, report.consistent, report.consistency) == (0, 0, 1.0)


def test_write_terminology_csv_in_amazon_format(tmp_path, terminology):
    terms = parse_terminology(terminology, "en", "zh")
    path = tmp_path / "terms.csv"
    written = write_terminology_csv(terms + terms[:3], path, "en", "zh")
    rows = list(csv.reader(path.open(encoding="utf-8", newline="")))
    assert rows[0] == ["en", "zh"]
    assert written == len(rows) - 1 == len(terms)  # duplicates of a source are left out
    assert ["saddle point", "鞍点"] in rows
    assert ["long short-term memory", "长短期记忆网络"] in rows
    assert not any("(" in source for source, _ in rows[1:])
    reverse = tmp_path / "zh-en.csv"
    write_terminology_csv(parse_terminology(terminology, "zh", "en"), reverse, "zh", "en")
    assert ["鞍点", "saddle point"] in list(csv.reader(reverse.open(encoding="utf-8")))
