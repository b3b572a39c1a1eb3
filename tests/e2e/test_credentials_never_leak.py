"""Credentials (access key, secret key and session token) appear in no output, log, report or
state file: the demo run headless, and a run whose AWS calls fail against a server that echoes
the request's credentials back, as S3's SignatureDoesNotMatch does."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote

import pytest

from amts.engine.credentials import scrub_secrets
from amts.engine.errors import AmtsError

from conftest import make_config

AMTS_TUI = Path(sys.executable).with_name("amts-tui")
# Shaped like real credentials so that scrubbing by shape is exercised too; not real ones.
ACCESS_KEY_ID = "ASIAZZZZEXAMPLE67890"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzzEXAMPLE0"
SESSION_TOKEN = ("IQoJb3JpZ2luX2VjEamtsFakeSessionToken/+" + "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789" * 9
                 + "NotRealAtAll==")
SECRETS = (ACCESS_KEY_ID, SECRET_KEY, SESSION_TOKEN)


def _environment(tmp_path: Path) -> dict[str, str]:
    """Fake credentials in the environment, everything else of AWS and the user kept in tmp."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "AMTS_"))}
    env.update(
        AWS_ACCESS_KEY_ID=ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY=SECRET_KEY,
        AWS_SESSION_TOKEN=SESSION_TOKEN, AWS_CONFIG_FILE=str(tmp_path / "aws-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "aws-credentials"),
        AWS_EC2_METADATA_DISABLED="true", HOME=str(tmp_path / "home"),
        XDG_CONFIG_HOME=str(tmp_path / "home" / ".config"),
        XDG_DATA_HOME=str(tmp_path / "home" / ".local" / "share"),
        AMTS_WORKDIR=str(tmp_path / "work"),
    )
    return env


def _leaks(text: bytes) -> list[str]:
    forms = dict(zip(("access key id", "secret key", "session token"), SECRETS))
    found = []
    for name, value in forms.items():
        for form in (value, quote(value, safe=""), value[:40]):
            if form.encode() in text:
                found.append(name)
                break
    return found


def _files_with_leaks(root: Path) -> dict[str, list[str]]:
    return {str(p): leaks for p in root.rglob("*") if p.is_file() and (leaks := _leaks(p.read_bytes()))}


class _EchoingAws(BaseHTTPRequestHandler):
    """Refuses every call, quoting in its error message what the request carried (the worst an
    upstream message could do; S3's SignatureDoesNotMatch does quote the canonical request)."""

    seen: list[str] = []

    def log_message(self, format, *args):
        pass

    def _answer(self) -> None:
        # Like S3, refuse before the body: a client that sent "Expect: 100-continue" waits.
        length = int(self.headers.get("Content-Length") or 0)
        if length and "100-continue" not in self.headers.get("Expect", "").lower():
            self.rfile.read(length)
        carried = (f"Authorization: {self.headers.get('Authorization', '')}\n"
                   f"x-amz-security-token:{self.headers.get('X-Amz-Security-Token', '')}")
        self.seen.append(carried)
        if self.command == "GET" and self.path.endswith("?location"):
            # The bucket check before the run passes (us-east-1), so the run goes on to fail call by call.
            body = b'<?xml version="1.0" encoding="UTF-8"?>\n<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/"/>'
            content_type = "application/xml"
            self.send_response(200)
        elif self.headers.get("X-Amz-Target"):  # Translate: JSON 1.1
            body = json.dumps({"__type": "AccessDeniedException",
                               "message": f"not authorized; the request carried {carried}"}).encode()
            content_type = "application/x-amz-json-1.1"
            self.send_response(400)
        else:  # S3: XML
            body = (
                '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>InvalidToken</Code>'
                f"<Message>The provided token is malformed or otherwise invalid: {carried}</Message>"
                f"<Token-0>{self.headers.get('X-Amz-Security-Token', '')}</Token-0></Error>"
            ).encode()
            content_type = "application/xml"
            self.send_response(400)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = _answer


@pytest.fixture
def echoing_aws():
    _EchoingAws.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _EchoingAws)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", _EchoingAws.seen
    server.shutdown()
    server.server_close()


def _run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(AMTS_TUI), *args], capture_output=True, env=env, cwd=cwd,
                          timeout=600, stdin=subprocess.DEVNULL)


def test_the_demo_headless_shows_and_stores_no_credential(tmp_path):
    result = _run(["--demo", "--auto"], _environment(tmp_path), tmp_path)
    assert result.returncode == 0, result.stderr.decode()[-2000:]
    assert _leaks(result.stdout + result.stderr) == []
    assert (tmp_path / "work" / "state.sqlite3").is_file()
    assert _files_with_leaks(tmp_path) == {}


def test_failing_aws_calls_show_and_store_no_credential(tmp_path, echoing_aws):
    endpoint, seen = echoing_aws
    config = make_config(tmp_path)
    text = config.read_text(encoding="utf-8").replace(
        "[backend]\n", f'[backend]\nkind = "aws"\nregion = "us-east-1"\nbucket = "amts-test"\n'
                       f'role_arn = "arn:aws:iam::123456789012:role/amts-test"\ns3_endpoint_url = "{endpoint}"\n'
                       f'translate_endpoint_url = "{endpoint}"\n')
    config.write_text(text, encoding="utf-8")
    result = _run(["--auto", "--config", str(config)], _environment(tmp_path), tmp_path)

    output = (result.stdout + result.stderr).decode()
    assert result.returncode != 0 and "Traceback" not in output, output[-2000:]
    # The service's messages were quoted (masked), not left out.
    assert "InvalidToken (the service said: The provided token is malformed" in output, output[-3000:]
    assert "access denied (the service said: not authorized" in output, output[-3000:]
    assert "x-amz-security-token:***" in output
    # The credentials were in play: every call carried the key id and the session token.
    assert seen and all(ACCESS_KEY_ID in s and SESSION_TOKEN in s for s in seen)
    assert _leaks(result.stdout + result.stderr) == []
    assert _files_with_leaks(tmp_path) == {}
    assert any((tmp_path / "work" / "runs").rglob("report.json"))


def test_scrubbing_covers_values_and_shapes(monkeypatch):
    monkeypatch.setenv("AWS_SESSION_TOKEN", SESSION_TOKEN)
    quoted = f"X-Amz-Security-Token={quote(SESSION_TOKEN, safe='')}&X-Amz-Credential={ACCESS_KEY_ID}"
    for text in (SESSION_TOKEN, quoted, f"secret {SECRET_KEY}.", f"x-amz-security-token: {SESSION_TOKEN[:60]}"):
        assert _leaks(scrub_secrets(text).encode()) == [], text
    error = AmtsError(f"the service said: token {SESSION_TOKEN} for {ACCESS_KEY_ID}")
    assert _leaks(str(error).encode()) == []
    monkeypatch.delenv("AWS_SESSION_TOKEN")
    assert _leaks(scrub_secrets(SESSION_TOKEN).encode()) == []  # by its shape alone
    # Ordinary text stays: a git commit, a job id, a sentence.
    for text in ("commit 1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b", "job 1c1838f470806ab9c3e0057f14717bed",
                 "Tensors are arrays."):
        assert scrub_secrets(text) == text
