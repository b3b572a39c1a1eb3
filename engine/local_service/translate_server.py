"""An Amazon-Translate-compatible endpoint on 127.0.0.1 (JSON 1.1, as botocore speaks it).

Requests are checked against botocore's own model of the service; any SigV4 signature is
accepted, from local programs only (http_guard.py). State lives in WORKDIR/local-translate/
(see store.py), so a restarted endpoint knows its resources and jobs. GET
/local-data/<kind>/<file> serves the stored data files that the service would hand out as
presigned URLs.
"""

from __future__ import annotations

import collections
import functools
import json
import re
import threading
import uuid
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from amts.engine.local_service import jobs, resources
from amts.engine.local_service.context import DATA_URL_PATH, LocalContext
from amts.engine.local_service.faults import LocalFaults, Throttle
from amts.engine.local_service.http_guard import refusal
from amts.engine.local_service.languages import check_language_codes
from amts.engine.local_service.protocol import (
    CONTENT_TYPE,
    ServiceError,
    invalid_parameter,
    operation_for_target,
    parse_request,
    to_wire,
)
from amts.engine.local_service.quotas import LocalQuotas
from amts.engine.local_service.store import StateStore

MAX_TEXT_BYTES = 10_000
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]")

Operation = Callable[[LocalContext, dict[str, Any]], dict[str, Any]]


def translate_text(ctx: LocalContext, params: dict[str, Any]) -> dict[str, Any]:
    """Real-time translation has no parallel data (ACT is batch-only), so the local backend
    has nothing to translate from: the text comes back unchanged, never invented."""
    text = params["Text"]
    if len(text.encode("utf-8")) > MAX_TEXT_BYTES:
        raise ServiceError(
            "TextSizeLimitExceededException", f"Text is longer than {MAX_TEXT_BYTES} bytes"
        )
    if len(params.get("TerminologyNames", [])) > 1:
        raise invalid_parameter("TranslateText takes at most one terminology")
    check_language_codes(params["SourceLanguageCode"], [params["TargetLanguageCode"]])
    for name in params.get("TerminologyNames", []):
        resources.terminology(ctx, name)
    source = params["SourceLanguageCode"]
    if source == "auto":
        source = "zh" if _CJK.search(text) else "en"
    return {
        "TranslatedText": ctx.faults.respace_spans(text),
        "SourceLanguageCode": source,
        "TargetLanguageCode": params["TargetLanguageCode"],
        "AppliedTerminologies": [],
    }


OPERATIONS: dict[str, Operation] = {
    "CreateParallelData": resources.create_parallel_data,
    "UpdateParallelData": resources.update_parallel_data,
    "GetParallelData": resources.get_parallel_data,
    "ListParallelData": resources.list_parallel_data,
    "DeleteParallelData": resources.delete_parallel_data,
    "ImportTerminology": resources.import_terminology,
    "GetTerminology": resources.get_terminology,
    "ListTerminologies": resources.list_terminologies,
    "StartTextTranslationJob": jobs.start_text_translation_job,
    "DescribeTextTranslationJob": jobs.describe_text_translation_job,
    "ListTextTranslationJobs": jobs.list_text_translation_jobs,
    "StopTextTranslationJob": jobs.stop_text_translation_job,
    "TranslateText": translate_text,
}


