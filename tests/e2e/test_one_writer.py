"""One writer per book and per work directory: a second `sync --write` on a book being synced, or
a second `--auto` run on a work directory in use, exits at once (status 2) naming the book or the
work directory and the process holding it; a lock whose holder was SIGKILLed blocks nobody."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from amts.engine.act.state import StateStore
from amts.engine.errors import AmtsError
from amts.engine.writer_lock import hold_book, hold_workdir

from conftest import make_config

REPO = Path(__file__).resolve().parents[2]
JOB_STARTED = re.compile(r"job ([0-9a-f]{8,}): (?:SUBMITTED|IN_PROGRESS)")


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "amts.tui.cli", *args]


def _wait_for_job(work: Path, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 120
    while process.poll() is None and time.monotonic() < deadline:
        if (work / "state.sqlite3").is_file() and any(j.job_id for j in StateStore(work).jobs()):
            return
        time.sleep(0.05)
    pytest.fail("the first writer never started its job")


def test_two_sync_writes_on_one_book(tmp_path, sample_book):
    book = tmp_path / "book"
    shutil.copytree(sample_book / "zh", book)
    upstream = str(sample_book / "en-upstream")
    env = {**os.environ, "PYTHONPATH": str(REPO), "AMTS_LOCAL_JOB_SECONDS": "1.5"}
    first = subprocess.Popen(_cli("sync", str(book), "--upstream", upstream, "--write",
                                  "--workdir", str(tmp_path / "w1"), "--jobs", "1"),
                             env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _wait_for_job(tmp_path / "w1", first)
        # Another work directory, the same book (spelled differently): refused all the same.
        second = subprocess.run(_cli("sync", str(book / "chapter_basics" / ".."), "--upstream", upstream,
                                     "--write", "--workdir", str(tmp_path / "w2"), "--jobs", "1"),
                                env=env, capture_output=True, text=True, timeout=120)
        assert second.returncode == 2, second.stdout + second.stderr
        assert f"the book {book.resolve()} is in use" in second.stderr
        assert f"pid {first.pid}: sync --write" in second.stderr
        assert "Traceback" not in second.stderr
        assert not (tmp_path / "w2" / "state.sqlite3").exists()  # refused before any work
    finally:
        out, err = first.communicate(timeout=120)
    assert first.returncode in (0, 1), out + err  # the first one finished its sync
    assert not list(book.rglob("*.lock"))  # the book got no lock file


def test_two_auto_runs_on_one_work_directory(tmp_path):
    config = make_config(tmp_path, '[[pipelines]]\npair = "en-zh"\nvariant = "act-sentence"\n', job_seconds=1.5)
    env = {**os.environ, "PYTHONPATH": str(REPO), "AMTS_WORKDIR": str(tmp_path / "work")}
    first = subprocess.Popen(_cli("--auto", "--config", str(config)), cwd=tmp_path, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        seen = []
        while not seen or not JOB_STARTED.search(seen[-1]):
            line = first.stdout.readline()
            assert line, "".join(seen)
            seen.append(line)
        second = subprocess.run(_cli("--auto", "--config", str(config)), cwd=tmp_path, env=env,
                                capture_output=True, text=True, timeout=120)
        assert second.returncode == 2, second.stdout + second.stderr
        assert f"the work directory {(tmp_path / 'work').resolve()} is in use" in second.stderr
        assert f"pid {first.pid}: --auto" in second.stderr
        assert "Traceback" not in second.stderr
    finally:
        first.send_signal(signal.SIGINT)
        first.communicate(timeout=60)
    assert first.returncode == 130


def test_a_lock_whose_holder_was_killed_blocks_nobody(tmp_path):
    book, work = tmp_path / "book", tmp_path / "work"
    book.mkdir()
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from amts.engine.writer_lock import hold_book, hold_workdir\n"
        f"with hold_book(Path({str(book)!r}), 'test'), hold_workdir(Path({str(work)!r}), 'test'):\n"
        "    print('held', flush=True)\n"
        "    time.sleep(600)\n")], env={**os.environ, "PYTHONPATH": str(REPO)}, stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    with pytest.raises(AmtsError, match=f"pid {holder.pid}"):
        with hold_book(book, "second"):
            pass
    with pytest.raises(AmtsError, match="work directory"):
        with hold_workdir(work, "second"):
            pass
    holder.send_signal(signal.SIGKILL)
    holder.wait(timeout=30)
    with hold_book(book, "after the kill"), hold_workdir(work, "after the kill"):
        pass
