"""Markup protection: Markdown → HTML → Markdown, byte for byte for an identity translation, and
with protected spans and blocks intact and the block structure kept for a real one."""

from __future__ import annotations

import html
import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest

from amts.engine.errors import AmtsError
from amts.engine.markup.markdown import BlockKind, parse_markdown
from amts.engine.markup.protect import ProtectedDocument, html_to_markdown, markdown_to_html
from amts.engine.markup.protected_html import unit_lookup_key


class _FakeTranslator(HTMLParser):
    """Rewrites text outside translate="no" elements, keeps every tag as written."""

    def __init__(self, transform) -> None:
        super().__init__(convert_charrefs=True)
        self.transform = transform
        self.out: list[str] = []
        self.protected_depth = 0

    def handle_starttag(self, tag, attrs):
        self.out.append(self.get_starttag_text())
        if self.protected_depth or dict(attrs).get("translate") == "no":
            self.protected_depth += 1

    def handle_endtag(self, tag):
        self.out.append(f"</{tag}>")
        if self.protected_depth:
            self.protected_depth -= 1

    def handle_decl(self, decl):
        self.out.append(f"<!{decl}>")

    def handle_data(self, data):
        if not self.protected_depth:
            data = self.transform(data)
        self.out.append(html.escape(data, quote=False))


def fake_translate(document: str, transform=str.upper) -> str:
    translator = _FakeTranslator(transform)
    translator.feed(document)
    translator.close()
    return "".join(translator.out)


def _sections(*roots: Path) -> list[Path]:
    return sorted(p for root in roots for p in root.rglob("*.md"))


def _read(path: Path) -> str:
    return path.read_bytes().decode("utf-8")  # keeps \r\n where a file has them


def _target_lang(path: Path) -> str:
    return "zh" if "d2l-zh" in path.parts and not path.stem.endswith("_origin") else "en"


def _kinds(text: str) -> list[BlockKind]:
    return [b.kind for b in parse_markdown(text).blocks if b.kind != BlockKind.BLANK]


# --- 1. the whole book, identity translation ---------------------------------------------------


def test_identity_round_trip_restores_every_d2l_section_byte_for_byte(d2l_zh, d2l_en):
    sections = _sections(d2l_zh, d2l_en)
    assert len(sections) > 300
    failures, warned = [], []
    for path in sections:
        text = _read(path)
        protected = markdown_to_html(text, title=path.name)
        skeleton = ProtectedDocument.from_json(protected.to_json())  # stored on disk during the job
        assert skeleton == protected
        restored = html_to_markdown(protected.html, skeleton, target_lang=_target_lang(path))
        if restored.text != text:
            failures.append(path)
        if restored.warnings:
            warned.append((path, restored.warnings[0]))
    assert failures == [] and warned == []


# --- 2. the whole book, a fake translation -----------------------------------------------------


def test_fake_translation_keeps_protected_spans_blocks_and_structure(d2l_zh, d2l_en):
    changed = 0
    for path in _sections(d2l_zh, d2l_en):
        text = _read(path)
        protected = markdown_to_html(text)
        translated = fake_translate(protected.html, lambda s: s.upper().replace("的", "之"))
        restored = html_to_markdown(translated, protected, target_lang=_target_lang(path))
        assert restored.warnings == (), path
        changed += restored.text != text

        before = [b for b in parse_markdown(text).blocks if b.kind != BlockKind.BLANK]
        after = [b for b in parse_markdown(restored.text).blocks if b.kind != BlockKind.BLANK]
        assert [b.kind for b in after] == [b.kind for b in before], path
        units = {b.start_line: b for b in protected.blocks if b.is_unit}
        for old, new in zip(before, after):
            unit = units.get(old.start_line)
            if unit is None:
                assert new.raw == old.raw, (path, old.start_line)  # a protected block, byte-identical
                continue
            wanted = Counter(unit.text[s.start:s.end] for s in unit.spans)
            for span_text, count in wanted.items():
                assert new.raw.count(span_text) >= count, (path, old.start_line, span_text)
            assert new.raw.rstrip().endswith(unit.suffix.rstrip()), (path, old.start_line)
    assert changed > 300  # the translation really went through the restore path


