"""The protected-HTML unit format, from its one owner: what it writes it reads back, on real books."""

from __future__ import annotations

import pytest

from amts.engine.markup.protect import markdown_to_html
from amts.engine.markup.protected_html import (
    fragment_markdown,
    fragment_text,
    read_translation,
    read_units,
    render_fragment,
    splice_units,
)


def _sections(book, limit=None):
    paths = sorted(p for p in book.rglob("*.md") if not p.name.endswith("_origin.md"))
    return paths[:limit] if limit else paths


def test_rendered_units_read_back_and_splice_in_place_on_every_d2l_en_section(d2l_en):
    units = 0
    for path in _sections(d2l_en):
        doc = markdown_to_html(path.read_text(encoding="utf-8"), title=path.name)
        inner = doc.inner_html()
        assert read_units(doc.html) == inner, path
        assert splice_units(doc.html, inner) == doc.html, path  # the identity splice changes nothing
        # The structured reader sees the same units, in block order.
        assert [u.block_index for u in read_translation(doc.html).units] == list(inner), path
        units += len(inner)
    assert units > 3000  # the book has thousands of prose units: the loop saw them


def test_splice_replaces_only_the_named_units():
    doc = markdown_to_html("# Title\n\nFirst `code` here.\n\n* one\n* two\n")
    inner = doc.inner_html()
    first, *_, last = inner
    spliced = splice_units(doc.html, {first: "Titre", last: "deux"})
    assert read_units(spliced) == {**inner, first: "Titre", last: "deux"}
    assert spliced.count("<ul>") == 1 and "<title>" not in spliced


def test_a_fragment_comes_back_as_its_markdown_with_spans_from_the_source(d2l_en):
    texts = [u for path in _sections(d2l_en, 40)
             for _, u in markdown_to_html(path.read_text(encoding="utf-8")).units]
    with_spans = 0
    for text in texts:
        fragment = render_fragment(text)
        assert fragment_markdown(fragment.html, fragment.spans) == text
        with_spans += bool(fragment.spans)
    assert with_spans > 100
    # A translator that mangles a span's text, reorders attributes and drops another span:
    fragment = render_fragment("Use `np.sum` with $x_i$ and :numref:`sec_a`.")
    assert fragment.spans == ("`np.sum`", "$x_i$", ":numref:`sec_a`")
    mangled = ("Utilisez <span data-p='0' translate=\"no\">NP.SUM</span> avec "
               '<span translate="no" data-p="2">x</span>.')
    assert fragment_markdown(mangled, fragment.spans) == "Utilisez `np.sum` avec :numref:`sec_a`. $x_i$"


@pytest.mark.parametrize("document, expected", [
    ('<p data-b="0">a</p><p class="t" data-b=\'1\'>b &amp; c</p>', {0: "a", 1: "b &amp; c"}),
    ('<LI DATA-B="4">x</LI><h2 data-b="5">y</h2>', {4: "x", 5: "y"}),
    ('<p>no index</p><p data-b="x">bad</p>', {}),
])
def test_units_are_read_whatever_the_attribute_order_quoting_and_case(document, expected):
    assert read_units(document) == expected


def test_fragment_text_drops_tags_and_unescapes():
    assert fragment_text('a <span translate="no" data-p="0">`x &lt; y`</span> &amp; b') == "a `x < y` & b"
