"""Markup reaches the translator whole and protected: TranslateText chunks never cut a protected
span, a tag or an entity, and the Markdown's HTML entities (`&lt;eos&gt;`) go out once-escaped
inside a protected span, on small inputs and on the real d2l book."""

from __future__ import annotations

import re

import pytest

from amts.engine.client.text_chunks import split_for_translation, utf8_size
from amts.engine.errors import AmtsError
from amts.engine.markup.markdown import parse_markdown
from amts.engine.markup.protect import html_to_markdown, markdown_to_html
from amts.engine.markup.protected_html import fragment_markdown, render_fragment

_OPEN = re.compile(r"<span\b[^>]*translate=\"no\"")
_EXPOSED_ENTITY = re.compile(r"&amp;(?:lt|gt|amp|#\d+);")
_PROTECTED = re.compile(r"<span\b[^>]*translate=\"no\"[^>]*>.*?</span>|<[^>]*>", re.DOTALL)


def _whole(piece: str) -> bool:
    """Every protected span of the piece closes in it, no tag or entity is cut at its edges."""
    if len(_OPEN.findall(piece)) != piece.count("</span>"):
        return False
    if piece.rfind("<") > piece.rfind(">") or piece.find(">") < piece.find("<") or \
            (piece.find(">") >= 0 > piece.find("<")):
        return False
    tail = piece[piece.rfind("&"):] if "&" in piece else ""
    return not tail or ";" in tail


def _rewrite_outside_protection(document: str) -> str:
    """A translator that rewrites every piece of text it may (upper-cases it)."""
    out, position = [], 0
    for match in _PROTECTED.finditer(document):
        out += [document[position:match.start()].upper(), match.group()]
        position = match.end()
    return "".join(out) + document[position:].upper()


def test_chunks_never_cut_inside_a_protected_span_or_entity():
    unit = ('Call <span translate="no" data-p="0">x = f(a, b) if a &lt; b else g(b, a)</span> '
            'then the &lt;eos&gt; token ends it. ')
    text = unit * 40
    for limit in (80, 90, 150, 400):  # the span is 75 bytes
        pieces = split_for_translation(text, max_bytes=limit)
        assert "".join(pieces) == text
        assert all(_whole(p) for p in pieces), limit
        assert all(utf8_size(p) <= limit for p in pieces)


def test_a_span_longer_than_the_limit_is_refused_not_cut():
    text = 'a <span translate="no" data-p="0">' + "x " * 60 + "</span> b"
    with pytest.raises(AmtsError, match="protected span or tag"):
        split_for_translation(text, max_bytes=64)


def test_entities_go_out_once_escaped_and_protected():
    fragment = render_fragment('the special "&lt;eos&gt;" token of AT&T and `a < b`')
    assert '<span translate="no" data-p="0">&lt;eos&gt;</span>' in fragment.html
    assert "&amp;lt;" not in fragment.html
    assert "AT&amp;T" in fragment.html  # a bare ampersand is text: escaped once, as HTML needs
    assert fragment.spans == ("&lt;eos&gt;", "`a < b`")
    back = fragment_markdown(_rewrite_outside_protection(fragment.html), fragment.spans)
    assert '"&lt;eos&gt;"' in back and "`a < b`" in back


def test_a_section_keeps_its_entity_tokens_through_a_rewriting_translator():
    text = 'The decoder stops at "&lt;eos&gt;" and starts at "&lt;bos&gt;".\n'
    document = markdown_to_html(text)
    assert "&amp;" not in document.html
    restored = html_to_markdown(_rewrite_outside_protection(document.html), document, target_lang="en")
    assert '"&lt;eos&gt;"' in restored.text and '"&lt;bos&gt;"' in restored.text


def _prose_texts(path) -> list[str]:
    return [" ".join(b.prose_lines()) for b in parse_markdown(path.read_text(encoding="utf-8")).blocks
            if b.is_prose]


def test_d2l_units_with_entities_go_out_protected(d2l_zh):
    checked = 0
    for path in sorted(d2l_zh.glob("chapter_*/*_origin.md")):
        for text in _prose_texts(path):
            if "&lt;" not in text:
                continue
            checked += 1
            fragment = render_fragment(text)
            assert not _EXPOSED_ENTITY.search(fragment.html), (path, text)
            back = fragment_markdown(_rewrite_outside_protection(fragment.html), fragment.spans)
            for token in re.findall(r"&lt;\w+&gt;", text):
                assert token in back, (path, token)
    assert checked >= 15  # d2l's sequence chapters write <eos>, <bos>, <cls>, <pad> with entities


def test_d2l_sections_as_html_chunk_without_cutting_markup(d2l_zh):
    split_any = False
    for path in sorted(d2l_zh.glob("chapter_*/*_origin.md")):
        html = markdown_to_html(path.read_text(encoding="utf-8")).html
        pieces = split_for_translation(html, max_bytes=2_000)
        assert "".join(pieces) == html, path
        assert all(_whole(p) for p in pieces), path
        split_any = split_any or len(pieces) > 1
    assert split_any


def test_the_local_memory_finds_an_entity_span_as_its_entries_spell_it():
    from amts.engine.local_service.translator import translate_html
    from amts.engine.paralleldata.memory import TranslationMemory

    source = 'The decoder stops at "&lt;eos&gt;" in the output sequence of the model.'
    document = markdown_to_html(source + "\n")
    memory = TranslationMemory([(source, "解码器在输出序列中遇到“&lt;eos&gt;”时停止。")])  # Markdown, as exported
    result = translate_html(document.html, memory, "zh")
    assert '遇到“<span translate="no" data-p="0">&lt;eos&gt;</span>”时停止' in result.text
    assert result.untranslated_segments == 0
