"""Review of sync's machine-translated units (issue 14), on real d2l-zh text.

Each test takes d2l-zh's calculus section (and ndarray for order across sections), changes its
English the way upstream does (a sentence edited, a sentence added, a translated code comment
reworded, a paragraph added, a code line both sides changed), runs the real sync (plan_sync +
apply_sync with a translator that returns known Chinese), then reviews and checks NAME.md byte
for byte and what the listing and the record say.
"""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path

import pytest

from amts.engine.align.book_alignment import align_book
from amts.engine.book import open_book
from amts.engine.errors import AmtsError
from amts.engine.markup.segment import split_sentences
from amts.engine.paralleldata.write import write_parallel_data
from amts.engine.sync import apply_sync, plan_sync
from amts.engine.sync import review as review_module
from amts.engine.sync.review import ReviewOutcome, accept_unit, edit_unit, list_review, reject_unit

CALCULUS = "chapter_preliminaries/calculus"
NDARRAY = "chapter_preliminaries/ndarray"

EDITED_EN = ("This process is also known as the *method of exhaustion*.",
             "This process is also called the *method of exhaustion*.")
EDITED_ZH_OLD = "这个过程也被称为*逼近法*（method of exhaustion）。"
EDITED_ZH_MACHINE = "这个过程也叫做*逼近法*。"
ADDED_EN = "It changed mathematics forever."
ADDED_ZH_MACHINE = "它永远地改变了数学。"
COMMENT_EN = ("# Return True if `X` (tensor or list) has 1 axis",
              "# Return True when `X` (a tensor or a list) has exactly 1 axis")
COMMENT_ZH = "    # 如果X有一个轴，输出True\n"
NDARRAY_EN = ("These properties make the tensor class suitable for deep learning.",
              "These properties make tensors suitable for deep learning.")
NDARRAY_ZH_MACHINE = "这些特性使张量适合深度学习。"

MACHINE = {EDITED_EN[1]: EDITED_ZH_MACHINE, ADDED_EN: ADDED_ZH_MACHINE, NDARRAY_EN[1]: NDARRAY_ZH_MACHINE,
           "Calculus is also fun.": "微积分也很有趣。", "It is everywhere.": "它无处不在。"}
MARKER = "<!-- amts: machine translation, review -->"


async def known_translator(texts: list[str], source_lang: str, target_lang: str) -> list[str]:
    return [MACHINE[text] for text in texts]


def read(d2l_zh: Path, name: str) -> tuple[str, str]:
    return ((d2l_zh / f"{name}_origin.md").read_bytes().decode("utf-8"),
            (d2l_zh / f"{name}.md").read_bytes().decode("utf-8"))


def calculus_upstream(origin: str) -> str:
    """Upstream's calculus: a sentence edited, a sentence added, a translated comment reworded."""
    new = origin.replace(*EDITED_EN).replace("was invented.\n", f"was invented.\n{ADDED_EN}\n").replace(*COMMENT_EN)
    assert new.count(EDITED_EN[1]) == new.count(ADDED_EN) == new.count(COMMENT_EN[1]) == 1
    return new


def synced_book(tmp_path: Path, d2l_zh: Path, sections: dict[str, tuple[str, str, str]]) -> Path:
    """A book of these sections (origin, target, upstream), synced with the known translator."""
    book, up = tmp_path / "book", tmp_path / "upstream"
    for root in (book, up):
        root.mkdir()
    shutil.copy(d2l_zh / "config.ini", book / "config.ini")
    for name, (origin, target, upstream) in sections.items():
        for root in (book, up):
            (root / name).parent.mkdir(parents=True, exist_ok=True)
        (book / f"{name}_origin.md").write_bytes(origin.encode("utf-8"))
        (book / f"{name}.md").write_bytes(target.encode("utf-8"))
        (up / f"{name}.md").write_bytes(upstream.encode("utf-8"))
    asyncio.run(apply_sync(plan_sync(book, up, jobs=1), known_translator))
    return book


@pytest.fixture
def calculus(tmp_path, d2l_zh) -> tuple[Path, str]:
    origin, target = read(d2l_zh, CALCULUS)
    return synced_book(tmp_path, d2l_zh, {CALCULUS: (origin, target, calculus_upstream(origin))}), target


def name_md(book: Path, name: str = CALCULUS) -> str:
    return (book / f"{name}.md").read_bytes().decode("utf-8")


def recorded(book: Path, name: str = CALCULUS) -> list[dict]:
    provenance = json.loads((book / ".amts" / "sync-provenance.json").read_text(encoding="utf-8"))
    return provenance["sections"][f"{name}.md"]["review"]


