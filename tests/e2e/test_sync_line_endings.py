"""`sync --write` keeps each translated file's own line endings: a NAME.md written with CRLF
comes back with CRLF only, one with LF with LF only, machine text and review markers included."""

from __future__ import annotations

import shutil

from amts.engine.sync import DEFAULT_REVIEW_MARKER
from amts.tui.cli import main as cli_main

CRLF_SECTION = "chapter_basics/linear-models.md"
LF_SECTION = "chapter_evaluation/bleu.md"


def _endings(data: bytes) -> tuple[int, int, int]:
    """(CRLF, lone LF, lone CR) counts."""
    crlf = data.count(b"\r\n")
    return crlf, data.count(b"\n") - crlf, data.count(b"\r") - crlf


def test_sync_write_keeps_crlf_and_lf_files_as_they_are(tmp_path, sample_book):
    book = tmp_path / "book"
    shutil.copytree(sample_book / "zh", book)
    crlf_file = book / CRLF_SECTION
    crlf_file.write_bytes(crlf_file.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
    lf_file = book / LF_SECTION
    assert _endings(lf_file.read_bytes())[0] == 0
    before = {crlf_file: crlf_file.read_bytes(), lf_file: lf_file.read_bytes()}

    status = cli_main(["sync", str(book), "--upstream", str(sample_book / "en-upstream"), "--write",
                       "--workdir", str(tmp_path / "work"), "--jobs", "1"])
    assert status in (0, 1)
    for path in (crlf_file, lf_file):
        data = path.read_bytes()
        assert data != before[path] and DEFAULT_REVIEW_MARKER.encode() in data  # the sync wrote it
    crlf, lone_lf, lone_cr = _endings(crlf_file.read_bytes())
    assert crlf > 0 and (lone_lf, lone_cr) == (0, 0)
    crlf, lone_lf, lone_cr = _endings(lf_file.read_bytes())
    assert lone_lf > 0 and (crlf, lone_cr) == (0, 0)


def test_d2l_sections_written_in_crlf_stay_crlf(tmp_path, d2l_zh, d2l_en):
    from amts.engine.act.sync_translation import apply_with_local_backend
    from amts.engine.sync import plan_sync

    names = ["chapter_computational-performance/hardware", "chapter_recurrent-modern/gru",
             "chapter_optimization/sgd", "chapter_recurrent-modern/seq2seq"]
    book, upstream = tmp_path / "book", tmp_path / "upstream"
    book.mkdir()
    shutil.copy(d2l_zh / "config.ini", book)
    for name in names:
        (book / name).parent.mkdir(parents=True, exist_ok=True)
        (upstream / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(d2l_zh / f"{name}_origin.md", book / f"{name}_origin.md")
        (book / f"{name}.md").write_bytes((d2l_zh / f"{name}.md").read_bytes().replace(b"\n", b"\r\n"))
        shutil.copy(d2l_en / f"{name}.md", upstream / f"{name}.md")
    plan = plan_sync(book, upstream, jobs=1)
    assert all(s.has_work for s in plan.sections)
    result = apply_with_local_backend(plan, tmp_path / "work")
    assert result.translated_units > 0
    for name in names:
        crlf, lone_lf, lone_cr = _endings((book / f"{name}.md").read_bytes())
        assert crlf > 0 and (lone_lf, lone_cr) == (0, 0), name