def test_translated_prose_gets_one_sentence_a_line_in_its_language():
    text = "* First point here. Second point\n  spans lines! Third?\n\nPlain para.\n"
    protected = markdown_to_html(text)
    restored = html_to_markdown(fake_translate(protected.html), protected, target_lang="en")
    assert restored.text == "* FIRST POINT HERE.\n  SECOND POINT SPANS LINES!\n  THIRD?\n\nPLAIN PARA.\n"

    to_chinese = {"First point here. Second point spans lines! Third?": "第一点。第二点跨行！第三？"}
    restored = html_to_markdown(fake_translate(protected.html, lambda s: to_chinese.get(s, s)), protected,
                                target_lang="zh")
    assert restored.text == "* 第一点。\n  第二点跨行！\n  第三？\n\nPlain para.\n"


def test_sentences_never_split_inside_protected_spans_or_after_abbreviations():
    text = "Use $a. b$ here, e.g. with `x. y`. Then stop.\n"
    protected = markdown_to_html(text)
    restored = html_to_markdown(fake_translate(protected.html), protected, target_lang="en")
    assert restored.text == "USE $a. b$ HERE, E.G. WITH `x. y`.\nTHEN STOP.\n"


def test_slide_markers_come_back_around_the_translated_text():
    text = "We [**wrap the key idea**] and (**this too**) in markers.\n"
    protected = markdown_to_html(text)
    assert protected.html.count('translate="no"') == 4
    restored = html_to_markdown(fake_translate(protected.html), protected, target_lang="en")
    assert restored.text == "WE [**WRAP THE KEY IDEA**] AND (**THIS TOO**) IN MARKERS.\n"


def test_image_captions_are_translated_and_their_targets_kept():
    text = "![A caption over\ntwo lines with $x$.](../img/a.svg)\n:label:`fig_a`\n"
    protected = markdown_to_html(text)
    assert "../img/a.svg" not in protected.html and "fig_a" not in protected.html
    restored = html_to_markdown(fake_translate(protected.html), protected, target_lang="en")
    assert restored.text == "![A CAPTION OVER TWO LINES WITH $x$.](../img/a.svg)\n:label:`fig_a`\n"


def test_protected_blocks_stay_out_of_the_billed_html_and_units_keep_their_index():
    text = "# Title\n\n```python\nsecret_code = 1\n```\n\n$$E = mc^2$$\n\nA paragraph.\n"
    protected = markdown_to_html(text)
    assert "secret_code" not in protected.html and "mc^2" not in protected.html
    assert re.findall(r'<(\w+) data-b="(\d+)">', protected.html) == [("h1", "0"), ("p", "6")]
    assert protected.units == [(0, "Title"), (6, "A paragraph.")]


def test_lookup_key_of_each_unit_is_its_markdown_text(d2l_en):
    text = _read(d2l_en / "chapter_preliminaries" / "ndarray.md")
    protected = markdown_to_html(text)
    inner = dict(re.findall(r'<(?:h\d|p|li) data-b="(\d+)">(.*?)</(?:h\d|p|li)>\n', protected.html))
    assert len(inner) == len(protected.units) > 20
    for index, source in protected.units:
        assert unit_lookup_key(inner[str(index)]) == source


# --- 3. a mangled translation: warnings, never an exception --------------------------------------

SAMPLE = (
    "# Models\n\n"
    "See :numref:`sec_a` for `f(x)` and $y$ here.\n\n"
    "* Item with [a link](https://example.org/x) inside.\n\n"
    "Last paragraph with `code` only once.\n"
)


