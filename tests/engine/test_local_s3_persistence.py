"""The local S3 is kept in WORKDIR/local-s3: what it acknowledged survives a stop or a SIGKILL."""

from __future__ import annotations

import io
import subprocess
import sys
import time
from pathlib import Path

import boto3
import botocore.config
import pytest
from botocore.exceptions import ClientError

from amts.engine.local_service import start_local_backend

ROOT = Path(__file__).resolve().parents[2]
ROLE = "arn:aws:iam::123456789012:role/TranslateDataAccess"
BINARY = bytes(range(256)) * 3 + b"\x00\xff\xfe"
DOC = ('<html><body>\n<h1 data-b="0">Linear regression</h1>\n'
       '<p data-b="1">We use <span translate="no" data-p="0">`torch.tensor`</span>.</p>\n'
       "</body></html>\n")
DOC_NESTED = '<html><body>\n<p data-b="0">Softmax &amp; friends.</p>\n</body></html>\n'


def _clients(backend):
    common = dict(region_name="us-east-1", aws_access_key_id="testing",
                  aws_secret_access_key="testing")
    path_style = botocore.config.Config(s3={"addressing_style": "path"},
                                        retries={"max_attempts": 1})
    s3 = boto3.client("s3", endpoint_url=backend.s3_endpoint, config=path_style, **common)
    translate = boto3.client("translate", endpoint_url=backend.translate_endpoint, **common)
    return s3, translate


def _keys(s3, bucket):
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket)
    return sorted(item["Key"] for page in pages for item in page.get("Contents", []))


def test_objects_survive_a_restart_and_deleted_ones_stay_gone(tmp_path):
    with start_local_backend(tmp_path, job_delay=0.01) as backend:
        s3, _ = _clients(backend)
        s3.create_bucket(Bucket="amts")
        s3.create_bucket(Bucket="scratch")
        s3.put_object(Bucket="amts", Key="input/a.html", Body=DOC.encode(),
                      ContentType="text/html; charset=utf-8", Metadata={"source": "d2l"})
        s3.put_object(Bucket="amts", Key="input/chapter_intro/deep/b.html",
                      Body=DOC_NESTED.encode(), ContentType="text/html")
        s3.upload_fileobj(io.BytesIO(BINARY), "amts", "blobs/weights.bin")
        s3.put_object(Bucket="amts", Key="input/gone.html", Body=b"<p>bye</p>")
        s3.put_object(Bucket="amts", Key="batch/x.txt", Body=b"x")
        s3.put_object(Bucket="amts", Key="batch/y.txt", Body=b"y")
        s3.put_object(Bucket="amts", Key="input/a.html", Body=DOC.encode() + b"<!-- v2 -->",
                      ContentType="text/html; charset=utf-8")  # an overwrite
        s3.copy_object(Bucket="amts", Key="copies/a.html",
                       CopySource={"Bucket": "amts", "Key": "input/a.html"})
        s3.delete_object(Bucket="amts", Key="input/gone.html")
        s3.delete_objects(Bucket="amts", Delete={"Objects": [{"Key": "batch/x.txt"},
                                                             {"Key": "batch/y.txt"}]})
        s3.delete_bucket(Bucket="scratch")

    mirror = tmp_path / "local-s3"
    assert (mirror / "amts/input/chapter_intro/deep/b.html").read_bytes() == DOC_NESTED.encode()
    assert (mirror / "amts/blobs/weights.bin").read_bytes() == BINARY
    assert not (mirror / "amts/input/gone.html").exists()
    assert not (mirror / "amts/batch").exists()  # emptied folders go too
    assert not (mirror / "scratch").exists()

    with start_local_backend(tmp_path, job_delay=0.01) as backend:
        s3, _ = _clients(backend)
        assert backend.s3_server.restored == (1, 4)
        assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["amts"]
        assert _keys(s3, "amts") == ["blobs/weights.bin", "copies/a.html",
                                     "input/a.html", "input/chapter_intro/deep/b.html"]
        a = s3.get_object(Bucket="amts", Key="input/a.html")
        assert a["Body"].read() == DOC.encode() + b"<!-- v2 -->"
        assert a["ContentType"] == "text/html; charset=utf-8"
        assert s3.get_object(Bucket="amts", Key="copies/a.html")["Body"].read() == \
            DOC.encode() + b"<!-- v2 -->"
        assert s3.get_object(Bucket="amts", Key="blobs/weights.bin")["Body"].read() == BINARY
        nested = s3.get_object(Bucket="amts", Key="input/chapter_intro/deep/b.html")
        assert (nested["Body"].read(), nested["ContentType"]) == (DOC_NESTED.encode(), "text/html")
        with pytest.raises(ClientError) as missing:
            s3.get_object(Bucket="amts", Key="input/gone.html")
        assert missing.value.response["Error"]["Code"] == "NoSuchKey"


