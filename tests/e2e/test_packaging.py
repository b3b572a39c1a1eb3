"""The installed wheel carries what the app needs outside Python code: themes and the demo book."""

from __future__ import annotations

import importlib.metadata as md
import sysconfig

import pytest


def installed_files() -> set[str]:
    # Look in site-packages itself: the checkout's own amts.egg-info (left by the build) would
    # otherwise shadow the installed wheel's record.
    found = list(md.distributions(name="amts", path=[sysconfig.get_paths()["purelib"]]))
    if not found:
        pytest.skip("amts is not installed (run the README's test command)")
    dist = found[0]
    files = {str(f) for f in dist.files or ()}
    if not any(f.startswith("amts/engine/") for f in files):
        pytest.skip("amts is installed in editable mode: no wheel contents to check")
    return files


def test_wheel_ships_themes_and_the_demo_book():
    files = installed_files()
    assert {"amts/tui/themes/amts.tcss", "amts/tui/themes/palettes.py"} <= files
    assert "amts/tui/sample_data/zh/config.ini" in files
    assert "amts/tui/sample_data/zh/chapter_basics/linear-models_origin.md" in files
    assert "amts/tui/sample_data/en-upstream/chapter_evaluation/bleu.md" in files
    assert "amts/tui/sample_data/amts.toml" in files
    assert any(f.startswith("amts/engine/local_service/") for f in files)