def test_mangled_translation_is_restored_with_warnings():
    protected = markdown_to_html(SAMPLE)
    translated = fake_translate(protected.html)
    spans = protected.span_texts()
    # Attribute order and quoting changed, whitespace and newlines around tags, an entity form changed.
    mangled = translated.replace('<span translate="no" data-p="0">', '\n <SPAN data-p=0   TRANSLATE="no" >')
    mangled = mangled.replace("</span>", " </span>\n", 1).replace("&lt;", "&#60;")
    mangled = re.sub(r'<span translate="no" data-p="2">.*?</span>', "", mangled)  # $y$ deleted
    mangled = mangled.replace('<span translate="no" data-p="3">', '<span translate="no" data-p="3">'
                              '](https://example.org/x)</span> <span translate="no" data-p="3">')  # duplicated
    restored = html_to_markdown(mangled, protected, target_lang="en")
    messages = " | ".join(w.message for w in restored.warnings)
    assert "2 lost" in messages and "repeated" in messages
    blocks = [b.raw for b in parse_markdown(restored.text).blocks if b.kind != BlockKind.BLANK]
    assert blocks[1].startswith("SEE :numref:`sec_a`") and "$y$" in blocks[1]  # put back by position
    assert spans[3] == "](https://example.org/x)" and blocks[2].count(spans[3]) == 1
    assert _kinds(restored.text) == _kinds(SAMPLE)
    warned_lines = {w.line for w in restored.warnings}
    assert {3, 5} <= warned_lines


def test_missing_duplicate_and_unknown_blocks_fall_back_to_the_source():
    protected = markdown_to_html(SAMPLE)
    translated = fake_translate(protected.html)
    last = re.search(r'<p data-b="6">.*?</p>', translated).group()
    mangled = translated.replace(last, "") + '<p data-b="2">AGAIN</p><p data-b="99">NOWHERE</p><p data-b=x>?</p>'
    restored = html_to_markdown(mangled, protected, target_lang="en")
    assert restored.text.endswith("Last paragraph with `code` only once.\n")
    assert "AGAIN" not in restored.text and "NOWHERE" not in restored.text
    messages = " | ".join(w.message for w in restored.warnings)
    assert "missing" in messages and "twice" in messages and "unknown block 99" in messages
    assert "unreadable block index" in messages


@pytest.mark.parametrize("cut", range(0, 900, 37))
def test_truncated_or_garbled_html_never_raises(cut):
    protected = markdown_to_html(SAMPLE)
    translated = fake_translate(protected.html)
    for broken in (translated[:cut], translated[cut:], translated[:cut] + "<span data-p='1' <<>&#;</p>"):
        restored = html_to_markdown(broken, protected, target_lang="en")
        for span in protected.span_texts().values():
            assert span in restored.text


def test_damaged_skeleton_is_a_user_error():
    with pytest.raises(AmtsError):
        ProtectedDocument.from_json('{"format": "something else"}')
    with pytest.raises(AmtsError):
        ProtectedDocument.from_json("not json")


# --- 4. HTML-special characters ------------------------------------------------------------------


def test_html_special_characters_survive_in_prose_and_code():
    text = (
        "If a < b & c > d, then `x<y> && z` holds; see <b>bold</b> and `a` > b.\n\n"
        "```python\nprint('<html>&amp;</html>' if a < b else b > c)\n```\n"
    )
    protected = markdown_to_html(text)
    page = protected.html
    assert "If a &lt; b &amp; c &gt; d, then " in page
    assert not re.search(r"</span>\s*>", page) and not re.search(r"<\s*<span", page)  # Amazon's stray < > bug
    assert html_to_markdown(page, protected, target_lang="en").text == text
    restored = html_to_markdown(fake_translate(page), protected, target_lang="en")
    assert restored.text == (
        "IF A < B & C > D, THEN `x<y> && z` HOLDS; SEE <b>BOLD</b> AND `a` > B.\n\n"
        "```python\nprint('<html>&amp;</html>' if a < b else b > c)\n```\n"
    )
