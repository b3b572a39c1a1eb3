"""A headless run killed with SIGKILL after its batch job started resumes without a second job."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import boto3

from amts.engine.local_service import start_local_backend

from conftest import make_config

REPO = Path(__file__).resolve().parents[2]
JOB_STARTED = re.compile(r"job ([0-9a-f]{8,}): (?:SUBMITTED|IN_PROGRESS)")


def test_sigkill_after_job_start_then_resume(tmp_path):
    config = make_config(tmp_path, '[[pipelines]]\npair = "en-zh"\nvariant = "act-sentence"\n',
                         job_seconds=1.5)
    env = {**os.environ, "PYTHONPATH": str(REPO), "AMTS_WORKDIR": str(tmp_path / "work")}
    command = [sys.executable, "-m", "amts.tui.cli", "--auto", "--config", str(config)]
    first = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True)
    seen = []
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        line = first.stdout.readline()
        if not line:
            break
        seen.append(line)
        started = JOB_STARTED.search(line)
        if started:
            break
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)
    assert started, "".join(seen)
    job_id = started.group(1)

    second = subprocess.run(command + ["--resume"], cwd=tmp_path, env=env, capture_output=True,
                            text=True, timeout=180)
    assert second.returncode == 0, second.stdout + second.stderr
    assert f"job {job_id}: COMPLETED" in second.stdout
    report = next((tmp_path / "work" / "runs").glob("*/report.json"))
    data = json.loads(report.read_text(encoding="utf-8"))
    assert json.dumps(data).count(job_id) >= 1

    # The local endpoint, started again on the same work directory, knows exactly one job.
    with start_local_backend(tmp_path / "work", job_delay=0.01) as backend:
        translate = boto3.client("translate", endpoint_url=backend.translate_endpoint, region_name="us-east-1",
                                 aws_access_key_id="testing", aws_secret_access_key="testing")
        jobs = translate.list_text_translation_jobs()["TextTranslationJobPropertiesList"]
    assert [j["JobId"] for j in jobs] == [job_id]