def test_the_listing_shows_every_unit_with_its_texts_in_file_order(calculus):
    book, target = calculus
    review = list_review(book)
    written = name_md(book)
    assert [s.path for s in review.sections] == [f"{CALCULUS}.md"] and len(review) == 3
    edited, added, comment = review.units
    assert (edited.kind, edited.status, edited.action) == ("sentence", "edited", "translate")
    assert (edited.old_source, edited.source, edited.previous, edited.machine) == (
        EDITED_EN[0], EDITED_EN[1], EDITED_ZH_OLD, EDITED_ZH_MACHINE)
    assert (added.status, added.old_source, added.source, added.previous, added.machine) == (
        "new", "", ADDED_EN, "", ADDED_ZH_MACHINE)
    assert (comment.kind, comment.action, comment.machine, comment.previous) == (
        "code", "conflict", COMMENT_ZH.rstrip("\n"), COMMENT_ZH.rstrip("\n"))
    assert comment.source.strip() == COMMENT_EN[1] and comment.old_source.strip() == COMMENT_EN[0]
    lines = written.splitlines()
    assert lines[edited.line - 1] == EDITED_ZH_MACHINE + edited.marker
    assert lines[added.line - 1] == ADDED_ZH_MACHINE + MARKER
    assert lines[comment.line - 1] == comment.marker and COMMENT_EN[1] in comment.marker
    assert written[edited.start:edited.end] == EDITED_ZH_MACHINE + edited.marker
    assert edited.reject_restores and not added.reject_restores and not added.left_in_source_language
    assert review.sections[0].unrecorded_markers == ()


def test_reject_everything_gives_back_the_translators_file(calculus):
    book, target = calculus
    review = list_review(book)
    unit, outcomes = review.next(), []
    while unit is not None:
        result = reject_unit(book, unit)
        outcomes.append(result.message.split(": ", 1)[1])
        unit = result.next
    assert name_md(book) == target  # byte for byte: the sentence back, the new one gone, the note gone
    assert outcomes == ["rejected: the previous translation is back",
                        "rejected: removed (the translation had nothing here before the sync)",
                        "rejected: the translator's text stays, the review note is gone"]
    assert len(list_review(book)) == 0 and recorded(book) == []


def test_accept_keeps_the_machine_text_and_removes_only_the_markers(calculus):
    book, target = calculus
    for unit in list_review(book).units[::-1]:  # from the end: earlier offsets stay exact
        assert accept_unit(book, unit).outcome == ReviewOutcome.ACCEPTED
    expected = (target.replace(EDITED_ZH_OLD + "\n", EDITED_ZH_MACHINE + "\n")
                .replace("被发明出来。\n", f"被发明出来。\n{ADDED_ZH_MACHINE}\n"))
    assert name_md(book) == expected
    assert len(list_review(book)) == 0 and recorded(book) == []


def test_edit_puts_the_reviewers_text_in_and_the_record_follows(calculus):
    book, target = calculus
    edited, added, comment = list_review(book).units
    result = edit_unit(book, added, "它从此改变了数学。\n")
    assert result.outcome == ReviewOutcome.EDITED and result.next == list_review(book).units[1]
    written = name_md(book)
    assert "被发明出来。\n它从此改变了数学。\n在微分学" in written and ADDED_ZH_MACHINE not in written
    left = list_review(book).units
    assert [u.source for u in left] == [edited.source, comment.source]
    assert [(e["source"], e["line"]) for e in recorded(book)] == [(u.source, u.line) for u in left]
    before = list_review(book)
    result = edit_unit(book, left[1], "    # 如果`X`（张量或列表）恰有1个轴，输出True")
    assert result.next is None and before.updated(result) == list_review(book)
    assert [u.source for u in result.section.units] == [left[0].source]
    written = name_md(book)
    assert "    # 如果`X`（张量或列表）恰有1个轴，输出True\n" in written and COMMENT_ZH not in written
    assert left[1].marker not in written
    assert written.replace("    # 如果`X`（张量或列表）恰有1个轴，输出True\n", COMMENT_ZH).replace(
        "它从此改变了数学。\n", "").replace(EDITED_ZH_MACHINE + left[0].marker, EDITED_ZH_OLD) == target


def test_edit_refuses_empty_text_and_review_comments(calculus):
    book, _ = calculus
    unit = list_review(book).units[0]
    with pytest.raises(AmtsError, match="empty"):
        edit_unit(book, unit, "  \n")
    with pytest.raises(AmtsError, match="amts:"):
        edit_unit(book, unit, "好。" + MARKER)
    assert len(list_review(book)) == 3


