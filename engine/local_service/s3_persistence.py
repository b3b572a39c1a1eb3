"""Write-through persistence of the local S3: a WSGI middleware around moto's server app.

Why a middleware and not a hook into moto's S3 backend: the WSGI app and S3's HTTP API are the
stable surface of moto 5.x, while the backend's method signatures and model classes change
between releases (and several request types reach the same model method). The middleware only
has to know which requests change what, which is S3's documented REST API.

For a successful mutating request it does not replay the request body (which may be aws-chunked
with trailing checksums); it reads the touched bucket or key back from moto, in process, and
makes the mirror equal to that. Mutating requests are serialised by one lock, so the last sync of
a key always sees its newest state, and the response is held back until the mirror is written:
whatever a client saw acknowledged is on disk, even if the process is then killed with SIGKILL.
A write that the mirror cannot hold (see s3_mirror.py) is refused before moto sees it; a failed
disk write answers 500 InternalError, which SDKs retry.

Mirrored: CreateBucket, DeleteBucket, PutObject, CopyObject, CompleteMultipartUpload,
DeleteObject, DeleteObjects. Not mirrored: tags, ACLs, bucket configuration, object versions
(only the latest), the region of a bucket, virtual-host-style writes and browser POST uploads
(both refused).
"""

from __future__ import annotations

import io
import ipaddress
import threading
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit
from xml.sax.saxutils import escape

from werkzeug.test import Client

from amts.engine.errors import AmtsError
from amts.engine.local_service.s3_mirror import S3Mirror, UnmirrorableName

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

# In-process requests carry a SigV4-shaped header so that moto routes them to S3 (it reads the
# service from the credential scope) and books them on the same account as real clients.
_AUTHORIZATION = ("AWS4-HMAC-SHA256 Credential=testing/20240101/us-east-1/s3/aws4_request, "
                  "SignedHeaders=host, Signature=0")
_META_PREFIX = "x-amz-meta-"


class MirrorError(Exception):
    """moto answered an in-process read in a way the mirror cannot act on."""


@dataclass(frozen=True)
class _Change:
    """What a mutating request may change, decided from its method, path and query."""

    action: str  # "bucket", "object", "delete-objects", "check-only", "refuse"
    bucket: str
    key: str | None = None
    reason: str = ""


class DirectS3:
    """S3 requests straight into moto's WSGI app, without sockets or the mirror."""

    def __init__(self, app: WsgiApp):
        self._app = app

    def request(
        self, method: str, bucket: str, key: str | None = None, data: bytes = b"",
        headers: dict[str, str] | None = None,
    ) -> Any:
        raw_path = f"/{bucket}" + ("" if key is None else "/" + quote(key, safe="/~"))
        return Client(self._app).open(
            raw_path, method=method, data=data,
            headers={"Host": "127.0.0.1", "Authorization": _AUTHORIZATION, **(headers or {})},
            # moto takes keys from the raw path (an encoded slash must stay encoded).
            environ_overrides={"RAW_URI": raw_path},
        )


def restore_from_mirror(app: WsgiApp, mirror: S3Mirror) -> tuple[int, int]:
    """Create every mirrored bucket and object in moto; returns (buckets, objects)."""
    s3 = DirectS3(app)
    buckets = objects = 0
    for bucket in mirror.buckets():
        _expect(s3.request("PUT", bucket), f"restoring bucket {bucket!r}", mirror.root / bucket)
        buckets += 1
        mirror.tidy(bucket)
        for obj in mirror.objects(bucket):
            headers = {"Content-Type": obj.content_type}
            headers.update({_META_PREFIX + name: value for name, value in obj.metadata.items()})
            response = s3.request("PUT", bucket, obj.key, obj.path.read_bytes(), headers)
            _expect(response, f"restoring s3://{bucket}/{obj.key}", obj.path)
            objects += 1
    return buckets, objects


def _expect(response: Any, doing: str, path: Any) -> None:
    if response.status_code != 200:
        raise AmtsError(f"the local S3 refused {doing}: HTTP {response.status_code} "
                        f"{response.get_data(as_text=True)[:200]}", path=path)


class MirroringMiddleware:
    """Wraps moto's server app; see the module docstring."""

    def __init__(self, app: WsgiApp, mirror: S3Mirror):
        self._app = app
        self._s3 = DirectS3(app)
        self.mirror = mirror
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        change = classify(environ)
        if change is None:
            return self._app(environ, start_response)
        with self._lock:
            return self._handle(change, environ, start_response)

    def _handle(self, change: _Change, environ: dict[str, Any],
                start_response: Callable[..., Any]) -> Iterable[bytes]:
        try:
            if change.action == "refuse":
                raise UnmirrorableName(change.reason)
            if change.action == "bucket":
                self.mirror.bucket_dir(change.bucket)
            elif change.action in ("object", "check-only") and environ["REQUEST_METHOD"] != "DELETE":
                self.mirror.check_writable(change.bucket, change.key or "")
        except UnmirrorableName as exc:
            _read_body(environ)  # drain it: the connection may carry the next request
            return _error(start_response, "400 Bad Request", "InvalidArgument",
                          f"the local S3 keeps its objects in {self.mirror.root} and cannot "
                          f"accept this: {exc}")
        request_body = _buffer_body(environ) if change.action == "delete-objects" else b""
        status, headers, body = _call(self._app, environ)
        if status.startswith("2"):
            try:
                self._sync(change, request_body, body)
            except (OSError, MirrorError, UnmirrorableName) as exc:
                return _error(start_response, "500 Internal Server Error", "InternalError",
                              f"the local S3 could not write its mirror: {exc}")
        start_response(status, headers)
        return [body]

    def _sync(self, change: _Change, request_body: bytes, response_body: bytes) -> None:
        if change.action == "bucket":
            self._sync_bucket(change.bucket)
        elif change.action == "object":
            self._sync_object(change.bucket, change.key or "")
        elif change.action == "delete-objects":
            for key in _deleted_keys(request_body) | _deleted_keys(response_body):
                self._sync_object(change.bucket, key)

    def _sync_bucket(self, bucket: str) -> None:
        status = self._s3.request("HEAD", bucket).status_code
        if status == 200:
            self.mirror.save_bucket(bucket)
        elif status == 404:
            self.mirror.drop_bucket(bucket)
        else:
            raise MirrorError(f"HEAD of bucket {bucket!r} answered HTTP {status}")

    def _sync_object(self, bucket: str, key: str) -> None:
        response = self._s3.request("GET", bucket, key)
        if response.status_code == 200:
            metadata = {name[len(_META_PREFIX):]: value for name, value in response.headers.items()
                        if name.lower().startswith(_META_PREFIX)}
            content_type = response.headers.get("Content-Type") or "binary/octet-stream"
            self.mirror.save_object(bucket, key, response.get_data(), content_type, metadata)
        elif response.status_code == 404:
            self.mirror.drop_object(bucket, key)
        else:
            raise MirrorError(f"GET of s3://{bucket}/{key} answered HTTP {response.status_code}")


