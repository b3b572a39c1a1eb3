"""Splitting text under TranslateText's byte limit at natural boundaries, losslessly."""

from __future__ import annotations

import pytest

from amts.engine.client.text_chunks import split_edges, split_for_translation, utf8_size


def test_short_text_is_one_piece():
    assert split_for_translation("Hello.\n\nWorld.") == ["Hello.\n\nWorld."]


def test_paragraphs_are_the_first_boundary():
    text = "A" * 60 + ".\n\n" + "B" * 60 + ".\n\n" + "C" * 60 + "."
    pieces = split_for_translation(text, max_bytes=130)
    assert "".join(pieces) == text
    assert pieces[0] == "A" * 60 + ".\n\n" + "B" * 60 + ".\n\n"
    assert pieces[1] == "C" * 60 + "."


def test_long_paragraph_splits_at_sentences_including_chinese():
    text = "深度学习很有用。" * 30  # 24 bytes per sentence, no spaces, no newlines
    pieces = split_for_translation(text, max_bytes=100)
    assert "".join(pieces) == text
    assert all(p.endswith("。") for p in pieces)
    assert all(utf8_size(p) <= 100 for p in pieces)


def test_unbreakable_text_is_cut_between_characters():
    text = "汉" * 50  # 3 bytes each
    pieces = split_for_translation(text, max_bytes=10)
    assert "".join(pieces) == text and all(utf8_size(p) <= 10 for p in pieces)
    assert pieces[0] == "汉" * 3


def test_too_small_limit_is_refused():
    with pytest.raises(ValueError):
        split_for_translation("x", max_bytes=2)


def test_edges_keep_whitespace_out_of_the_request():
    assert split_edges("\n\n  Hello world.\n\n") == ("\n\n  ", "Hello world.", "\n\n")
    assert split_edges("   ") == ("   ", "", "")


def test_every_d2l_chapter_splits_under_the_limit_and_rejoins(d2l_zh):
    sources = sorted(d2l_zh.glob("chapter_*/*_origin.md"))
    assert sources
    split_any = False
    for path in sources:
        text = path.read_text(encoding="utf-8")
        pieces = split_for_translation(text)
        assert "".join(pieces) == text, path
        assert all(utf8_size(p) <= 10_000 for p in pieces), path
        split_any = split_any or len(pieces) > 1
        # pieces end at a line break unless a single line was too long
        assert all(p.endswith("\n") for p in pieces[:-1] if "\n" in p), path
    assert split_any  # d2l has chapters longer than 10 kB