def test_a_unit_changed_by_hand_is_not_touched(calculus):
    book, _ = calculus
    edited = list_review(book).units[0]
    by_hand = name_md(book).replace(EDITED_ZH_MACHINE, "这个过程也被称为*穷竭法*。")
    (book / f"{CALCULUS}.md").write_bytes(by_hand.encode("utf-8"))
    result = accept_unit(book, edited)
    assert result.outcome == ReviewOutcome.UNTOUCHED and not result.written
    assert "not touched" in result.message and "changed by hand" in result.message
    assert name_md(book) == by_hand
    review = list_review(book)
    assert len(review) == 2 and review.sections[0].unrecorded_markers == (edited.line,)  # its marker is left


def test_next_and_previous_go_in_document_order_across_sections(tmp_path, d2l_zh):
    calculus_origin, calculus_target = read(d2l_zh, CALCULUS)
    ndarray_origin, ndarray_target = read(d2l_zh, NDARRAY)
    book = synced_book(tmp_path, d2l_zh, {
        NDARRAY: (ndarray_origin, ndarray_target, ndarray_origin.replace(*NDARRAY_EN)),
        CALCULUS: (calculus_origin, calculus_target, calculus_upstream(calculus_origin))})
    review = list_review(book)
    assert [s.path for s in review.sections] == [f"{CALCULUS}.md", f"{NDARRAY}.md"]
    units = review.units
    assert [u.machine for u in units] == [EDITED_ZH_MACHINE, ADDED_ZH_MACHINE, COMMENT_ZH.rstrip("\n"),
                                          NDARRAY_ZH_MACHINE]
    walked, unit = [], review.next()
    while unit is not None:
        walked.append(unit)
        unit = review.next(unit)
    assert walked == units
    assert review.previous(units[3]) == units[2] and review.previous(units[0]) is None
    assert review.previous() == units[3]
    result = accept_unit(book, units[2])  # the last of calculus: next is ndarray's first
    assert result.next is not None and result.next.section == f"{NDARRAY}.md"
    assert reject_unit(book, result.next).next is None
    assert name_md(book, NDARRAY) == ndarray_target


def test_a_crash_between_the_file_and_the_record_leaves_a_consistent_listing(calculus, monkeypatch):
    book, target = calculus
    edited, added, comment = list_review(book).units

    def crash(*args, **kwargs):
        raise OSError("killed before the record was written")

    with monkeypatch.context() as patched:
        patched.setattr(review_module, "_record", crash)
        with pytest.raises(OSError):
            accept_unit(book, added)
    assert len(recorded(book)) == 3  # the record still lists it ...
    assert [u.source for u in list_review(book).units] == [edited.source, comment.source]  # ... NAME.md does not
    reject_unit(book, list_review(book).units[0])
    assert [e["source"] for e in recorded(book)] == [comment.source]  # the next write drops it


def test_a_new_paragraph_rejected_takes_its_blank_line_and_a_code_conflict_gets_the_translators_line(
        tmp_path, d2l_zh):
    origin, target = read(d2l_zh, CALCULUS)
    line = "    d2l.plt.rcParams['figure.figsize'] = figsize\n"
    assert origin.count(line) == target.count(line) == 1
    translators, upstreams = line.replace("figsize\n", "tuple(figsize)\n"), line.replace("figsize\n", "list(figsize)\n")
    target = target.replace(line, translators)
    heading = "## Derivatives and Differentiation\n"
    upstream = origin.replace(line, upstreams).replace(heading, f"Calculus is also fun. It is everywhere.\n\n{heading}")
    book = synced_book(tmp_path, d2l_zh, {CALCULUS: (origin, target, upstream)})
    synced = name_md(book)
    assert f"微积分也很有趣。{MARKER}\n它无处不在。{MARKER}\n\n## 导数和微分\n" in synced
    assert upstreams in synced and translators not in synced
    first, second, conflict = list_review(book).units
    record = (book / ".amts" / "sync-provenance.json").read_bytes()
    assert (conflict.machine + "\n", conflict.previous + "\n") == (upstreams, translators)
    assert accept_unit(book, conflict).outcome == ReviewOutcome.ACCEPTED
    assert name_md(book) == synced.replace(conflict.marker + "\n", "")
    (book / f"{CALCULUS}.md").write_bytes(synced.encode("utf-8"))  # as the sync left it, again
    (book / ".amts" / "sync-provenance.json").write_bytes(record)
    for unit in (first, second, conflict):
        unit = next(u for u in list_review(book).units if u.source == unit.source)
        assert reject_unit(book, unit).outcome == ReviewOutcome.REJECTED
    assert name_md(book) == target


