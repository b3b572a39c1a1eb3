"""The one seam: the engine never imports the UI toolkits (harlequin's check, in a subprocess)."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import amts.engine


def test_engine_imports_without_textual_or_rich():
    modules = [m.name for m in pkgutil.walk_packages(amts.engine.__path__, "engine.")]
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('textual', 'rich') or m.startswith('amts.tui')]\n"
        "print(bad)\n"
        "sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_import_linter_contract_holds():
    """The same promise as a declared contract (pyproject.toml [tool.importlinter])."""
    import shutil
    from pathlib import Path

    exe = shutil.which("lint-imports") or str(Path(sys.executable).with_name("lint-imports"))
    repo = Path(__file__).resolve().parents[2]
    result = subprocess.run([exe], cwd=repo, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
