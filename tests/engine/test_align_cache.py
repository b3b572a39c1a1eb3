"""The alignment cache: hits on an unchanged book, never a stale result after the aligner changes."""

from __future__ import annotations

from amts.engine.align import cache
from amts.engine.align.book_alignment import align_book
from amts.engine.book import open_book

EN = "# Models\n\nA model maps inputs to outputs. We train it on data.\n"
ZH = "# 模型\n\n模型将输入映射到输出。我们用数据训练它。\n"


def _book(root):
    (root / "chapter_a").mkdir(parents=True)
    (root / "config.ini").write_text("[project]\nlang = zh\n\n[translation]\norigin_lang = en\n", encoding="utf-8")
    (root / "chapter_a" / "models_origin.md").write_text(EN, encoding="utf-8")
    (root / "chapter_a" / "models.md").write_text(ZH, encoding="utf-8")
    return open_book(root)


def test_unchanged_book_is_read_from_the_cache_with_the_same_pairs(tmp_path):
    book = _book(tmp_path / "book")
    cold = align_book(book, workdir=tmp_path / "w")
    warm = align_book(book, workdir=tmp_path / "w")
    assert (cold.cached_sections, warm.cached_sections) == (0, 1)
    assert warm.pairs("sentence") == cold.pairs("sentence")
    assert warm.pairs("paragraph") == cold.pairs("paragraph")


def test_a_changed_aligner_never_reads_old_entries(tmp_path, monkeypatch):
    book = _book(tmp_path / "book")
    align_book(book, workdir=tmp_path / "w")
    monkeypatch.setattr(cache, "aligner_fingerprint", lambda: "another aligner")
    assert align_book(book, workdir=tmp_path / "w").cached_sections == 0


def test_the_fingerprint_covers_segmentation_and_alignment_code():
    names = {path.name for path in cache._FINGERPRINTED}
    assert {"segment.py", "segment_rules.py", "segment_pysbd.py", "markdown.py", "evidence.py", "beads.py",
            "sentences.py", "paragraphs.py", "document.py"} <= names


def test_a_damaged_entry_is_a_miss(tmp_path):
    book = _book(tmp_path / "book")
    align_book(book, workdir=tmp_path / "w")
    for entry in (tmp_path / "w" / "cache" / "align").glob("*.json"):
        entry.write_text("{not json", encoding="utf-8")
    again = align_book(book, workdir=tmp_path / "w")
    assert again.cached_sections == 0 and again.pairs("sentence")
