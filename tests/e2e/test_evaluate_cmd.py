"""`amts-tui evaluate`: two trees scored as a user would call it."""

from __future__ import annotations

import json

from amts.tui.cli import main

REF = "# 模型\n\n模型将输入映射到输出。\n\n```python\nx = 1\n```\n\n我们用数据训练它。\n"


def write(root, rel, text):
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_markdown_trees_are_scored_on_prose_only(tmp_path, capsys):
    write(tmp_path / "ref", "a/one.md", REF)
    write(tmp_path / "hyp", "a/one.md", REF.replace("x = 1", "y = completely different code"))
    code = main(["evaluate", "--hyp", str(tmp_path / "hyp"), "--ref", str(tmp_path / "ref"),
                 "--target-lang", "zh", "--json", str(tmp_path / "s.json")])
    assert code == 0
    scores = json.loads((tmp_path / "s.json").read_text(encoding="utf-8"))
    [article] = scores["articles"]
    assert article["path"] == "a/one.md"
    assert round(scores["bleu"], 6) == round(article["bleu"], 6) == round(article["chrf"], 6) == 100.0
    assert "tok:zh" in scores["signature"] and "a/one.md" in capsys.readouterr().out


def test_differing_block_structure_is_paired_by_the_aligner(tmp_path):
    write(tmp_path / "ref", "one.md", REF)
    extra = REF.replace("我们用数据训练它。\n", "我们用数据训练它。\n\n新的段落只在译文里。\n")
    write(tmp_path / "hyp", "one.md", extra)
    assert main(["evaluate", "--hyp", str(tmp_path / "hyp"), "--ref", str(tmp_path / "ref"),
                 "--target-lang", "zh", "--json", str(tmp_path / "s.json")]) == 0
    scores = json.loads((tmp_path / "s.json").read_text(encoding="utf-8"))
    assert scores["articles"][0]["bleu"] > 60


def test_unpairable_file_is_left_out_with_a_warning(tmp_path, capsys):
    write(tmp_path / "ref", "good.md", REF)
    write(tmp_path / "hyp", "good.md", REF)
    write(tmp_path / "ref", "lines.txt", "one\ntwo\n")
    write(tmp_path / "hyp", "lines.txt", "one\n")
    code = main(["evaluate", "--hyp", str(tmp_path / "hyp"), "--ref", str(tmp_path / "ref"), "--target-lang", "en"])
    captured = capsys.readouterr()
    assert code == 1
    assert "lines.txt: 1 lines here, 2 in the reference" in captured.err
    assert "good.md" in captured.out


def test_missing_folder_is_a_usage_error(tmp_path, capsys):
    assert main(["evaluate", "--hyp", str(tmp_path / "nope"), "--ref", str(tmp_path), "--target-lang", "zh"]) == 2
    assert "folder not found" in capsys.readouterr().err
