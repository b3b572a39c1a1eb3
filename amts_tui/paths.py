"""Where the app's own files are, in a checkout and in an installed wheel alike."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def sample_data_dir() -> Path:
    """The demo book: `amts_tui/sample_data` in a wheel, `sample_data/` at the checkout's root."""
    installed = _PACKAGE / "sample_data"
    return installed if installed.is_dir() else _PACKAGE.parent / "sample_data"
