"""`amts-tui serve-local` as other tools see it: a subprocess, plain boto3, a whole ACT job."""

from __future__ import annotations

import re
import subprocess
import sys
import time

import boto3
import pytest
from botocore.config import Config

from amts.engine.markup.protect import markdown_to_html


@pytest.fixture()
def served(tmp_path):
    proc = subprocess.Popen(
        [sys.executable, "-m", "amts.tui.cli", "serve-local", "--workdir", str(tmp_path / "w"), "--job-delay", "0.05"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    endpoints = {}
    deadline = time.monotonic() + 30
    while len(endpoints) < 2 and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        m = re.match(r"(S3|Translate) endpoint: (http://127\.0\.0\.1:\d+)", line)
        if m:
            endpoints[m.group(1)] = m.group(2)
    try:
        assert len(endpoints) == 2, proc.stderr.read() if proc.poll() is not None else "no endpoints printed"
        yield endpoints
    finally:
        proc.terminate()
        assert proc.wait(timeout=15) == 0


def test_boto3_drives_a_whole_job(served):
    common = dict(region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
    s3 = boto3.client("s3", endpoint_url=served["S3"], config=Config(s3={"addressing_style": "path"}), **common)
    translate = boto3.client("translate", endpoint_url=served["Translate"], **common)
    s3.create_bucket(Bucket="book")
    s3.put_object(Bucket="book", Key="pd/data.csv",
                  Body=b"en,es\nGradient descent is simple.,El descenso de gradiente es sencillo.\n")
    translate.create_parallel_data(Name="demo", ParallelDataConfig={"S3Uri": "s3://book/pd/data.csv", "Format": "CSV"})
    for _ in range(200):
        props = translate.get_parallel_data(Name="demo")["ParallelDataProperties"]
        if props["Status"] != "CREATING":
            break
        time.sleep(0.05)
    assert props["Status"] == "ACTIVE" and props["ImportedRecordCount"] == 1
    doc = markdown_to_html("# Intro\n\nGradient descent is simple.\n\nUse `sgd()` first.\n")
    s3.put_object(Bucket="book", Key="in/intro.html", Body=doc.html.encode(), ContentType="text/html")
    job = translate.start_text_translation_job(
        JobName="demo-job", InputDataConfig={"S3Uri": "s3://book/in/", "ContentType": "text/html"},
        OutputDataConfig={"S3Uri": "s3://book/out/"}, DataAccessRoleArn="arn:aws:iam::123456789012:role/T",
        SourceLanguageCode="en", TargetLanguageCodes=["es"], ParallelDataNames=["demo"], ClientToken="t-1")
    seen = []
    for _ in range(400):
        described = translate.describe_text_translation_job(JobId=job["JobId"])
        status = described["TextTranslationJobProperties"]["JobStatus"]
        if not seen or seen[-1] != status:
            seen.append(status)
        if status in ("COMPLETED", "COMPLETED_WITH_ERROR", "FAILED"):
            break
        time.sleep(0.05)
    assert seen[-1] == "COMPLETED" and "IN_PROGRESS" in seen
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="book", Prefix="out/")["Contents"]]
    out_key = next(k for k in keys if k.endswith("es.intro.html"))
    assert any(k.endswith("details/es.auxiliary-translation-details.json") for k in keys)
    html = s3.get_object(Bucket="book", Key=out_key)["Body"].read().decode()
    assert "El descenso de gradiente es sencillo." in html
    assert '<span translate="no" data-p="0">`sgd()`</span>' in html
