"""`sync --write` killed with SIGKILL while its batch job runs, run again with `--resume`: it
re-attaches to that job. One job on the service, none lost (the book is written), none duplicated."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import boto3

from amts.engine.act.state import StateStore
from amts.engine.local_service import start_local_backend
from amts.engine.sync import plan_sync

REPO = Path(__file__).resolve().parents[2]


def _markdown(book: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in sorted(book.rglob("*.md"))}


def test_sync_write_killed_after_its_job_started_resumes_the_same_job(tmp_path, sample_book):
    book, work = tmp_path / "book", tmp_path / "work"
    shutil.copytree(sample_book / "zh", book)
    upstream = sample_book / "en-upstream"
    expected_status = 1 if plan_sync(book, upstream, jobs=1).skipped else 0
    before = _markdown(book)
    # The embedded local backend takes 1.5 s per state change: long enough to kill mid-job.
    env = {**os.environ, "PYTHONPATH": str(REPO), "AMTS_LOCAL_JOB_SECONDS": "1.5"}
    command = [sys.executable, "-m", "amts.tui.cli", "sync", str(book), "--upstream", str(upstream),
               "--write", "--workdir", str(work), "--jobs", "1"]

    first = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True)
    started = None
    deadline = time.monotonic() + 120
    while started is None and first.poll() is None and time.monotonic() < deadline:
        if (work / "state.sqlite3").is_file():
            started = next((j for j in StateStore(work).jobs() if j.job_id), None)
        time.sleep(0.05)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)
    assert started is not None, first.stdout.read() if first.stdout else ""
    assert _markdown(book) == before, "killed while its job ran: nothing was written yet"

    second = subprocess.run(command + ["--resume"], cwd=tmp_path, env=env, capture_output=True,
                            text=True, timeout=180)
    assert second.returncode == expected_status, second.stdout + second.stderr
    assert f"batch job {started.job_id} COMPLETED (re-attached)" in second.stdout, second.stdout
    assert [j.job_id for j in StateStore(work).jobs()] == [started.job_id]
    assert _markdown(book) != before  # the job's output was applied
    assert not plan_sync(book, upstream, jobs=1).has_work

    # The local endpoint, started again on the same work directory, knows exactly one job.
    with start_local_backend(work, job_delay=0.01) as backend:
        translate = boto3.client("translate", endpoint_url=backend.translate_endpoint, region_name="us-east-1",
                                 aws_access_key_id="testing", aws_secret_access_key="testing")
        jobs = translate.list_text_translation_jobs()["TextTranslationJobPropertiesList"]
    assert [j["JobId"] for j in jobs] == [started.job_id]
