"""Shared fixtures: where the real d2l data lives (skipped cleanly when ../shared is absent)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("AMTS_SHARED", REPO.parent / "shared"))
SAMPLE_DATA = REPO / "sample_data"


def _need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} is absent: the real d2l data lives in ../shared beside the checkout")
    return path


@pytest.fixture(scope="session")
def d2l_zh() -> Path:
    """The translated book (d2lbook layout: NAME_origin.md beside NAME.md)."""
    return _need(SHARED / "d2l" / "d2l-zh")


@pytest.fixture(scope="session")
def d2l_en() -> Path:
    """The newer English book (upstream for sync)."""
    return _need(SHARED / "d2l" / "d2l-en")


@pytest.fixture(scope="session")
def gold_dir() -> Path:
    return _need(SHARED / "gold")


@pytest.fixture(scope="session")
def score_tool() -> Path:
    return _need(SHARED / "tools" / "score_alignment.py")


@pytest.fixture(scope="session")
def sample_book() -> Path:
    return SAMPLE_DATA


@pytest.fixture(scope="module")
def moto_endpoint():
    """moto's S3 server alone, on a free port of 127.0.0.1 (for the S3 layer's own tests)."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()
