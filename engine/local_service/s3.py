"""Local S3: moto's server in a background thread on 127.0.0.1, optionally kept on disk.

Only local programs reach it (http_guard.py): no web page, no moto management API.

moto keeps its state in process-global backends, so the local S3 is reset when a server starts.
With a `mirror_dir` (start_local_backend uses WORKDIR/local-s3) the server then restores the
buckets and objects kept there and writes every acknowledged change back (s3_persistence.py), so
a restarted server holds exactly what its own mirror holds; without one it starts empty and
writes nothing. One local S3 per process at a time: a second start resets the first.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import BaseWSGIServer, make_server

from amts.engine.local_service.http_guard import LocalOnlyMiddleware
from amts.engine.local_service.s3_mirror import S3Mirror
from amts.engine.local_service.s3_persistence import MirroringMiddleware, restore_from_mirror

LOCAL_ACCESS_KEY = "testing"
LOCAL_SECRET_KEY = "testing"


class _QuietMotoRequestHandler(MotoRequestHandler):
    """The engine never prints: werkzeug would log every request to stderr."""

    def log_request(self, *args, **kwargs) -> None:  # noqa: D102 - silence
        pass

    def log(self, *args, **kwargs) -> None:  # noqa: D102 - silence
        pass


class LocalS3Server:
    """moto's S3 served on 127.0.0.1 to local programs only; `port=0` picks a free port.

    `mirror_dir`: keep buckets and objects there (restored on start, written through on every
    change); None keeps them in memory only.
    """

    def __init__(self, port: int = 0, host: str = "127.0.0.1", mirror_dir: Path | None = None):
        self._host = host
        self._port = port
        self.mirror_dir = Path(mirror_dir) if mirror_dir is not None else None
        self.restored: tuple[int, int] = (0, 0)
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def endpoint_url(self) -> str:
        """`http://127.0.0.1:PORT` of the running server."""
        if self._server is None:
            raise RuntimeError("the local S3 server is not running")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> str:
        """Start serving and return the endpoint URL: moto's S3 is emptied, then filled from
        the mirror (if any) before the first request can arrive; `restored` counts
        (buckets, objects)."""
        from moto.backends import get_backend

        get_backend("s3").reset()
        app: Any = DomainDispatcherApplication(create_backend_app)  # wrapped below when mirrored
        if self.mirror_dir is not None:
            mirror = S3Mirror(self.mirror_dir)
            self.restored = restore_from_mirror(app, mirror)
            app = MirroringMiddleware(app, mirror)
        self._server = make_server(
            self._host, self._port, LocalOnlyMiddleware(app), threaded=True, request_handler=_QuietMotoRequestHandler
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


def start_s3_server(port: int = 0, mirror_dir: Path | None = None) -> LocalS3Server:
    """Start a local S3 server and return it (its `endpoint_url` is ready)."""
    server = LocalS3Server(port=port, mirror_dir=mirror_dir)
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
