"""Every CLI output goes through check_output_file: `align -o`, `evaluate --json` and `sync --json`
pointed at a book file or at a non-regular file (/dev/full, a folder) are refused in one line,
before any work, and the file is left as it was."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from amts.tui.cli import main
from amts.tui.exit_status import ExitStatus

SECTION = "chapter_basics/linear-models.md"


@pytest.fixture
def book(tmp_path, sample_book) -> Path:
    root = tmp_path / "book"
    shutil.copytree(sample_book / "zh", root)
    return root


def _commands(book: Path, sample_book: Path, tmp_path: Path) -> dict[str, list[str]]:
    """Each command with its output option last, waiting for the output path."""
    hyp = tmp_path / "hyp"
    shutil.copytree(book, hyp)
    return {
        "align": ["align", str(book), "--workdir", str(tmp_path / "w"), "--jobs", "1", "-o"],
        "evaluate": ["evaluate", "--hyp", str(hyp), "--ref", str(book), "--target-lang", "zh", "--json"],
        "sync": ["sync", str(book), "--upstream", str(sample_book / "en-upstream"), "--workdir",
                 str(tmp_path / "w"), "--jobs", "1", "--json"],
    }


def _refused(argv: list[str], capsys) -> str:
    assert main(argv) == ExitStatus.USAGE
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err and captured.err.count("\n") == 1, captured.err
    return captured.err


@pytest.mark.parametrize("command", ["align", "evaluate", "sync"])
def test_an_output_on_a_book_file_is_refused(command, book, sample_book, tmp_path, capsys):
    argv = _commands(book, sample_book, tmp_path)[command]
    section = book / SECTION
    before = section.read_bytes()
    target = section if command != "evaluate" else tmp_path / "hyp" / SECTION
    target_before = target.read_bytes()
    err = _refused([*argv, str(target)], capsys)
    assert str(target) in err and ("inside the book's sections" in err)
    assert section.read_bytes() == before and target.read_bytes() == target_before


@pytest.mark.parametrize("command", ["align", "evaluate", "sync"])
def test_an_output_on_a_device_or_folder_is_refused(command, book, sample_book, tmp_path, capsys):
    argv = _commands(book, sample_book, tmp_path)[command]
    if Path("/dev/full").exists():
        err = _refused([*argv, "/dev/full"], capsys)
        assert "/dev/full: refusing to write here: it is a character device" in err
    err = _refused([*argv, str(tmp_path)], capsys)
    assert "it is a folder, not a regular file" in err
    assert not (tmp_path / "w").exists()  # refused before aligning or planning anything


def test_ordinary_outputs_are_still_written(book, sample_book, tmp_path):
    commands = _commands(book, sample_book, tmp_path)
    for name, argv in commands.items():
        output = tmp_path / f"{name}.out"
        assert main([*argv, str(output)]) in (ExitStatus.OK, ExitStatus.PARTIAL)
        assert output.stat().st_size > 0
