"""Exclusions are data (issue 14): the pairs a user excluded, stored per book in the work
directory, on real d2l-zh pairs: across restarts, a direction reverse, a sync and a re-wrap."""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path

import pytest

from amts.engine.align.book_alignment import align_book
from amts.engine.book import book_work_dir, open_book
from amts.engine.errors import AmtsError
from amts.engine.paralleldata.exclusions import ExclusionStore, apply_exclusions
from amts.engine.paralleldata.write import write_parallel_data
from amts.engine.sync import apply_sync, plan_sync

CALCULUS = "chapter_preliminaries/calculus"
KEPT_ZH = "2000多年后，微积分的另一支，*微分*（differential calculus）被发明出来。"
EDITED_EN = ("This process is also known as the *method of exhaustion*.",
             "This process is also called the *method of exhaustion*.")
EDITED_ZH = "这个过程也被称为*逼近法*（method of exhaustion）。"


@pytest.fixture
def book(tmp_path, d2l_zh) -> Path:
    """A copy of d2l-zh holding its calculus section only."""
    root = tmp_path / "d2l-zh"
    (root / CALCULUS).parent.mkdir(parents=True)
    shutil.copy(d2l_zh / "config.ini", root / "config.ini")
    for suffix in ("_origin.md", ".md"):
        shutil.copy(d2l_zh / f"{CALCULUS}{suffix}", root / f"{CALCULUS}{suffix}")
    return root


def pairs_of(book: Path, granularity: str = "sentence", reverse: bool = False):
    opened = open_book(book, source_lang="zh", target_lang="en") if reverse else open_book(book)
    return align_book(opened, jobs=1).pairs(granularity)


def pair_with_target(pairs, target: str):
    (pair,) = [p for p in pairs if p.target == target or p.source == target]
    return pair


def test_an_exclusion_is_kept_in_the_work_directory_and_survives_a_restart(book, tmp_path):
    pairs = pairs_of(book)
    pair = pair_with_target(pairs, KEPT_ZH)
    store = ExclusionStore.for_book(tmp_path / "work", book)
    assert len(store.read()) == 0  # nothing stored yet: no file needed
    assert len(store.add([pair], "en", "zh")) == 1
    assert len(store.add([pair], "en", "zh")) == 1  # excluding it again changes nothing
    assert store.path == book_work_dir(tmp_path / "work", book) / "exclusions.json"
    stored = json.loads(store.path.read_text(encoding="utf-8"))
    assert stored == {"format": "amts-exclusions/1", "book": str(book.resolve()), "pairs": [
        {"section": f"{CALCULUS}.md", "granularity": "sentence", "texts": {"en": pair.source, "zh": KEPT_ZH}}]}
    restarted = ExclusionStore.for_book(tmp_path / "work", book / ".." / book.name).read()
    result = apply_exclusions(pairs, restarted, "en", "zh")
    assert result.excluded == 1 and pair not in result.kept and len(result.kept) == len(pairs) - 1
    assert [(e.section, e.text("zh")) for e in restarted] == [(f"{CALCULUS}.md", KEPT_ZH)]


def test_the_same_pair_is_excluded_when_the_book_is_opened_the_other_way_round(book, tmp_path):
    store = ExclusionStore.for_book(tmp_path / "work", book)
    store.add([pair_with_target(pairs_of(book), KEPT_ZH)], "en", "zh")
    reversed_pairs = pairs_of(book, reverse=True)
    swapped = pair_with_target(reversed_pairs, KEPT_ZH)
    assert swapped.source == KEPT_ZH
    exclusions = store.read()
    assert exclusions.excludes(swapped, "zh", "en")
    assert apply_exclusions(reversed_pairs, exclusions, "zh", "en").excluded == 1


def test_an_exclusion_outlives_a_sync_and_a_rewrap_but_not_a_change_of_its_text(book, tmp_path, d2l_zh):
    store = ExclusionStore.for_book(tmp_path / "work", book)
    before = pairs_of(book)
    store.add([pair_with_target(before, KEPT_ZH), pair_with_target(before, EDITED_ZH)], "en", "zh")
    # Upstream edits one of the two sentences; the sync machine-translates it.
    upstream = tmp_path / "upstream"
    (upstream / CALCULUS).parent.mkdir(parents=True)
    origin = (book / f"{CALCULUS}_origin.md").read_text(encoding="utf-8")
    (upstream / f"{CALCULUS}.md").write_text(origin.replace(*EDITED_EN), encoding="utf-8")

    async def translator(texts, source_lang, target_lang):
        return ["这个过程也叫做*逼近法*。" for _ in texts]

    asyncio.run(apply_sync(plan_sync(book, upstream, jobs=1), translator))
    # And someone re-spaces the kept sentence's English (its text does not change).
    origin_path = book / f"{CALCULUS}_origin.md"
    origin_path.write_text(origin_path.read_text(encoding="utf-8").replace(
        "the other branch of calculus,", "the other  branch of\ncalculus,"), encoding="utf-8")
    after = pairs_of(book)
    assert pair_with_target(after, KEPT_ZH).source.startswith("More than 2,000 years later, the other  branch")
    result = apply_exclusions(after, store.read(), "en", "zh")
    assert result.excluded == 1  # the kept sentence only: the edited one is another pair now
    assert [p.target for p in after if p not in result.kept] == [KEPT_ZH]
    assert any(p.source == EDITED_EN[1] for p in result.kept)


