"""Only local programs may use the local endpoints: never a web page, never moto's admin API.

Both endpoints listen on 127.0.0.1, which every web page the user has open can reach too: a
cross-origin `fetch` or form POST goes out with an Origin header, and a page whose own host name
was rebound to 127.0.0.1 (DNS rebinding) sends its own name in the Host header. SDKs, the AWS CLI
and urllib send neither, so refusing both keeps browsers out without a secret to hand around.

moto's management API on the S3 port (/moto-api/: reset, a dump of every resource, a request
recorder that replays) is never served: nothing of ours uses it, and a reset wipes the store.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

LOCAL_HOST_NAMES = ("127.0.0.1", "localhost")
MOTO_API_PATH = "/moto-api"


def refusal(path: str, host: str | None, origin: str | None, port: int) -> str | None:
    """Why a request must be refused, or None when it may go on."""
    if origin is not None:
        return "requests from web pages (with an Origin header) are refused"
    allowed = {f"{name}:{port}" for name in LOCAL_HOST_NAMES}
    if port == 80:
        allowed.update(LOCAL_HOST_NAMES)
    if (host or "").lower() not in allowed:
        return (f"the Host header {host!r} is not this endpoint "
                f"(use http://127.0.0.1:{port})")
    if path.startswith(MOTO_API_PATH):  # moto's own test: every path that starts so is its API
        return "moto's management API is not served"
    return None


WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class LocalOnlyMiddleware:
    """Wraps the S3 server's WSGI app: refused requests get 403 AccessDenied and reach nothing."""

    def __init__(self, app: WsgiApp):
        self._app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        reason = refusal(
            environ.get("PATH_INFO", ""), environ.get("HTTP_HOST"), environ.get("HTTP_ORIGIN"),
            int(environ.get("SERVER_PORT") or 0),
        )
        if reason is None:
            return self._app(environ, start_response)
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code>'
            f"<Message>the local S3 serves local programs only: {_xml_text(reason)}</Message></Error>"
        ).encode()
        start_response("403 Forbidden", [("Content-Type", "application/xml"),
                                         ("Content-Length", str(len(body)))])
        return [body]


def _xml_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
