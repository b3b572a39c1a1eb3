"""Local service security: request names never become paths outside the work directory, and
web pages (cross-origin requests, DNS rebinding) and moto's management API are shut out."""

from __future__ import annotations

import http.client
import json
import time
from pathlib import Path

import boto3
import pytest
from botocore.exceptions import ClientError

from amts.engine.local_service import start_local_backend
from amts.engine.local_service.protocol import ServiceError
from amts.engine.local_service.store import StateStore

# moto routes by the SigV4 credential scope and does not check signatures.
SIGNED = {"Authorization": "AWS4-HMAC-SHA256 Credential=testing/20240101/us-east-1/s3/aws4_request, "
                           "SignedHeaders=host, Signature=0"}
TERMS = "en,zh\ntensor,张量\n".encode()
PARALLEL_CSV = "en,zh\nTensors are arrays.,张量是数组。\n".encode()


def _clients(backend):
    common = dict(region_name=backend.region, aws_access_key_id="testing",
                  aws_secret_access_key="testing")
    return (boto3.client("s3", endpoint_url=backend.s3_endpoint, **common),
            boto3.client("translate", endpoint_url=backend.translate_endpoint, **common))


def _files(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()}


def _request(endpoint: str, method: str, path: str, body: bytes = b"",
             headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    """A raw HTTP request with exactly the headers given (Host included), as a browser sends it."""
    host, port = endpoint.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        for name, value in {"Host": f"127.0.0.1:{port}", **(headers or {})}.items():
            connection.putheader(name, value)
        connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


@pytest.fixture
def backend(tmp_path):
    with start_local_backend(tmp_path / "work", job_delay=0.01) as running:
        yield running


HOSTILE_NAMES = ["../../escaped", "../escaped", "..", "a/b", "a\\b", ".hidden", "name.csv"]


def test_resource_names_that_are_paths_are_refused_and_nothing_is_written_outside(tmp_path, backend):
    s3, translate = _clients(backend)
    s3.create_bucket(Bucket="amts")
    s3.put_object(Bucket="amts", Key="pd/book.csv", Body=PARALLEL_CSV)
    outside_before = _files(tmp_path) - _files(tmp_path / "work")
    absolute = str(tmp_path / "absolute")
    for name in [*HOSTILE_NAMES, absolute]:
        with pytest.raises(ClientError) as error:
            translate.import_terminology(
                Name=name, MergeStrategy="OVERWRITE",
                TerminologyData={"File": TERMS, "Format": "CSV", "Directionality": "UNI"})
        assert error.value.response["Error"]["Code"] == "ValidationException", name
        with pytest.raises(ClientError) as error:
            translate.create_parallel_data(
                Name=name, ParallelDataConfig={"S3Uri": "s3://amts/pd/book.csv", "Format": "CSV"})
        assert error.value.response["Error"]["Code"] == "ValidationException", name
    time.sleep(0.1)  # any import a create had started would have written by now
    assert _files(tmp_path) - _files(tmp_path / "work") == outside_before
    assert not list(tmp_path.glob("escaped*")) and not list(tmp_path.glob("absolute*"))
    assert translate.list_parallel_data()["ParallelDataPropertiesList"] == []
    assert translate.list_terminologies()["TerminologyPropertiesList"] == []
    # A name of the service's pattern still works, and its files stay in the store's folder.
    translate.import_terminology(
        Name="d2l-terms_1", MergeStrategy="OVERWRITE",
        TerminologyData={"File": TERMS, "Format": "CSV", "Directionality": "UNI"})
    stored = _files(tmp_path / "work" / "local-translate" / "terminology")
    assert [p.name for p in stored] == ["d2l-terms_1.csv"]


def test_the_store_keeps_every_data_file_in_its_folder(tmp_path):
    store = StateStore(tmp_path / "store")
    try:
        for name in ["../escaped.json", "/etc/escaped", "a/../../escaped", ".x", "", "a\x00b"]:
            with pytest.raises(ServiceError):
                store.write_data("terminology", name, b"payload")
        # A name the service allows (256 characters) is longer than a file name may be.
        long_name = "n" * 256 + ".v1.json"
        path = store.write_data("parallel-data", long_name, b"payload")
        assert path.parent == tmp_path / "store" / "parallel-data"
        assert path.read_bytes() == b"payload"
        assert store.data_path("parallel-data", long_name) == path
    finally:
        store.close()
    assert not list(tmp_path.rglob("escaped*"))


def test_moto_management_api_is_unreachable(backend):
    s3, _ = _clients(backend)
    s3.create_bucket(Bucket="amts")
    s3.put_object(Bucket="amts", Key="book/a.md", Body=b"kept")
    port = backend.s3_endpoint.rsplit(":", 1)[1]
    for method, path in [("POST", "/moto-api/reset"), ("GET", "/moto-api/data.json"),
                         ("POST", "/moto-api/recorder/replay-recording"), ("GET", "/moto-api/"),
                         ("POST", "/moto-api/seed?a=42")]:
        for host in (f"127.0.0.1:{port}", f"localhost:{port}"):
            status, body = _request(backend.s3_endpoint, method, path,
                                    headers={**SIGNED, "Host": host})
            assert status == 403, (method, path)
            assert b"management API" in body
    assert s3.get_object(Bucket="amts", Key="book/a.md")["Body"].read() == b"kept"


def test_web_pages_cannot_use_the_local_s3(backend):
    s3, _ = _clients(backend)
    s3.create_bucket(Bucket="amts")
    s3.put_object(Bucket="amts", Key="book/a.md", Body=b"kept")
    port = backend.s3_endpoint.rsplit(":", 1)[1]
    # A cross-origin fetch, its CORS preflight, and a page rebound to 127.0.0.1 by DNS.
    attempts = [
        ("PUT", "/amts/book/a.md", {"Origin": "https://evil.example"}),
        ("DELETE", "/amts/book/a.md", {"Origin": "null"}),
        ("OPTIONS", "/amts/book/a.md", {"Origin": "https://evil.example",
                                        "Access-Control-Request-Method": "PUT"}),
        ("GET", "/amts/book/a.md", {"Host": f"evil.example:{port}"}),
        ("DELETE", "/amts/book/a.md", {"Host": f"evil.example:{port}"}),
    ]
    for method, path, headers in attempts:
        status, _ = _request(backend.s3_endpoint, method, path, b"overwritten",
                             {**SIGNED, **headers})
        assert status == 403, (method, headers)
    assert s3.get_object(Bucket="amts", Key="book/a.md")["Body"].read() == b"kept"
    status, body = _request(backend.s3_endpoint, "GET", "/amts/book/a.md", headers=SIGNED)
    assert (status, body) == (200, b"kept")  # the same request from a local program


def test_web_pages_cannot_use_the_local_translate_endpoint(backend):
    _, translate = _clients(backend)
    port = backend.translate_endpoint.rsplit(":", 1)[1]
    body = json.dumps({"Name": "planted", "MergeStrategy": "OVERWRITE", "TerminologyData": {
        "File": "ZW4semgKdGVuc29yLOW8oOmHjwo=", "Format": "CSV"}}).encode()
    target = {"X-Amz-Target": "AWSShineFrontendService_20170701.ImportTerminology",
              "Content-Type": "application/x-amz-json-1.1"}
    for extra in ({"Origin": "https://evil.example"}, {"Host": f"evil.example:{port}"},
                  {"Host": "127.0.0.1"}):
        status, answer = _request(backend.translate_endpoint, "POST", "/", body, {**target, **extra})
        assert status == 403, extra
        assert json.loads(answer)["__type"] == "AccessDeniedException"
    assert translate.list_terminologies()["TerminologyPropertiesList"] == []
    status, _ = _request(backend.translate_endpoint, "POST", "/", body, target)
    assert status == 200  # the same request from a local program
    names = [t["Name"] for t in translate.list_terminologies()["TerminologyPropertiesList"]]
    assert names == ["planted"]
    status, _ = _request(backend.translate_endpoint, "GET", "/local-data/terminology/planted.csv",
                         headers={"Host": f"evil.example:{port}"})
    assert status == 403
    status, body = _request(backend.translate_endpoint, "GET", "/local-data/terminology/planted.csv")
    assert (status, body) == (200, "en,zh\ntensor,张量\n".encode())


def test_data_urls_serve_stored_files_only(backend, tmp_path):
    (tmp_path / "secret.txt").write_text("outside", encoding="utf-8")
    for path in ("/local-data/terminology/..%2F..%2F..%2Fsecret.txt", "/local-data/terminology/../x",
                 "/local-data/terminology/a%20b", "/local-data/terminology/.hidden",
                 "/local-data/other/x", "/local-data/terminology/"):
        status, body = _request(backend.translate_endpoint, "GET", path)
        assert (status, body) == (404, b"not found"), path