def classify(environ: dict[str, Any]) -> _Change | None:
    """The change a request may make to buckets or objects, or None if it changes neither."""
    method = environ.get("REQUEST_METHOD", "GET")
    if method not in ("PUT", "POST", "DELETE"):
        return None
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI") or quote(environ.get("PATH_INFO", ""))
    raw_path = urlsplit(raw).path if "://" in raw else raw.split("?", 1)[0]
    if not raw_path.startswith("/") or raw_path.startswith("/moto-api"):
        return None
    if _signed_service(environ) not in (None, "s3"):
        return None  # moto serves its other services on the same port
    # The same split as moto's path-style parsing: bucket, then the decoded rest as the key.
    bucket = unquote(raw_path.lstrip("/").split("/")[0])
    if not bucket:
        return None
    key = "/".join(unquote(raw_path).split("/")[2:]) or None
    query = set(parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)) - {"x-id"}
    if not _path_style(environ.get("HTTP_HOST", "")):
        return _Change("refuse", bucket, key, "only path-style requests are kept (use "
                       "addressing_style='path' or the 127.0.0.1 endpoint)")
    if key is None:
        if method in ("PUT", "DELETE") and not query:
            return _Change("bucket", bucket)
        if method == "POST" and "delete" in query:
            return _Change("delete-objects", bucket)
        if method == "POST" and not query:
            return _Change("refuse", bucket, None, "browser-form POST uploads are not kept")
        return None
    if method == "PUT" and not query:  # PutObject and CopyObject
        return _Change("object", bucket, key)
    if method == "POST" and "uploadId" in query:  # CompleteMultipartUpload
        return _Change("object", bucket, key)
    if method == "POST" and "uploads" in query:  # CreateMultipartUpload: refuse early
        return _Change("check-only", bucket, key)
    if method == "DELETE" and query <= {"versionId"}:
        return _Change("object", bucket, key)
    return None


def _signed_service(environ: dict[str, Any]) -> str | None:
    scope = environ.get("HTTP_AUTHORIZATION", "").partition("Credential=")[2].split(",")[0]
    if not scope:
        credential = parse_qs(environ.get("QUERY_STRING", "")).get("X-Amz-Credential")
        scope = credential[0] if credential else ""
    parts = scope.split("/")
    return parts[3].lower() if len(parts) >= 5 else None


def _path_style(host: str) -> bool:
    """True where moto reads the bucket from the path (IP literals, localhost, dotless names)."""
    name = host.rsplit("]", 1)[0].lstrip("[") if host.startswith("[") else host.split(":")[0]
    try:
        ipaddress.ip_address(name)
        return True
    except ValueError:
        return name.startswith("localhost") or "." not in name


def _read_body(environ: dict[str, Any]) -> bytes:
    stream = environ.get("wsgi.input")
    if stream is None:
        return b""
    length = environ.get("CONTENT_LENGTH")
    if length:
        return stream.read(int(length))
    return stream.read() if environ.get("wsgi.input_terminated") else b""


def _buffer_body(environ: dict[str, Any]) -> bytes:
    body = _read_body(environ)
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    return body


def _deleted_keys(xml_body: bytes) -> set[str]:
    """Keys named in a DeleteObjects request (<Object><Key>) or its result (<Deleted><Key>)."""
    try:
        root = ET.fromstring(xml_body)
    except ET.ParseError:
        return set()
    return {element.text or "" for element in root.iterfind("./{*}Object/{*}Key")} | {
        element.text or "" for element in root.iterfind("./{*}Deleted/{*}Key")}


def _call(app: WsgiApp, environ: dict[str, Any]) -> tuple[str, list[tuple[str, str]], bytes]:
    """Run the app to the end, holding its response back."""
    captured: dict[str, Any] = {}
    chunks: list[bytes] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None):
        captured["status"], captured["headers"] = status, headers
        return chunks.append

    result = app(environ, start_response)
    try:
        chunks.extend(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    return captured["status"], captured["headers"], b"".join(chunks)


def _error(start_response: Callable[..., Any], status: str, code: str, message: str) -> list[bytes]:
    body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code>'
            f"<Message>{escape(message)}</Message><RequestId>{uuid.uuid4().hex}</RequestId>"
            "</Error>").encode()
    start_response(status, [("Content-Type", "application/xml"),
                            ("Content-Length", str(len(body)))])
    return [body]
