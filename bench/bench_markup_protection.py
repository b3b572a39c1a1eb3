"""Measure: units of the d2l book whose markup would not come back exactly from a translator.

Two sets of units: every prose unit of the whole d2l-zh book as the experiment sends it
(`markdown_to_html` of each NAME_origin.md), and the units a sync of d2l-zh against d2l-en sends
(`render_fragment`). The "translator" rewrites every piece of text it is allowed to (upper-cases
what lies outside `translate="no"`), as a real one may rewrite any of it; a unit fails when some
markup of its source (an HTML entity such as `&lt;eos&gt;`, a protected span) is not byte-identical
in the Markdown read back. Also counted: units whose HTML carries a Markdown entity double-escaped
outside any protected span (`&amp;lt;`). Run by hand:
    .venv/bin/python bench/bench_markup_protection.py [BOOK UPSTREAM]
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared" / "d2l"

from amts.engine.markup.markdown import protected_spans  # noqa: E402
from amts.engine.markup.protect import html_to_markdown, markdown_to_html  # noqa: E402
from amts.engine.markup.protected_html import fragment_markdown, render_fragment  # noqa: E402

ENTITY = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")
PROTECTED = re.compile(r"<span\b[^>]*translate=\"no\"[^>]*>.*?</span>|<[^>]*>", re.DOTALL)
EXPOSED_ENTITY = re.compile(r"&amp;(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")


def rewrite_outside_protection(document: str) -> str:
    """Upper-case every run of text outside tags and protected spans (entities included)."""
    out, position = [], 0
    for match in PROTECTED.finditer(document):
        out += [document[position:match.start()].upper(), match.group()]
        position = match.end()
    out.append(document[position:].upper())
    return "".join(out)


def markup_of(text: str) -> list[str]:
    """The pieces of a Markdown text that a translation must keep byte for byte."""
    spans = [s.text for s in protected_spans(text)]
    entities = [m.group() for m in re.finditer(r"&lt;[^&<>\s]{1,40}&gt;|" + ENTITY.pattern, text)]
    return spans + entities


def exposed(html_text: str) -> bool:
    return bool(EXPOSED_ENTITY.search(re.sub(r"<span\b[^>]*translate=\"no\"[^>]*>.*?</span>", "", html_text)))


def kept(markup: list[str], restored: str) -> bool:
    return all(piece in restored for piece in markup)


def whole_book(book: Path) -> tuple[int, int, int]:
    units = broken = exposed_units = 0
    for path in sorted(book.glob("chapter_*/*_origin.md")):
        text = path.read_text(encoding="utf-8")
        document = markdown_to_html(text)
        for index, unit_html in document.inner_html().items():
            block = document.blocks[index]
            units += 1
            exposed_units += exposed(unit_html)
            if not markup_of(block.text):
                continue
            single = type(document)((block,), document.source_lang)
            restored = html_to_markdown(rewrite_outside_protection(single.html), single, target_lang="en").text
            broken += not kept(markup_of(block.text), restored)
    return units, broken, exposed_units


def sync_units(book: Path, upstream: Path) -> tuple[int, int, int]:
    from amts.engine.sync import plan_sync

    with tempfile.TemporaryDirectory(prefix="amts-bench-markup-") as work:
        plan = plan_sync(book, upstream, workdir=Path(work))
    todo = list(dict.fromkeys(u.source for s in plan.sections for u in s.units if u.needs_translation))
    broken = exposed_units = 0
    for text in todo:
        fragment = render_fragment(text)
        exposed_units += exposed(fragment.html)
        restored = fragment_markdown(rewrite_outside_protection(fragment.html), fragment.spans)
        broken += not kept(markup_of(text), restored)
    return len(todo), broken, exposed_units


def main() -> int:
    book = Path(sys.argv[1]) if len(sys.argv) > 1 else SHARED / "d2l-zh"
    upstream = Path(sys.argv[2]) if len(sys.argv) > 2 else SHARED / "d2l-en"
    if not (book.exists() and upstream.exists()):
        print(f"skipped: {book} or {upstream} is absent")
        return 0
    units, broken, exposed_units = whole_book(book)
    print(f"whole book ({book.name}): {units} prose units, {broken} whose markup a translator could "
          f"change, {exposed_units} with a Markdown entity double-escaped outside protection")
    units, broken, exposed_units = sync_units(book, upstream)
    print(f"sync {book.name} <- {upstream.name}: {units} units to translate, {broken} whose markup a "
          f"translator could change, {exposed_units} with a Markdown entity double-escaped outside protection")
    return 0


if __name__ == "__main__":
    sys.exit(main())
