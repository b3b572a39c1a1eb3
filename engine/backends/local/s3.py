"""Local S3: moto's server in a background thread on 127.0.0.1, in memory only.

moto keeps its state in process-global backends, so the local S3 is reset when a server starts:
a started endpoint always begins empty and nothing is ever written to disk.
"""

from __future__ import annotations

import threading

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import BaseWSGIServer, make_server

LOCAL_ACCESS_KEY = "testing"
LOCAL_SECRET_KEY = "testing"


class _QuietMotoRequestHandler(MotoRequestHandler):
    """The engine never prints: werkzeug would log every request to stderr."""

    def log_request(self, *args, **kwargs) -> None:  # noqa: D102 - silence
        pass

    def log(self, *args, **kwargs) -> None:  # noqa: D102 - silence
        pass


class LocalS3Server:
    """moto's S3 (and the rest of moto) served on 127.0.0.1; `port=0` picks a free port."""

    def __init__(self, port: int = 0, host: str = "127.0.0.1"):
        self._host = host
        self._port = port
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def endpoint_url(self) -> str:
        """`http://127.0.0.1:PORT` of the running server."""
        if self._server is None:
            raise RuntimeError("the local S3 server is not running")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> str:
        """Start serving (emptying moto's in-memory state) and return the endpoint URL."""
        from moto.backends import get_backend

        get_backend("s3").reset()
        app = DomainDispatcherApplication(create_backend_app)
        self._server = make_server(
            self._host, self._port, app, threaded=True, request_handler=_QuietMotoRequestHandler
        )
        self._thread = threading.Thread(
            # A short poll interval keeps stop() quick (shutdown waits for one poll).
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
            name="amts-local-s3", daemon=True,
        )
        self._thread.start()
        return self.endpoint_url

    def stop(self) -> None:
        """Stop serving and wait for the server thread."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._server = None
        self._thread = None


def start_s3_server(port: int = 0) -> LocalS3Server:
    """Start a local S3 server and return it (its `endpoint_url` is ready)."""
    server = LocalS3Server(port=port)
    server.start()
    return server


def make_s3_client(endpoint_url: str, region: str = "us-east-1"):
    """A synchronous botocore S3 client for the local server (dummy credentials, path style)."""
    import botocore.config
    import botocore.session

    session = botocore.session.Session()
    return session.create_client(
        "s3",
        region_name=region,
        endpoint_url=endpoint_url,
        aws_access_key_id=LOCAL_ACCESS_KEY,
        aws_secret_access_key=LOCAL_SECRET_KEY,
        config=botocore.config.Config(
            s3={"addressing_style": "path"}, retries={"max_attempts": 3, "mode": "standard"}
        ),
    )
