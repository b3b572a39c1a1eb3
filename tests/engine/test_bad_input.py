"""Bad input ends in one line naming the file, never a traceback: work directories that are files
or unwritable, damaged state databases, XML-invalid characters in TMX, newlines in file names."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from amts.engine.act.state import StateStore as RunState
from amts.engine.align.pairs import AlignedPair
from amts.engine.errors import AmtsError
from amts.engine.experiment.config import load_config
from amts.engine.experiment.pipeline import run_experiment
from amts.engine.local_service import start_local_backend
from amts.engine.local_service.store import StateStore as LocalState
from amts.engine.paralleldata.write import read_parallel_data, write_parallel_data
from amts.engine.write_targets import ensure_work_directory

from conftest import make_config

AMTS_TUI = Path(sys.executable).with_name("amts-tui")


def _unwritable_folder(tmp_path: Path) -> Path:
    """A folder this process cannot write in: mode 0555, or where even root cannot write."""
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    if not os.access(folder, os.W_OK) and os.geteuid() != 0:
        return folder
    folder.chmod(0o755)  # root ignores the mode bits: sysfs refuses new files even to root
    if Path("/sys/kernel").is_dir() and not _can_create_in(Path("/sys/kernel")):
        return Path("/sys/kernel")
    pytest.skip("no folder here that this user cannot write in")


def _can_create_in(folder: Path) -> bool:
    try:
        (folder / "amts-probe").mkdir()
    except OSError:
        return False
    (folder / "amts-probe").rmdir()
    return True


def _damage(database: Path) -> None:
    """Scramble every page but the first: the file still opens, reads then fail."""
    data = bytearray(database.read_bytes())
    assert len(data) > 4 * 4096, "the database must span several pages"
    for i in range(4096, len(data)):
        data[i] = (data[i] * 7 + 13) % 256
    database.write_bytes(bytes(data))


# --- work directories -----------------------------------------------------------------------


def test_a_work_directory_that_is_a_file_is_named(tmp_path):
    workdir = tmp_path / "work"
    workdir.write_text("not a folder", encoding="utf-8")
    for open_it in (ensure_work_directory, RunState, start_local_backend):
        with pytest.raises(AmtsError) as error:
            open_it(workdir)
        assert error.value.path == str(workdir)
        assert "not a folder" in str(error.value)
    with pytest.raises(AmtsError) as error:
        ensure_work_directory(workdir / "below")
    assert "cannot create the work directory" in str(error.value)
    assert workdir.read_text(encoding="utf-8") == "not a folder"


def test_an_unwritable_work_directory_is_named(tmp_path):
    folder = _unwritable_folder(tmp_path)
    for path in (folder, folder / "work"):
        for open_it in (ensure_work_directory, RunState, start_local_backend):
            with pytest.raises(AmtsError) as error:
                open_it(path)
            assert error.value.path == str(path)
            assert "cannot" in error.value.message


# --- damaged state databases ----------------------------------------------------------------


def test_a_damaged_local_backend_state_is_named(tmp_path):
    store = LocalState(tmp_path / "work" / "local-translate")
    for i in range(400):
        store.put("job", f"job-{i}", {"JobId": f"job-{i}", "JobStatus": "COMPLETED", "pad": "x" * 200})
    store.close()
    database = tmp_path / "work" / "local-translate" / "state.sqlite3"
    _damage(database)
    with pytest.raises(AmtsError) as error:
        start_local_backend(tmp_path / "work")
    assert error.value.path == str(database)
    assert "damaged" in error.value.message
    database.write_bytes(b"this is not a database" * 100)
    with pytest.raises(AmtsError) as error:
        LocalState(database.parent)
    assert error.value.path == str(database)


def test_a_damaged_run_state_is_named(tmp_path):
    state = RunState(tmp_path)
    run = state.start_run("digest")
    for i in range(300):
        state.set_stage(run.run_id, f"pipeline-{i}", "job", message="m" * 200)
    database = tmp_path / "state.sqlite3"
    with sqlite3.connect(database) as db:  # fold the write-ahead log into the file itself
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    _damage(database)
    with pytest.raises(AmtsError) as error:
        RunState(tmp_path)
    assert error.value.path == str(database)
    assert "move the file aside" in error.value.message
    database.write_bytes(b"garbage" * 1000)
    with pytest.raises(AmtsError):
        RunState(tmp_path)


def _run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(AMTS_TUI), *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, **(env or {})}, stdin=subprocess.DEVNULL)


def test_commands_report_bad_work_directories_in_one_line(tmp_path):
    afile = tmp_path / "afile"
    afile.write_text("x", encoding="utf-8")
    damaged = tmp_path / "damaged"
    damaged.mkdir()
    (damaged / "state.sqlite3").write_bytes(b"garbage" * 1000)
    runs = [
        (_run_cli("serve-local", "--workdir", str(afile)), afile),
        (_run_cli("--demo", "--auto", env={"AMTS_WORKDIR": str(afile)}), afile),
        (_run_cli("--demo", "--auto", env={"AMTS_WORKDIR": str(damaged)}), damaged / "state.sqlite3"),
    ]
    for result, named in runs:
        assert result.returncode == 2, result.stderr
        assert "Traceback" not in result.stderr + result.stdout
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and str(named) in lines[0], result.stderr


# --- parallel data: characters XML cannot carry ---------------------------------------------


def test_xml_invalid_characters_make_no_malformed_tmx(tmp_path):
    pairs = [
        AlignedPair("A noncharacter \ufffe here.", "这里有一个\uffff非字符。", 0.9),
        AlignedPair("A control \x0b character.", "一个控制字符。", 0.9),
        AlignedPair("A clean pair.", "干净的一对。", 0.9),
    ]
    path = tmp_path / "pairs.tmx"
    report = write_parallel_data(pairs, path, "tmx", "en", "zh")
    ET.parse(path)  # well-formed XML: raises ParseError otherwise
    assert (report.written, report.removed_invalid_chars) == (3, 3)
    assert any("XML-invalid" in line for line in report.summary_lines())
    data = read_parallel_data(path)
    assert [(p.source, p.target) for p in data.pairs] == [
        ("A noncharacter  here.", "这里有一个非字符。"), ("A control  character.", "一个控制字符。"),
        ("A clean pair.", "干净的一对。")]


def test_a_tmx_with_xml_invalid_characters_is_imported_by_the_local_service(tmp_path):
    import boto3

    path = tmp_path / "pairs.tmx"
    write_parallel_data([AlignedPair("Tensors \ufffeare arrays.", "张量是数组。", 0.9)],
                        path, "tmx", "en", "zh")
    with start_local_backend(tmp_path / "work", job_delay=0.01) as backend:
        common = dict(region_name="us-east-1", aws_access_key_id="testing",
                      aws_secret_access_key="testing")
        s3 = boto3.client("s3", endpoint_url=backend.s3_endpoint, **common)
        translate = boto3.client("translate", endpoint_url=backend.translate_endpoint, **common)
        s3.create_bucket(Bucket="amts")
        s3.put_object(Bucket="amts", Key="pd/pairs.tmx", Body=path.read_bytes())
        translate.create_parallel_data(
            Name="pairs", ParallelDataConfig={"S3Uri": "s3://amts/pd/pairs.tmx", "Format": "TMX"})
        for _ in range(500):
            props = translate.get_parallel_data(Name="pairs")["ParallelDataProperties"]
            if props["Status"] != "CREATING":
                break
            time.sleep(0.02)
    assert (props["Status"], props["ImportedRecordCount"]) == ("ACTIVE", 1)


# --- file names S3 cannot carry -------------------------------------------------------------


async def test_a_newline_in_a_file_name_is_reported_as_such(tmp_path):
    config_path = make_config(tmp_path)
    chapter = tmp_path / "book" / "chapter_intro"
    shutil.copy(chapter / "data_origin.md", chapter / "da\nta_origin.md")
    shutil.copy(chapter / "data.md", chapter / "da\nta.md")
    text = config_path.read_text(encoding="utf-8").replace(
        'articles = ["bleu", ', 'articles = ["chapter_intro/da\\nta.md", ')
    config_path.write_text(text + '[[pipelines]]\npair = "en-zh"\nvariants = ["act-sentence"]\n',
                           encoding="utf-8")
    result = await run_experiment(load_config(config_path))
    assert not result.succeeded
    message = result.failed[0].message
    assert "control character '\\n'" in message and "does not exist" not in message
    assert "\n" not in message  # one line: the path is shown escaped
