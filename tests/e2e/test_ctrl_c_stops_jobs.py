"""Ctrl-C (SIGINT) stops for real: a headless `--auto` run and a `sync --write`, interrupted
while their batch job runs, stop that job on the service (it ends STOPPED), say so in one line
on stderr, exit 130, and print no traceback (neither ours nor the local servers')."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import boto3

from amts.engine.act.state import RunKind, StateStore
from amts.engine.local_service import start_local_backend

from conftest import make_config

REPO = Path(__file__).resolve().parents[2]
JOB_STARTED = re.compile(r"job ([0-9a-f]{8,}): (?:SUBMITTED|IN_PROGRESS)")


def _job_status(workdir: Path, job_id: str) -> str:
    with start_local_backend(workdir, job_delay=0.01) as backend:
        translate = boto3.client("translate", endpoint_url=backend.translate_endpoint, region_name="us-east-1",
                                 aws_access_key_id="testing", aws_secret_access_key="testing")
        return translate.describe_text_translation_job(JobId=job_id)["TextTranslationJobProperties"]["JobStatus"]


def _interrupt(process: subprocess.Popen) -> tuple[str, str]:
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    return out, err


def test_ctrl_c_during_an_auto_run_stops_its_job(tmp_path):
    config = make_config(tmp_path, '[[pipelines]]\npair = "en-zh"\nvariant = "act-sentence"\n',
                         job_seconds=1.5)
    work = tmp_path / "work"
    env = {**os.environ, "PYTHONPATH": str(REPO), "AMTS_WORKDIR": str(work)}
    process = subprocess.Popen([sys.executable, "-m", "amts.tui.cli", "--auto", "--config", str(config)],
                               cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seen, started = [], None
    deadline = time.monotonic() + 90
    while started is None and time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        seen.append(line)
        started = JOB_STARTED.search(line)
    assert started, "".join(seen)
    out, err = _interrupt(process)
    assert process.returncode == 130, out + err
    assert "Traceback" not in out + err
    assert err.strip().count("\n") == 0 and "interrupted" in err, err
    assert "STOPPED" in out  # the sub-pipeline's last line says stopped, not failed
    run = StateStore(work).latest_run(RunKind.EXPERIMENT)
    assert run is not None and run.status == "stopped"
    assert _job_status(work, started.group(1)) == "STOPPED"


def test_ctrl_c_during_sync_write_stops_its_job(tmp_path, sample_book):
    import shutil

    book, work = tmp_path / "book", tmp_path / "work"
    shutil.copytree(sample_book / "zh", book)
    env = {**os.environ, "PYTHONPATH": str(REPO), "AMTS_LOCAL_JOB_SECONDS": "1.5"}
    process = subprocess.Popen(
        [sys.executable, "-m", "amts.tui.cli", "sync", str(book), "--upstream", str(sample_book / "en-upstream"),
         "--write", "--workdir", str(work), "--jobs", "1"],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    started = None
    deadline = time.monotonic() + 120
    while started is None and process.poll() is None and time.monotonic() < deadline:
        if (work / "state.sqlite3").is_file():
            started = next((j for j in StateStore(work).jobs() if j.job_id), None)
        time.sleep(0.05)
    assert started is not None
    out, err = _interrupt(process)
    assert process.returncode == 130, out + err
    assert "Traceback" not in out + err
    assert err.strip().count("\n") == 0 and "interrupted" in err, err
    [job] = StateStore(work).jobs()
    assert job.status == "STOPPED"
    assert _job_status(work, started.job_id) == "STOPPED"