def test_metadata_survives_and_a_start_restores_only_its_own_workdir(tmp_path):
    with start_local_backend(tmp_path / "one") as backend:
        s3, _ = _clients(backend)
        s3.create_bucket(Bucket="amts")
        s3.put_object(Bucket="amts", Key="k.txt", Body=b"one", Metadata={"book": "d2l"})
    with start_local_backend(tmp_path / "two") as backend:
        s3, _ = _clients(backend)
        assert s3.list_buckets()["Buckets"] == []  # nothing leaks from the other workdir
        s3.create_bucket(Bucket="other")
    with start_local_backend(tmp_path / "one") as backend:
        s3, _ = _clients(backend)
        assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["amts"]
        assert s3.head_object(Bucket="amts", Key="k.txt")["Metadata"] == {"book": "d2l"}


@pytest.mark.parametrize("key", ["a/../../escape.txt", "/etc/absolute", "back\\slash",
                                 "folder/", "double//slash"])
def test_keys_that_cannot_be_files_are_refused_not_silently_lost(tmp_path, key):
    with start_local_backend(tmp_path / "work") as backend:
        s3, _ = _clients(backend)
        s3.create_bucket(Bucket="amts")
        with pytest.raises(ClientError) as refused:
            s3.put_object(Bucket="amts", Key=key, Body=b"evil")
        assert refused.value.response["Error"]["Code"] == "InvalidArgument"
        assert _keys(s3, "amts") == []  # refused before moto stored it
    files = [p for p in tmp_path.rglob("*") if p.is_file() and "local-translate" not in p.parts]
    assert files == []


def test_a_key_and_a_folder_of_the_same_name_cannot_both_be_kept(tmp_path):
    with start_local_backend(tmp_path) as backend:
        s3, _ = _clients(backend)
        s3.create_bucket(Bucket="amts")
        s3.put_object(Bucket="amts", Key="chapter", Body=b"file")
        with pytest.raises(ClientError) as refused:
            s3.put_object(Bucket="amts", Key="chapter/index.html", Body=b"below a file")
        assert "key 'chapter' exists" in refused.value.response["Error"]["Message"]
        s3.delete_object(Bucket="amts", Key="chapter")
        s3.put_object(Bucket="amts", Key="chapter/index.html", Body=b"now fine")
        assert _keys(s3, "amts") == ["chapter/index.html"]


_KILLABLE_BACKEND = """
import sys, time
from pathlib import Path
from amts.engine.local_service import start_local_backend
backend = start_local_backend(Path(sys.argv[1]), job_delay=60.0)
print(backend.s3_endpoint, backend.translate_endpoint, flush=True)
time.sleep(120)
"""


class _Endpoints:
    def __init__(self, s3_endpoint, translate_endpoint):
        self.s3_endpoint, self.translate_endpoint = s3_endpoint, translate_endpoint


def test_a_job_whose_process_was_killed_completes_after_a_restart(tmp_path):
    process = subprocess.Popen([sys.executable, "-c", _KILLABLE_BACKEND, str(tmp_path)],
                               cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        s3_endpoint, translate_endpoint = process.stdout.readline().split()
        s3, translate = _clients(_Endpoints(s3_endpoint, translate_endpoint))
        s3.create_bucket(Bucket="amts")
        s3.put_object(Bucket="amts", Key="input/a.html", Body=DOC.encode(), ContentType="text/html")
        s3.put_object(Bucket="amts", Key="input/sub/b.html", Body=DOC_NESTED.encode(),
                      ContentType="text/html")
        job_id = translate.start_text_translation_job(
            JobName="killed", InputDataConfig={"S3Uri": "s3://amts/input/",
                                               "ContentType": "text/html"},
            OutputDataConfig={"S3Uri": "s3://amts/output/"}, DataAccessRoleArn=ROLE,
            SourceLanguageCode="en", TargetLanguageCodes=["zh"], ClientToken="killed-1",
        )["JobId"]
    finally:
        process.kill()  # SIGKILL: no stop(), no flush, the job still waiting to start
        process.wait(timeout=10)
        process.stdout.close()

    with start_local_backend(tmp_path, job_delay=0.01) as backend:
        s3, translate = _clients(backend)
        deadline = time.monotonic() + 20
        while True:
            props = translate.describe_text_translation_job(JobId=job_id)[
                "TextTranslationJobProperties"]
            if props["JobStatus"] not in ("SUBMITTED", "IN_PROGRESS") or time.monotonic() > deadline:
                break
            time.sleep(0.02)
        assert props["JobStatus"] == "COMPLETED", props.get("Message")
        assert props["JobDetails"]["TranslatedDocumentsCount"] == 2
        out = props["OutputDataConfig"]["S3Uri"].removeprefix("s3://amts/")
        # No parallel data: the local endpoint gives every document back unchanged.
        assert s3.get_object(Bucket="amts", Key=f"{out}zh.a.html")["Body"].read() == DOC.encode()
        assert s3.get_object(Bucket="amts", Key=f"{out}zh.sub/b.html")["Body"].read() == \
            DOC_NESTED.encode()
    # ...and the outputs the re-run wrote are kept in turn.
    with start_local_backend(tmp_path) as backend:
        s3, _ = _clients(backend)
        assert f"{out}zh.sub/b.html" in _keys(s3, "amts")
        assert f"{out}details/zh.auxiliary-translation-details.json" in _keys(s3, "amts")
