"""`amts-tui align` end to end: the shared d2l-zh book, bad input, exit codes, the cache."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from dataclasses import replace

import pytest

from amts.engine.align.book_alignment import align_book
from amts.engine.book import open_book
from amts.engine.paralleldata.write import read_parallel_data, validate_for_amazon
from amts.tui.cli import main


def write_repo(root, sections):
    root.mkdir(parents=True, exist_ok=True)
    (root / "config.ini").write_text("[project]\nlang = zh\n\n[translation]\norigin_lang = en\n", encoding="utf-8")
    for rel, (en, zh) in sections.items():
        base = root / rel
        base.parent.mkdir(parents=True, exist_ok=True)
        (base.parent / f"{base.name}_origin.md").write_bytes(en if isinstance(en, bytes) else en.encode())
        if zh is not None:
            (base.parent / f"{base.name}.md").write_bytes(zh if isinstance(zh, bytes) else zh.encode())


GOOD_EN = ("# Models\n\nA model maps inputs to outputs.\nWe train it on data.\n\n```python\nx = 1\n```\n\n"
           "Training uses $n$ examples.\n")
GOOD_ZH = "# 模型\n\n模型将输入映射到输出。\n我们用数据训练它。\n\n```python\nx = 1\n```\n\n训练使用$n$个样本。\n"


def test_small_book_exports_and_exit_zero(tmp_path, capsys):
    write_repo(tmp_path / "book", {"chapter_a/models": (GOOD_EN, GOOD_ZH)})
    out = tmp_path / "pairs.jsonl"
    code = main(["align", str(tmp_path / "book"), "-o", str(out), "--workdir", str(tmp_path / "w")])
    assert code == 0
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert {"en": "A model maps inputs to outputs.", "zh": "模型将输入映射到输出。"}.items() <= rows[1].items()
    assert [r["zh"] for r in rows] == ["模型", "模型将输入映射到输出。", "我们用数据训练它。", "训练使用$n$个样本。"]
    assert "x = 1" not in out.read_text(encoding="utf-8")
    assert "1 sections aligned" in capsys.readouterr().out


def test_pairs_excluded_in_the_work_directory_are_not_exported(tmp_path, capsys):
    from amts.engine.paralleldata.exclusions import ExclusionStore

    book = tmp_path / "book"
    write_repo(book, {"chapter_a/models": (GOOD_EN, GOOD_ZH)})
    pairs = [p for p in align_book(open_book(book), workdir=tmp_path / "w").pairs("sentence")
             if p.target == "我们用数据训练它。"]
    ExclusionStore.for_book(tmp_path / "w", book).add(pairs, "en", "zh")
    out = tmp_path / "pairs.jsonl"
    assert main(["align", str(book), "-o", str(out), "--workdir", str(tmp_path / "w")]) == 0
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["zh"] for r in rows] == ["模型", "模型将输入映射到输出。", "训练使用$n$个样本。"]
    assert "1 pairs excluded by the user left out" in capsys.readouterr().out


def test_bad_input_is_reported_and_the_rest_exports(tmp_path, capsys):
    write_repo(tmp_path / "book", {
        "chapter_a/models": (GOOD_EN, GOOD_ZH),
        "chapter_a/latin1": (GOOD_EN, "# 模型\n\n".encode() + b"bad \xff byte\n"),
        "chapter_a/empty": (GOOD_EN, "\n"),
        "chapter_a/missing": (GOOD_EN, None),
        "chapter_a/fence": (GOOD_EN, "# 模型\n\n模型将输入映射到输出。\n\n```python\nx = 1\n"),
    })
    out = tmp_path / "pairs.csv"
    code = main(["align", str(tmp_path / "book"), "-o", str(out), "--workdir", str(tmp_path / "w")])
    err = capsys.readouterr().err
    assert code == 1
    assert "chapter_a/latin1.md:3: not UTF-8" in err
    assert "chapter_a/empty.md: file is empty" in err
    assert "chapter_a/missing_origin.md: no translation beside it" in err
    assert "chapter_a/fence.md:5" in err and "never closed" in err
    assert validate_for_amazon(out) == []
    data = read_parallel_data(out)
    assert "模型将输入映射到输出。" in {p.target for p in data.pairs}


def test_usage_errors_exit_two(tmp_path, capsys):
    assert main(["align", str(tmp_path / "nope"), "-o", str(tmp_path / "x.csv")]) == 2
    assert "book folder not found" in capsys.readouterr().err
    write_repo(tmp_path / "book", {"chapter_a/only": (GOOD_EN, None)})
    assert main(["align", str(tmp_path / "book"), "-o", str(tmp_path / "x.csv")]) == 2
    assert not (tmp_path / "x.csv").exists()


def test_parallel_trees_en_es(tmp_path):
    for side, text in (("en", "# Data\n\nData is plentiful. Labels are not.\n"),
                       ("es", "# Datos\n\nLos datos abundan. Las etiquetas no.\n")):
        (tmp_path / side).mkdir()
        (tmp_path / side / "data.md").write_text(text, encoding="utf-8")
    out = tmp_path / "es.tsv"
    code = main(["align", "--source", str(tmp_path / "en"), "--target", str(tmp_path / "es"),
                 "--source-lang", "en", "--target-lang", "es", "-o", str(out), "--workdir", str(tmp_path / "w")])
    assert code == 0
    rows = list(csv.reader(out.open(encoding="utf-8"), delimiter="\t"))
    assert rows == [["en", "es"], ["Data", "Datos"], ["Data is plentiful.", "Los datos abundan."],
                    ["Labels are not.", "Las etiquetas no."]]


@pytest.fixture(scope="module")
def whole_book_export(d2l_zh, d2l_zh_aligned, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("book")
    out = tmp / "zh.csv"
    workdir = d2l_zh_aligned.seed(tmp / "w")  # the session's alignment of the book, by its cache
    code = main(["align", str(d2l_zh), "--granularity", "sentence", "-o", str(out), "--workdir", str(workdir)])
    return code, out, tmp


def test_whole_shared_book_exports_valid_amazon_csv(whole_book_export, d2l_zh):
    code, out, _ = whole_book_export
    assert code == 0
    assert validate_for_amazon(out) == []
    with out.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["en", "zh"]
    assert len(rows) > 8000
    assert all(len(r) == 2 and r[0].strip() and r[1].strip() for r in rows[1:])
    assert all(len(r[0].encode()) <= 1000 and len(r[1].encode()) <= 1000 for r in rows[1:])


def test_whole_book_every_section_yields_pairs_and_cache_hits(d2l_zh_aligned, d2l_zh):
    # Aligned once (conftest.d2l_zh_aligned) into a work directory: aligned again, all from cache.
    alignment = align_book(open_book(d2l_zh), workdir=d2l_zh_aligned.workdir)
    assert len(alignment.sections) == 135 and d2l_zh_aligned.alignment.cached_sections == 0
    assert alignment.cached_sections == 135
    assert alignment.sections == tuple(replace(s, cached=True) for s in d2l_zh_aligned.alignment.sections)
    assert all(s.sentence_pairs for s in alignment.sections)


def test_paragraph_export_splits_long_pairs(d2l_zh, d2l_zh_aligned, tmp_path, capsys):
    out = tmp_path / "para.csv"
    workdir = d2l_zh_aligned.seed(tmp_path / "w")
    code = main(["align", str(d2l_zh), "--granularity", "paragraph", "-o", str(out), "--workdir", str(workdir)])
    assert code == 0
    assert validate_for_amazon(out) == []
    summary = capsys.readouterr().out
    assert "long pairs split into shorter aligned pairs" in summary


def test_gold_sections_score_at_least_096(gold_dir, score_tool, d2l_zh, tmp_path):
    """Strict bead F1 against each hand-made gold file, scored by the shared tool."""
    for gold in sorted(gold_dir.glob("*.gold.jsonl")):
        name = gold.name[: -len(".gold.jsonl")]
        origin = next(d2l_zh.glob(f"chapter_*/{name}_origin.md"))
        book = tmp_path / name
        (book / origin.parent.name).mkdir(parents=True)
        shutil.copy(d2l_zh / "config.ini", book / "config.ini")
        shutil.copy(origin, book / origin.parent.name / origin.name)
        shutil.copy(origin.with_name(f"{name}.md"), book / origin.parent.name / f"{name}.md")
        out = tmp_path / f"{name}.jsonl"
        assert main(["align", str(book), "--format", "jsonl", "-o", str(out), "--workdir", str(tmp_path / "w")]) == 0
        result = subprocess.run([sys.executable, str(score_tool), str(gold), str(out)],
                                capture_output=True, text=True, check=True)
        f1 = float(result.stdout.strip().split()[-1])
        assert f1 >= 0.96, f"{name}: {result.stdout}"


def test_different_paragraph_counts_warn_with_file_and_line(tmp_path, capsys):
    en = "# Title\n\nFirst paragraph is here.\n\nSecond paragraph follows.\n\nThird one ends it.\n"
    zh = "# 标题\n\n第一段在这里。第二段紧随其后。第三段结束。\n"
    write_repo(tmp_path / "book", {"ch/a": (en, zh)})
    out = tmp_path / "pairs.jsonl"
    assert main(["align", str(tmp_path / "book"), "-o", str(out), "--workdir", str(tmp_path / "w")]) == 0
    err = capsys.readouterr().err
    assert "warning: ch/a_origin.md:3: 3 source paragraphs vs 1 target paragraphs (target line 3)" in err
    assert "第一段在这里。" in out.read_text(encoding="utf-8")


def test_unwritable_output_is_one_line_naming_the_file(tmp_path, capsys):
    write_repo(tmp_path / "book", {"chapter_a/models": (GOOD_EN, GOOD_ZH)})
    (tmp_path / "blocked").write_text("a file where a folder should be", encoding="utf-8")
    out = tmp_path / "blocked" / "pairs.csv"
    assert main(["align", str(tmp_path / "book"), "-o", str(out), "--workdir", str(tmp_path / "w")]) == 2
    err = capsys.readouterr().err
    assert f"{out}: cannot write" in err and "Traceback" not in err


def test_folder_without_config_is_not_a_book(tmp_path, capsys):
    assert main(["align", str(tmp_path), "-o", str(tmp_path / "x.csv")]) == 2
    assert "not a d2lbook book: no config.ini" in capsys.readouterr().err