class _TranslateRequestHandler(BaseHTTPRequestHandler):
    server: _TranslateHTTPServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the engine never prints; requests carry signatures that must not be logged

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if self._refused():
            return
        try:
            payload = self.server.endpoint.handle(self.headers.get("X-Amz-Target"), body)
            self._send(200, json.dumps(payload).encode(), CONTENT_TYPE)
        except ServiceError as exc:
            self._send(exc.status, exc.body(), CONTENT_TYPE, error=exc.code)
        except Exception as exc:  # never let a bug kill the connection without an answer
            error = ServiceError("InternalServerException", f"local backend error: {exc}", 500)
            self._send(500, error.body(), CONTENT_TYPE, error=error.code)

    def do_GET(self) -> None:
        if self._refused():
            return
        path = self.server.endpoint.data_file(self.path)
        if path is None:
            self._send(404, b"not found", "text/plain")
        else:
            self._send(200, path.read_bytes(), "application/octet-stream")

    def _refused(self) -> bool:
        """Answer 403 to a web page or a rebound host name (see http_guard.py)."""
        reason = refusal(self.path.split("?", 1)[0], self.headers.get("Host"),
                         self.headers.get("Origin"), self.server.server_address[1])
        if reason is None:
            return False
        error = ServiceError("AccessDeniedException",
                             f"the local Translate endpoint serves local programs only: {reason}", 403)
        self._send(403, error.body(), CONTENT_TYPE, error=error.code)
        return True

    def _send(self, status: int, body: bytes, content_type: str, error: str | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
        if error:
            self.send_header("x-amzn-ErrorType", error)
        self.end_headers()
        self.wfile.write(body)


class _TranslateHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    endpoint: LocalTranslateServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Say nothing: handlers answer every error of their own, so what reaches here is a
        client gone mid-request (a run cancelled by Ctrl-C), and the engine never prints."""


class LocalTranslateServer:
    """The endpoint: an HTTP server thread plus the background workers of its jobs."""

    def __init__(
        self,
        workdir: Path,
        s3_endpoint: str,
        faults: LocalFaults | None = None,
        port: int = 0,
        delay: float = 0.2,
        region: str = "us-east-1",
        quotas: LocalQuotas | None = None,
    ):
        store = StateStore(Path(workdir) / "local-translate")
        self.context = LocalContext(
            store=store, s3_endpoint=s3_endpoint, faults=faults or LocalFaults(),
            delay=delay, quotas=quotas or LocalQuotas(), region=region,
        )
        self._throttle = Throttle(self.context.faults)
        self._outcomes: collections.Counter[tuple[str, str]] = collections.Counter()
        self._outcomes_lock = threading.Lock()
        self._port = port
        self._server: _TranslateHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def endpoint_url(self) -> str:
        if self._server is None:
            raise RuntimeError("the local Translate endpoint is not running")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def throttled_calls(self) -> int:
        """How many calls the throttling fault has refused so far."""
        return self._throttle.throttled_calls

    def start(self) -> str:
        """Serve on 127.0.0.1, resume unfinished work, and return the endpoint URL."""
        self._server = _TranslateHTTPServer(("127.0.0.1", self._port), _TranslateRequestHandler)
        self._server.endpoint = self
        self.context.translate_endpoint = self.endpoint_url
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
            name="amts-local-translate", daemon=True,
        )
        self._thread.start()
        self._resume()
        return self.endpoint_url

    def stop(self) -> None:
        """Stop serving; workers stop at their next step and resume on the next start."""
        self.context.stop_workers()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._server = self._thread = None
        self.context.store.close()

    @property
    def call_outcomes(self) -> dict[tuple[str, str], int]:
        """How many calls of each operation ended how: (operation, "OK" or the error code)."""
        with self._outcomes_lock:
            return dict(self._outcomes)

    def handle(self, target: str | None, body: bytes) -> dict[str, Any]:
        """One API call, counted in `call_outcomes`."""
        name = (target or "").rpartition(".")[2]
        try:
            response = self._handle(target, body)
        except ServiceError as exc:
            self._count(name, exc.code)
            raise
        except Exception:
            self._count(name, "InternalServerException")
            raise
        self._count(name, "OK")
        return response

    def _count(self, operation: str, outcome: str) -> None:
        with self._outcomes_lock:
            self._outcomes[operation, outcome] += 1

    def _handle(self, target: str | None, body: bytes) -> dict[str, Any]:
        """Operation, throttling fault, validation, then the operation."""
        operation = operation_for_target(target)
        if self._throttle.should_throttle(operation.name):
            raise ServiceError("TooManyRequestsException", "Rate exceeded (injected)", 429)
        if operation.name in ("CreateParallelData", "UpdateParallelData") and self._throttle.import_slot_taken():
            raise ServiceError("LimitExceededException", "another parallel data import is running in this "
                                                         "account: one at a time (injected)")
        handler = OPERATIONS.get(operation.name)
        if handler is None:
            raise ServiceError(
                "UnsupportedOperationException",
                f"the local backend does not implement {operation.name}",
            )
        params = parse_request(operation, body)
        return to_wire(handler(self.context, params))

    def data_file(self, url_path: str) -> Path | None:
        """The stored file a /local-data/ URL names, never anything outside the store."""
        if not url_path.startswith(DATA_URL_PATH):
            return None
        kind, _, name = url_path[len(DATA_URL_PATH):].partition("/")
        if kind not in (resources.PARALLEL_DATA, resources.TERMINOLOGY) or not name:
            return None
        try:
            path = self.context.store.data_path(kind, name)  # refuses anything but a file name
        except ServiceError:
            return None
        return path if path.is_file() else None

    def _resume(self) -> None:
        ctx = self.context
        for record in ctx.store.all(resources.PARALLEL_DATA):
            name = record["Name"]
            if record["Status"] == "CREATING":
                ctx.spawn(functools.partial(resources.run_import, ctx, name, update=False), f"amts-import-{name}")
            elif record.get("LatestUpdateAttemptStatus") == "UPDATING":
                ctx.spawn(functools.partial(resources.run_import, ctx, name, update=True), f"amts-update-{name}")
            elif record["Status"] == "DELETING":
                ctx.spawn(functools.partial(resources.finish_delete, ctx, name), f"amts-delete-{name}")
        jobs.resume_unfinished_jobs(ctx)
