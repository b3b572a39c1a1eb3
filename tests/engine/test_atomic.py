"""Atomic writes: all or nothing, the file's mode kept, errors that name the file."""

from __future__ import annotations

import os
import stat

import pytest

from amts.engine.atomic import write_text_atomic
from amts.engine.errors import AmtsError


def test_new_file_gets_the_umask_mode_and_existing_keeps_its_own(tmp_path):
    umask = os.umask(0o022)
    os.umask(umask)
    new = tmp_path / "new.md"
    write_text_atomic(new, "hello\n")
    assert stat.S_IMODE(new.stat().st_mode) == 0o666 & ~umask
    assert 0o644 & ~umask == 0o644 & stat.S_IMODE(new.stat().st_mode)  # not mkstemp's 0600
    kept = tmp_path / "kept.md"
    kept.write_text("old\n", encoding="utf-8")
    kept.chmod(0o640)
    write_text_atomic(kept, "new\n")
    assert kept.read_text(encoding="utf-8") == "new\n"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o640


def test_failure_leaves_the_old_file_and_no_temp_file(tmp_path, monkeypatch):
    target = tmp_path / "book.md"
    target.write_text("human translation\n", encoding="utf-8")

    def broken_fsync(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(AmtsError) as err:
        write_text_atomic(target, "half")
    assert str(err.value) == f"{target}: cannot write: No space left on device"
    assert target.read_text(encoding="utf-8") == "human translation\n"
    assert [p.name for p in tmp_path.iterdir()] == ["book.md"]
