"""The house rules, checked on every run: the engine stands without the UI, the layers of
pyproject.toml's import-linter contracts hold, no two modules import each other in a circle, and
ruff and mypy pass (harlequin's seam check, in a subprocess, plus the tools' own verdicts)."""

from __future__ import annotations

import ast
import functools
import pkgutil
import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

import amts.engine

REPO = Path(__file__).resolve().parents[1]


def _tool(name: str) -> str:
    found = shutil.which(name) or str(Path(sys.executable).with_name(name))
    if not Path(found).exists():
        pytest.skip(f"{name} is not installed (pip install '.[test]')")
    return found


def test_engine_imports_without_textual_or_rich():
    modules = [m.name for m in pkgutil.walk_packages(amts.engine.__path__, "amts.engine.")]
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


def test_import_linter_contracts_hold():
    """The layers as declared contracts (pyproject.toml [tool.importlinter])."""
    result = subprocess.run([_tool("lint-imports")], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]


def _circles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.find_modules_directly_imported_by(child)))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_import_circles():
    """No module imports, directly or through others, a module that imports it back
    (a package's __init__ re-exporting its own modules does not count)."""
    graph = grimp.build_graph("amts.engine", "amts.tui")
    for module in list(graph.modules):
        for imported in graph.find_modules_directly_imported_by(module):
            if imported.startswith(module + "."):
                graph.remove_import(importer=module, imported=imported)
    assert _circles(graph) == []


def test_ruff_passes():
    result = subprocess.run([_tool("ruff"), "check", "--no-cache", "engine", "amts_tui", "themes", "tests", "bench"],
                            cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-1000:]


def test_mypy_passes_on_the_engine(tmp_path):
    """mypy over amts.engine as the wheel lays it out (a link amts/engine → engine/), so that it
    checks the checkout's code whether amts is installed editable or not."""
    (tmp_path / "amts").mkdir()
    (tmp_path / "amts" / "engine").symlink_to(REPO / "engine", target_is_directory=True)
    result = subprocess.run(
        [_tool("mypy"), "--config-file", str(REPO / "pyproject.toml"), "--python-executable", sys.executable,
         "--cache-dir", str(REPO / ".mypy_cache")],
        cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-1000:]


def _calls(tree: ast.AST) -> list[ast.Call]:
    return [node for node in ast.walk(tree) if isinstance(node, ast.Call)]


@functools.cache
def _sources(*folders: str) -> dict[str, ast.AST]:
    return {path.relative_to(REPO).as_posix(): ast.parse(path.read_text(encoding="utf-8"))
            for folder in folders for path in sorted((REPO / folder).rglob("*.py"))}


def test_one_module_starts_batch_jobs():
    """The ACT workflow is the only caller of the client's start_job (which alone sends
    StartTextTranslationJob): the one place that stores the ClientToken before the call."""
    callers = {name for name, tree in _sources("engine", "amts_tui").items()
               for call in _calls(tree)
               if isinstance(call.func, ast.Attribute) and call.func.attr == "start_job"}
    assert callers == {"engine/act/batch_job.py"}
    senders = {name for name, tree in _sources("engine", "amts_tui").items()
               for node in ast.walk(tree)
               if isinstance(node, ast.Constant) and node.value == "start_text_translation_job"}
    assert senders == {"engine/client/service.py"}


def test_one_module_matches_the_protected_html_format():
    """Only amts.engine.markup.protected_html writes a regular expression over the format's
    attributes (data-b, data-p, translate="no")."""
    owners = set()
    for name, tree in _sources("engine", "amts_tui").items():
        for call in _calls(tree):
            if (isinstance(call.func, ast.Attribute) and isinstance(call.func.value, ast.Name)
                    and call.func.value.id == "re" and call.args
                    and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str)
                    and any(mark in call.args[0].value for mark in ("data-b", "data-p", "translate"))):
                owners.add(name)
    assert owners == {"engine/markup/protected_html.py"}