def test_an_excluded_paragraph_excludes_its_sentences(book, tmp_path):
    store = ExclusionStore.for_book(tmp_path / "work", book)
    paragraph = next(p for p in pairs_of(book, "paragraph") if KEPT_ZH in p.target)
    exclusions = store.add([paragraph], "en", "zh")
    sentences = pairs_of(book)
    inside = [p for p in sentences if p.target and p.target in paragraph.target and p.source in paragraph.source]
    assert len(inside) == 4 and all(exclusions.excludes(p, "en", "zh") for p in inside)
    assert apply_exclusions(sentences, exclusions, "en", "zh").excluded == 4
    heading = pair_with_target(sentences, "微积分")  # its Chinese is in the paragraph, its English is not
    assert "微积分" in paragraph.target and not exclusions.excludes(heading, "en", "zh")
    # A sentence excluded alone leaves its paragraph in.
    store.clear()
    exclusions = store.add([pair_with_target(sentences, KEPT_ZH)], "en", "zh")
    assert not exclusions.excludes(paragraph, "en", "zh")
    # Including one sentence of an excluded paragraph again includes the paragraph.
    store.clear()
    store.add([paragraph], "en", "zh")
    exclusions = store.remove([pair_with_target(sentences, KEPT_ZH)], "en", "zh")
    assert len(exclusions) == 0 and apply_exclusions(sentences, exclusions, "en", "zh").excluded == 0


def test_remove_and_clear(book, tmp_path):
    store = ExclusionStore.for_book(tmp_path / "work", book)
    pairs = pairs_of(book)[:3]
    store.add(pairs, "en", "zh")
    assert len(store.remove([pairs[1]], "zh", "en")) == 3  # its sides named wrong: not that pair
    remaining = store.remove([pairs[1]], "en", "zh")
    assert [e.text("zh") for e in remaining] == [pairs[0].target, pairs[2].target]
    assert len(ExclusionStore.for_book(tmp_path / "work", book).read()) == 2
    assert len(store.clear()) == 0 and len(store.read()) == 0


def test_the_writer_leaves_excluded_pairs_out_and_says_how_many(book, tmp_path):
    pairs = pairs_of(book)
    store = ExclusionStore.for_book(tmp_path / "work", book)
    store.add([pair_with_target(pairs, KEPT_ZH)], "en", "zh")
    out = tmp_path / "pairs.csv"
    report = write_parallel_data(pairs, out, "csv", "en", "zh", exclusions=store.read())
    assert report.excluded == 1 and KEPT_ZH not in out.read_text(encoding="utf-8")
    assert "  1 pairs excluded by the user left out" in report.summary_lines()
    reversed_report = write_parallel_data(pairs_of(book, reverse=True), tmp_path / "zh-en.csv", "csv", "zh", "en",
                                          exclusions=store.read())
    assert reversed_report.excluded == 1 and KEPT_ZH not in (tmp_path / "zh-en.csv").read_text(encoding="utf-8")
    assert write_parallel_data(pairs, out, "csv", "en", "zh").excluded == 0  # none given, none left out


def test_a_damaged_store_is_an_error_naming_the_file(book, tmp_path):
    store = ExclusionStore.for_book(tmp_path / "work", book)
    store.path.parent.mkdir(parents=True)
    store.path.write_text('{"format": "amts-exclusions/1",\n "pairs": [}\n', encoding="utf-8")
    with pytest.raises(AmtsError) as caught:
        store.read()
    assert caught.value.path == str(store.path) and caught.value.line == 2 and "delete it" in caught.value.message
    store.path.write_text('{"format": "amts-exclusions/1", "pairs": [{"section": "a.md", "texts": {"en": "x"}}]}',
                          encoding="utf-8")
    with pytest.raises(AmtsError, match="excluded pair 1 needs"):
        store.add([], "en", "zh")  # a change never overwrites what it could not read


def test_each_book_has_its_own_work_directory(tmp_path, book):
    work = tmp_path / "work"
    assert book_work_dir(work, book) == book_work_dir(work, book / "chapter_preliminaries" / "..")
    assert book_work_dir(work, book).name.startswith("d2l-zh-")
    other = tmp_path / "elsewhere" / "d2l-zh"
    assert book_work_dir(work, other) != book_work_dir(work, book)
