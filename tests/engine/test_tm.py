"""amts.engine.paralleldata.memory: exact then fuzzy translation-memory lookup, on real d2l sentences."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from amts.engine.align.pairs import AlignedPair
from amts.engine.paralleldata.memory import TranslationMemory, normalize_whitespace


def _d2l_sentences(book: Path, limit: int) -> list[str]:
    """Prose sentences (one line each after flattening) from the English originals."""
    sentences: list[str] = []
    for path in sorted(book.glob("chapter_*/*_origin.md")):
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"```.*?```", "", text, flags=re.DOTALL)
        for paragraph in re.split(r"\n\s*\n", text):
            if paragraph.lstrip().startswith(("#", ":", "!", "|", "$$", "<")):
                continue
            for sentence in re.split(r"(?<=[.!?])\s+", normalize_whitespace(paragraph)):
                if 40 <= len(sentence) <= 300:
                    sentences.append(sentence)
        if len(sentences) >= limit:
            break
    return list(dict.fromkeys(sentences))[:limit]


def test_exact_lookup_ignores_whitespace_differences():
    memory = TranslationMemory([("We use  tensors\nto store data.", "我们用张量存储数据。")])
    match = memory.lookup("  We use tensors to\tstore data. ")
    assert match is not None
    assert match.exact and match.score == 100.0
    assert match.target == "我们用张量存储数据。"
    assert match.source == "We use  tensors\nto store data."


def test_later_duplicate_wins_and_blank_entries_are_dropped():
    memory = TranslationMemory(
        [("Hello.", "旧。"), ("Hello.", "新。"), ("   ", "空"), ("Only source.", "  ")]
    )
    assert len(memory) == 1
    assert memory.lookup("Hello.").target == "新。"
    assert memory.lookup("") is None


def test_accepts_aligned_pairs():
    memory = TranslationMemory([AlignedPair("Linear Algebra", "线性代数")])
    assert memory.lookup("Linear Algebra").target == "线性代数"


def test_fuzzy_lookup_finds_the_near_sentence_and_respects_the_threshold():
    memory = TranslationMemory(
        [
            ("The tensor class supports automatic differentiation.", "张量类支持自动微分。"),
            ("Do not worry if you struggle to grok some concepts.", "不要担心。"),
        ]
    )
    match = memory.lookup("The tensor class supports automatic differentiations.")
    assert match is not None and not match.exact
    assert match.target == "张量类支持自动微分。"
    assert 85 <= match.score < 100
    assert memory.lookup("A completely different sentence about GPUs.") is None
    # A stricter threshold refuses what the default accepts.
    assert memory.lookup("The tensor class supports automatic differentiations.", min_score=99.5) is None


def test_on_real_d2l_sentences_every_edited_sentence_finds_its_own_entry(d2l_zh):
    sentences = _d2l_sentences(d2l_zh, 3000)
    assert len(sentences) > 1000
    memory = TranslationMemory((s, f"T{i}") for i, s in enumerate(sentences))
    assert len(memory) == len(sentences)
    for sentence in sentences[::50]:
        index = sentences.index(sentence)
        exact = memory.lookup(sentence.replace(" ", "  ", 1))
        assert exact is not None and exact.exact and exact.target == f"T{index}"
        # Drop one character in the middle: a near match, found among thousands of entries.
        middle = len(sentence) // 2
        edited = sentence[:middle] + sentence[middle + 1:]
        fuzzy = memory.lookup(edited)
        assert fuzzy is not None and not fuzzy.exact, sentence
        assert fuzzy.target == f"T{index}", sentence


def test_length_window_does_not_hide_reachable_matches():
    # A long query and a short entry: ratio = 2*10/(10+13) ≈ 87 is reachable and must be found.
    memory = TranslationMemory([("abcdefghij", "X")])
    match = memory.lookup("abcdefghijklm")
    assert match is not None and match.target == "X"
    assert match.score == pytest.approx(200 * 10 / 23, abs=0.01)


def test_zero_width_guard_characters_do_not_change_the_key():
    # The exporter writes "\u2060- item" for a field starting with "-" (Amazon's CSV rule).
    memory = TranslationMemory([("\u2060- a list item", "\u2060- 列表项")])
    match = memory.lookup("- a list item")
    assert match is not None and match.exact
