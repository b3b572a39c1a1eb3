"""`amts-tui align` on every edition: the splitter each language gets, the Korean edition's yield,
and what must never happen to a user: a worker left running, a FIFO blocking, a huge section
stopping the book."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from amts.engine.align.book_alignment import MAX_SECTION_BYTES, align_book
from amts.engine.book import open_book
from amts.engine.paralleldata.write import write_parallel_data
from amts.tui.cli import main

from conftest import SHARED

EN = "# Models\n\nA model maps inputs to outputs.\nWe train it on data.\n"
ZH = "# 模型\n\n模型将输入映射到输出。\n我们用数据训练它。\n"
CLI = [sys.executable, "-m", "amts.tui.cli", "align"]


def _edition(lang: str) -> Path:
    path = SHARED / "d2l" / "editions" / f"d2l-{lang}"
    if not path.is_dir():
        pytest.skip(f"{path} is absent: the real d2l data lives in ../shared beside the checkout")
    return path


def _book(root: Path, sections: dict[str, tuple[str, str]]) -> Path:
    root.mkdir(parents=True)
    (root / "config.ini").write_text("[project]\nlang = zh\n\n[translation]\norigin_lang = en\n", encoding="utf-8")
    for name, (english, chinese) in sections.items():
        (root / f"{name}_origin.md").parent.mkdir(parents=True, exist_ok=True)
        (root / f"{name}_origin.md").write_text(english, encoding="utf-8")
        (root / f"{name}.md").write_text(chinese, encoding="utf-8")
    return root


def test_align_says_which_splitter_each_language_gets(tmp_path, capsys):
    ko = _edition("ko")
    book = tmp_path / "ko"
    (book / "chapter_convolutional-neural-networks").mkdir(parents=True)
    (book / "config.ini").write_bytes((ko / "config.ini").read_bytes())
    for suffix in ("_origin.md", ".md"):
        name = f"chapter_convolutional-neural-networks/padding-and-strides{suffix}"
        (book / name).write_bytes((ko / name).read_bytes())
    assert main(["align", str(book), "-o", str(tmp_path / "p.csv"), "--workdir", str(tmp_path / "w")]) == 0
    out = capsys.readouterr().out
    assert "sentences of en: pysbd" in out
    assert "sentences of ko: Korean rules" in out


def test_the_korean_edition_exports_over_11000_pairs_with_few_too_long(tmp_path):
    book = open_book(_edition("ko"))
    alignment = align_book(book, workdir=tmp_path / "w")
    report = write_parallel_data(alignment.pairs("sentence"), tmp_path / "ko.csv", "csv",
                                 book.source_lang, book.target_lang)
    assert report.written >= 11_000, report
    assert report.dropped_too_long < 10, report


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.add(int(entry.name))
    return found


def _running(pid: int) -> bool:
    """Alive and not a zombie (a dead child that nobody reaped yet is not running)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc to find worker processes")
@pytest.mark.parametrize("signal_number", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_killing_align_leaves_no_worker_running(d2l_zh, tmp_path, signal_number):
    process = subprocess.Popen([*CLI, str(d2l_zh), "-o", str(tmp_path / "p.csv"), "--workdir", str(tmp_path / "w")],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers: set[int] = set()
    for _ in range(600):  # wait for the worker processes to start (the book takes seconds to align)
        workers = _children(process.pid)
        if len(workers) >= 2 or process.poll() is not None:
            break
        time.sleep(0.05)
    assert process.poll() is None and workers, "align finished before it could be signalled"
    os.kill(process.pid, signal_number)
    process.wait(timeout=60)
    for _ in range(200):
        if not any(_running(pid) for pid in workers):
            break
        time.sleep(0.05)
    assert not [pid for pid in workers if _running(pid)]
    assert not (tmp_path / "p.csv").exists()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_fifo_or_device_named_md_is_skipped_never_read(tmp_path):
    book = _book(tmp_path / "book", {"chapter_a/models": (EN, ZH)})
    (book / "chapter_a" / "pipe_origin.md").write_text(EN, encoding="utf-8")
    os.mkfifo(book / "chapter_a" / "pipe.md")
    os.mkfifo(book / "chapter_a" / "lonely_origin.md")
    (book / "chapter_a" / "lonely.md").write_text(ZH, encoding="utf-8")
    if Path("/dev/zero").exists():  # a device never ends: reading it would never return
        (book / "chapter_a" / "zeros_origin.md").write_text(EN, encoding="utf-8")
        (book / "chapter_a" / "zeros.md").symlink_to("/dev/zero")
    # In a subprocess with a timeout: reading a FIFO that nobody writes would block for ever.
    done = subprocess.run([*CLI, str(book), "-o", str(tmp_path / "p.jsonl"), "--workdir", str(tmp_path / "w")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr
    assert "chapter_a/pipe.md: not a regular file (a FIFO): not read" in done.stderr
    assert "chapter_a/lonely_origin.md: not a regular file (a FIFO): not read" in done.stderr
    if Path("/dev/zero").exists():
        assert "chapter_a/zeros.md: not a regular file (a device): not read" in done.stderr
    assert "模型将输入映射到输出。" in (tmp_path / "p.jsonl").read_text(encoding="utf-8")


def test_a_section_too_large_is_skipped_with_its_name_and_the_rest_exports(tmp_path, capsys):
    paragraph = "A model maps inputs to outputs. " * 40 + "\n\n"
    huge = "# Huge\n\n" + paragraph * (MAX_SECTION_BYTES // len(paragraph) + 1)
    book = _book(tmp_path / "book", {"chapter_a/models": (EN, ZH), "chapter_b/huge": (huge, ZH)})
    code = main(["align", str(book), "-o", str(tmp_path / "p.jsonl"), "--workdir", str(tmp_path / "w")])
    captured = capsys.readouterr()
    assert code == 1
    assert "chapter_b/huge_origin.md: section too large to align: 4.0 MB" in captured.err
    assert "split it into smaller sections" in captured.err
    assert "模型将输入映射到输出。" in (tmp_path / "p.jsonl").read_text(encoding="utf-8")
