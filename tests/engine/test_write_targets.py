"""Output files: a command never writes over its inputs, inside a book's sections, or over a
device, folder or pipe (an atomic write would replace the device with a plain file)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from amts.engine.atomic import write_text_atomic
from amts.engine.errors import AmtsError
from amts.engine.write_targets import check_output_file


def _refused(output, **where) -> str:
    with pytest.raises(AmtsError) as error:
        check_output_file(output, **where)
    assert error.value.path == str(output)
    return error.value.message


def test_an_input_is_refused_however_it_is_spelled(tmp_path, monkeypatch):
    source = tmp_path / "book" / "chapter" / "intro.md"
    source.parent.mkdir(parents=True)
    source.write_text("# Intro\n", encoding="utf-8")
    (tmp_path / "link.md").symlink_to(source)
    os.link(source, tmp_path / "hard.md")
    monkeypatch.chdir(tmp_path)
    for spelling in (source, tmp_path / "book" / "chapter" / ".." / "chapter" / "intro.md",
                     Path("book/chapter/intro.md"), tmp_path / "link.md", tmp_path / "hard.md"):
        assert "over an input" in _refused(spelling, inputs=[source])
    assert source.read_text(encoding="utf-8") == "# Intro\n"


def test_nothing_is_written_inside_the_books_sections(d2l_zh, tmp_path):
    section = d2l_zh / "chapter_preliminaries" / "ndarray.md"
    assert section.is_file()
    for output in (section, d2l_zh / "chapter_preliminaries" / "pairs.csv", d2l_zh / "new" / "x.tmx"):
        assert "inside the book's sections" in _refused(output, input_trees=[d2l_zh])
    beside = d2l_zh.parent / "d2l-zh-pairs.csv"
    assert check_output_file(beside, input_trees=[d2l_zh]) == beside


def test_existing_paths_that_are_not_regular_files_are_refused(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    assert "a pipe" in _refused(fifo)
    assert "a folder" in _refused(tmp_path)
    if Path("/dev/full").exists():
        assert "a character device" in _refused(Path("/dev/full"))
    # The atomic writer refuses too, so no caller can swap a device or pipe for a file.
    with pytest.raises(AmtsError, match="not a regular file"):
        write_text_atomic(fifo, "data")
    assert fifo.is_fifo()


def test_ordinary_outputs_are_allowed(tmp_path):
    source = tmp_path / "book" / "a.md"
    source.parent.mkdir()
    source.write_text("a", encoding="utf-8")
    existing = tmp_path / "pairs.csv"
    existing.write_text("old", encoding="utf-8")
    where = dict(inputs=[source], input_trees=[tmp_path / "book"])
    assert check_output_file(existing, **where) == existing  # overwriting an old output is fine
    assert check_output_file(tmp_path / "out" / "new.tmx", **where) == tmp_path / "out" / "new.tmx"
    assert check_output_file(tmp_path / "book.csv", **where) == tmp_path / "book.csv"
