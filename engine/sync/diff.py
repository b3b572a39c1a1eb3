"""The patch a sync would apply, as a unified diff per file: read it like a pull request.

For each section that `--write` would change: `NAME.md` (the translation, with machine
translation shown as the source text it replaces until a translator supplies it, followed by
its review marker) and `NAME_origin.md` (the new upstream source).
"""

from __future__ import annotations

import difflib

from amts.engine.sync.apply import DEFAULT_REVIEW_MARKER, render_section
from amts.engine.sync.units import SyncPlan


def sync_diff(plan: SyncPlan, machine: dict[str, str] | None = None,
              review_marker: str = DEFAULT_REVIEW_MARKER, context: int = 3) -> str:
    """Unified diffs (a/ = the book now, b/ = after --write), file by file, sections in order."""
    out: list[str] = []
    for section in plan.sections:
        if not section.has_work:
            continue
        after = render_section(section, machine, review_marker)
        files = [(section.path, section.target_text, after),
                 (section.origin_path, section.origin_text, section.upstream_text)]
        for path, old, new in files:
            if old == new:
                continue
            old_name = f"a/{path}" if old or section.status == "shared" else "/dev/null"
            out.extend(difflib.unified_diff(_lines(old), _lines(new), old_name, f"b/{path}", n=context))
    return "".join(out)


def _lines(text: str) -> list[str]:
    """Lines for difflib, each ending in a line break (the last one marked when it has none)."""
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith(("\n", "\r")):
        lines[-1] += "\n\\ No newline at end of file\n"
    return lines
