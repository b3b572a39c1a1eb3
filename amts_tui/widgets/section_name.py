"""A section's path as lists and tables show it: the file name first, then its folder, dim.

A narrow column cuts the end of what it shows; d2l paths share long folder prefixes
(`chapter_appendix-tools-for-deep-learning/…`), so folder first would show the same text on
every row. Paths are shown as written (Content and Text, never markup: a folder may be
called `[draft]`).
"""

from __future__ import annotations

from rich.text import Text
from textual.content import Content

from amts.tui.widgets.table import one_line


def section_label(path: str, count: int | None = None) -> Content:
    """For an option list: `name.md (count) folder`, the folder dim."""
    folder, _, name = path.rpartition("/")
    label = Content(f"{name} ({count})" if count is not None else name)
    return Content.assemble(label, (f" {folder}", "dim")) if folder else label


def section_cell(path: str) -> Text:
    """For a table cell: `name.md folder`, the folder dim, cut with "…" at the column's width."""
    folder, _, name = path.rpartition("/")
    text = one_line(name)
    if folder:
        text.append(f" {folder}", style="dim")
    return text
