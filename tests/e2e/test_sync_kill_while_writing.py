"""`sync --write` killed (SIGKILL) while it writes the book loses track of no unit: every review
marker in the files has its entry in the review record, then and after the next sync completes."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

from amts.engine.sync import DEFAULT_REVIEW_MARKER, plan_sync
from amts.engine.sync.review import list_review

REPO = Path(__file__).resolve().parents[2]

# Runs `amts-tui sync --write` in this process, which SIGKILLs itself right after the first
# translated NAME.md is on disk: a kill at the worst moment, between the files of one apply.
KILLED_AFTER_FIRST_SECTION = """
import os, signal, sys
from amts.engine.sync import apply
from amts.tui.cli import main

write = apply.write_text_atomic

def write_then_die(path, text, *args, **kwargs):
    write(path, text, *args, **kwargs)
    if str(path).endswith(".md") and not str(path).endswith("_origin.md"):
        os.kill(os.getpid(), signal.SIGKILL)

apply.write_text_atomic = write_then_die
sys.exit(main(sys.argv[1:]))
"""


def _markers(book: Path) -> int:
    return sum(p.read_text(encoding="utf-8").count(DEFAULT_REVIEW_MARKER) for p in book.rglob("*.md")
               if not p.name.endswith("_origin.md"))


def test_kill_while_writing_keeps_every_marked_unit_tracked(tmp_path, sample_book):
    book, work = tmp_path / "book", tmp_path / "work"
    shutil.copytree(sample_book / "zh", book)
    upstream = sample_book / "en-upstream"
    args = ["sync", str(book), "--upstream", str(upstream), "--write", "--workdir", str(work), "--jobs", "1"]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    killed = subprocess.run([sys.executable, "-c", KILLED_AFTER_FIRST_SECTION, *args], env=env,
                            capture_output=True, text=True, timeout=180)
    assert killed.returncode == -signal.SIGKILL, killed.stdout + killed.stderr
    written = _markers(book)
    assert written > 0  # the kill came after a section with machine text was written
    assert len(list_review(book)) == written  # ...and every unit it marked is tracked
    assert plan_sync(book, upstream, jobs=1).has_work  # the other section still waits

    again = subprocess.run([sys.executable, "-m", "amts.tui.cli", *args], env=env, capture_output=True,
                           text=True, timeout=180)
    assert again.returncode in (0, 1), again.stdout + again.stderr
    assert _markers(book) > written
    assert len(list_review(book)) == _markers(book)
    assert not plan_sync(book, upstream, jobs=1).has_work
