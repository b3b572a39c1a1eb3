"""AWS quotas on the local service: one parallel-data create/update at a time, on by default."""

from __future__ import annotations

import boto3
import botocore.config
import pytest
from botocore.exceptions import ClientError

from amts.engine.local_service import AWS_QUOTAS, NO_QUOTAS, LocalQuotas, start_local_backend

CSV = "en,zh\nTensors are arrays.,张量是数组。\n".encode()
SLOW = 30.0  # seconds an import stays CREATING/UPDATING: far longer than any test step


def _clients(backend):
    common = dict(region_name=backend.region, aws_access_key_id="testing",
                  aws_secret_access_key="testing")
    # One attempt: botocore's standard mode would retry LimitExceededException as throttling.
    config = botocore.config.Config(retries={"mode": "standard", "total_max_attempts": 1})
    return (boto3.client("s3", endpoint_url=backend.s3_endpoint, **common),
            boto3.client("translate", endpoint_url=backend.translate_endpoint, config=config, **common))


def _create(translate, name, token=None):
    extra = {"ClientToken": token} if token else {}
    return translate.create_parallel_data(
        Name=name, ParallelDataConfig={"S3Uri": "s3://amts/pd/book.csv", "Format": "CSV"}, **extra)


def _error_code(call) -> str:
    with pytest.raises(ClientError) as error:
        call()
    return error.value.response["Error"]["Code"]


def _settled(translate, name, timeout=20.0):
    import time

    deadline = time.monotonic() + timeout
    while True:
        props = translate.get_parallel_data(Name=name)["ParallelDataProperties"]
        if props["Status"] in ("ACTIVE", "FAILED") and props.get("LatestUpdateAttemptStatus") != "UPDATING":
            return props
        assert time.monotonic() < deadline, props
        time.sleep(0.02)


def test_a_second_concurrent_create_or_update_gets_limit_exceeded(tmp_path):
    with start_local_backend(tmp_path, job_delay=0.01, quotas=AWS_QUOTAS) as backend:
        s3, translate = _clients(backend)
        s3.create_bucket(Bucket="amts")
        s3.put_object(Bucket="amts", Key="pd/book.csv", Body=CSV)
        _create(translate, "settled")
        assert _settled(translate, "settled")["Status"] == "ACTIVE"

    with start_local_backend(tmp_path, job_delay=SLOW, quotas=AWS_QUOTAS) as backend:
        _, translate = _clients(backend)
        assert _create(translate, "first", token="first-token")["Status"] == "CREATING"
        assert _error_code(lambda: _create(translate, "second")) == "LimitExceededException"
        update = dict(Name="settled", ParallelDataConfig={"S3Uri": "s3://amts/pd/book.csv",
                                                          "Format": "CSV"})
        assert _error_code(lambda: translate.update_parallel_data(**update)) == "LimitExceededException"
        # A retry of the running create (same token) is the same request, not a second one.
        assert _create(translate, "first", token="first-token")["Status"] == "CREATING"
        names = [p["Name"] for p in translate.list_parallel_data()["ParallelDataPropertiesList"]]
        assert names == ["settled", "first"]

    # After a restart the interrupted import finishes; then the next create goes through.
    with start_local_backend(tmp_path, job_delay=0.01, quotas=AWS_QUOTAS) as backend:
        _, translate = _clients(backend)
        assert _settled(translate, "first")["Status"] == "ACTIVE"
        assert _create(translate, "second")["Status"] == "CREATING"
        assert _settled(translate, "second")["Status"] == "ACTIVE"


def test_the_quota_is_on_by_default(tmp_path):
    assert LocalQuotas() == AWS_QUOTAS != NO_QUOTAS
    with start_local_backend(tmp_path, job_delay=SLOW) as backend:  # no quotas named: AWS's
        s3, translate = _clients(backend)
        s3.create_bucket(Bucket="amts")
        assert _create(translate, "a")["Status"] == "CREATING"
        assert _error_code(lambda: _create(translate, "b")) == "LimitExceededException"


def test_opting_out_lets_imports_run_side_by_side(tmp_path):
    with start_local_backend(tmp_path, job_delay=SLOW, quotas=NO_QUOTAS) as backend:
        s3, translate = _clients(backend)
        s3.create_bucket(Bucket="amts")
        assert [_create(translate, name)["Status"] for name in ("a", "b", "c")] == ["CREATING"] * 3