def test_crlf_and_a_byte_order_mark_are_kept(tmp_path, d2l_zh):
    origin, target = read(d2l_zh, CALCULUS)
    origin, target, upstream = (text.replace("\n", "\r\n") for text in (origin, target, calculus_upstream(origin)))
    book = synced_book(tmp_path, d2l_zh, {CALCULUS: (origin, target, upstream)})
    path = book / f"{CALCULUS}.md"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    edited, added, comment = list_review(book).units
    edit_unit(book, edited, "这个过程\n也叫做逼近法。")  # a reviewer's line break becomes the file's
    for unit in list_review(book).units[::-1]:
        reject_unit(book, unit)
    expected = target.replace(EDITED_ZH_OLD, "这个过程\r\n也叫做逼近法。")
    assert path.read_bytes() == b"\xef\xbb\xbf" + expected.encode("utf-8")


# --- units awaiting review are never parallel data ------------------------------------------------


def test_a_review_comment_ends_its_sentence_and_never_opens_the_next():
    suggestion = "<!-- amts: previous translation: 旧的。 -->"
    assert split_sentences(f"事实上。{ADDED_ZH_MACHINE}{MARKER}在微分学。", "zh") == [
        "事实上。", ADDED_ZH_MACHINE + MARKER, "在微分学。"]
    assert split_sentences(f"前文。{ADDED_EN}{MARKER}{suggestion}后文。", "zh") == [  # left in English
        "前文。", ADDED_EN + MARKER + suggestion, "后文。"]
    assert split_sentences(f"It was invented. {ADDED_EN}{MARKER} Among them, one.", "en") == [
        "It was invented.", ADDED_EN + MARKER, "Among them, one."]


def test_pairs_awaiting_review_are_shown_but_never_written(calculus, tmp_path):
    book, _ = calculus
    edited = list_review(book).units[0]
    pairs = align_book(open_book(book), jobs=1).pairs("sentence")
    waiting = [p for p in pairs if p.awaiting_review]
    assert sorted(p.target for p in waiting) == sorted([EDITED_ZH_MACHINE + edited.marker, ADDED_ZH_MACHINE + MARKER])
    assert sorted(p.source for p in waiting) == sorted([EDITED_EN[1], ADDED_EN])
    # The translator's sentence after the new one is a pair of its own, not awaiting review.
    after = [p for p in pairs if p.target == "在微分学最重要的应用是优化问题，即考虑如何把事情做到最好。"]
    assert len(after) == 1 and not after[0].awaiting_review
    for granularity, expected in (("sentence", 2), ("paragraph", 2)):
        out = tmp_path / f"{granularity}.csv"
        report = write_parallel_data(align_book(open_book(book), jobs=1).pairs(granularity), out, "csv", "en", "zh")
        assert report.awaiting_review == expected and "amts:" not in out.read_text(encoding="utf-8")
        assert f"  {expected} pairs awaiting review left out (machine text a sync marked)" in report.summary_lines()
        assert report.written == report.input_pairs - report.dropped


def test_reviewed_units_become_parallel_data(calculus, tmp_path):
    book, _ = calculus
    for unit in list_review(book).units[::-1]:
        accept_unit(book, unit)
    pairs = align_book(open_book(book), jobs=1).pairs("sentence")
    assert not any(p.awaiting_review for p in pairs)
    report = write_parallel_data(pairs, tmp_path / "pairs.jsonl", "jsonl", "en", "zh")
    assert report.awaiting_review == 0
    assert ADDED_ZH_MACHINE in (tmp_path / "pairs.jsonl").read_text(encoding="utf-8")


def test_the_align_command_leaves_units_awaiting_review_out(calculus, tmp_path, capsys):
    from amts.tui.cli import main

    book, _ = calculus
    out = tmp_path / "pairs.tsv"
    assert main(["align", str(book), "-o", str(out), "--workdir", str(tmp_path / "work"), "--jobs", "1"]) == 0
    text = out.read_text(encoding="utf-8")
    assert "amts:" not in text and EDITED_ZH_MACHINE not in text and "在微分学最重要的应用是优化问题" in text
    assert "  2 pairs awaiting review left out (machine text a sync marked)" in capsys.readouterr().out
