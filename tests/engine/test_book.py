"""Book discovery: translation repos, parallel trees, explicit pairs, and what has no counterpart."""

from __future__ import annotations

import pytest

from amts.engine.book import book_from_pairs, discover_trees, open_book, read_markdown_file
from amts.engine.errors import AmtsError


def make_repo(root, files):
    (root / "config.ini").write_text("[project]\nlang = zh\n\n[translation]\norigin_lang = en\n", encoding="utf-8")
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))


def test_translation_repo_pairs_and_orphans(tmp_path):
    make_repo(tmp_path, {
        "chapter_a/one_origin.md": "# One\n", "chapter_a/one.md": "# 一\n",
        "chapter_a/lonely_origin.md": "# Lonely\n", "chapter_b/extra.md": "# 多余\n",
        "README.md": "top-level files are not sections\n",
    })
    book = open_book(tmp_path)
    assert (book.source_lang, book.target_lang) == ("en", "zh")
    assert [s.name for s in book.sections] == ["chapter_a/one.md"]
    assert sorted(str(s) for s in book.skipped) == [
        "chapter_a/lonely_origin.md: no translation beside it",
        "chapter_b/extra.md: no extra_origin.md beside it",
    ]
    reverse = open_book(tmp_path, source_lang="zh", target_lang="en")
    assert reverse.sections[0].source_path.name == "one.md"
    with pytest.raises(AmtsError, match="en→zh, not en→es"):
        open_book(tmp_path, target_lang="es")


def test_not_a_translation_repo_names_the_file(tmp_path):
    (tmp_path / "config.ini").write_text("[project]\nlang = en\n", encoding="utf-8")
    with pytest.raises(AmtsError) as err:
        open_book(tmp_path)
    assert "origin_lang" in str(err.value) and "config.ini" in str(err.value)


def test_trees_and_pairs(tmp_path):
    for side, names in (("en", ["a.md", "b.md"]), ("es", ["a.md", "c.md"])):
        for n in names:
            (tmp_path / side).mkdir(exist_ok=True)
            (tmp_path / side / n).write_text("# x\n", encoding="utf-8")
    book = discover_trees(tmp_path / "en", tmp_path / "es", "en", "es")
    assert [s.name for s in book.sections] == ["a.md"] and len(book.skipped) == 2
    pairs = book_from_pairs([(tmp_path / "en/a.md", tmp_path / "es/a.md"),
                             (tmp_path / "en/b.md", tmp_path / "es/b.md")], "en", "es")
    assert len(pairs.sections) == 1 and "file not found" in str(pairs.skipped[0])


def test_non_utf8_and_empty_files_name_file_and_line(tmp_path):
    bad = tmp_path / "bad.md"
    bad.write_bytes("line one\nline two \xff\n".encode("latin-1"))
    with pytest.raises(AmtsError) as err:
        read_markdown_file(bad)
    assert str(err.value).startswith(f"{bad}:2: not UTF-8")
    empty = tmp_path / "empty.md"
    empty.write_text("  \n", encoding="utf-8")
    with pytest.raises(AmtsError, match="empty"):
        read_markdown_file(empty)


def test_shared_d2l_zh_book(d2l_zh):
    book = open_book(d2l_zh)
    assert (book.source_lang, book.target_lang) == ("en", "zh")
    assert len(book.sections) == 135 and not book.skipped
