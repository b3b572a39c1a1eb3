"""The Markdown model: lossless blocks, the right kinds, and the inline spans to protect."""

from __future__ import annotations

from amts.engine.markup.markdown import BlockKind, join_lines, parse_markdown, protected_spans

SAMPLE = """# Linear Models
:label:`sec_linear`

A model predicts $y$ from `x`
with weights, see :numref:`sec_data`.

```{.python .input}
#@tab pytorch
import torch
```

$$y = w x + b.$$
:eqlabel:`eq_linear`

![A line](../img/line.svg)
:width:`300px`

* First item
  continues here.
1. Numbered item.

| a | b |
|---|---|

[Discussions](https://example.org/t/1)
"""


def test_blocks_are_lossless_and_typed():
    doc = parse_markdown(SAMPLE)
    assert doc.render() == SAMPLE
    kinds = [b.kind for b in doc.blocks if b.kind != BlockKind.BLANK]
    assert kinds == [
        BlockKind.HEADING, BlockKind.DIRECTIVE, BlockKind.PARAGRAPH, BlockKind.CODE,
        BlockKind.MATH, BlockKind.DIRECTIVE, BlockKind.IMAGE, BlockKind.DIRECTIVE,
        BlockKind.LIST_ITEM, BlockKind.LIST_ITEM, BlockKind.TABLE, BlockKind.LINK,
    ]
    para = doc.prose_blocks[1]
    assert para.start_line == 4 and para.end_line == 5
    assert para.prose("en") == "A model predicts $y$ from `x` with weights, see :numref:`sec_data`."
    item = doc.prose_blocks[2]
    assert item.prefix == "* " and item.prose("en") == "First item continues here."


def test_unclosed_fence_is_a_warning_with_its_line():
    text = "Intro.\n\n```python\nx = 1\n"
    doc = parse_markdown(text)
    assert doc.render() == text
    assert [(w.line, "never closed" in w.message) for w in doc.warnings] == [(3, True)]
    assert doc.blocks[-1].kind == BlockKind.CODE


def test_protected_spans_cover_code_math_roles_targets_and_slide_markers():
    text = "See :cite:`Key.2020` and `a.b()` with $x_{i}.$ [**the gist**], [site](https://x.org/a.b)."
    spans = [(s.kind, s.text) for s in protected_spans(text)]
    assert spans == [
        ("role", ":cite:`Key.2020`"), ("code", "`a.b()`"), ("math", "$x_{i}.$"),
        ("slide", "[**"), ("slide", "**]"), ("target", "](https://x.org/a.b)"),
    ]


def test_escaped_dollar_is_not_math():
    assert protected_spans(r"costs \$5 and \$6") == []


def test_join_lines_for_cjk_and_latin():
    assert join_lines(["深度学习", "很有用。"], "zh") == "深度学习很有用。"
    assert join_lines(["uses", "PyTorch"], "zh") == "uses PyTorch"
    assert join_lines(["Deep learning", "is useful."], "en") == "Deep learning is useful."


def test_every_d2l_file_parses_losslessly(d2l_zh, d2l_en):
    files = sorted(d2l_zh.rglob("*.md")) + sorted(d2l_en.rglob("*.md"))
    assert len(files) > 250
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert parse_markdown(text).render() == text, path


def test_front_matter_is_a_block_of_its_own_not_prose(d2l_zh):
    text = (d2l_zh / "chapter_preface" / "index_origin.md").read_text(encoding="utf-8")
    doc = parse_markdown(text)
    assert doc.render() == text
    first = doc.blocks[0]
    assert first.kind == BlockKind.FRONT_MATTER and not first.is_prose
    assert first.raw.startswith("---\nsource: https://github.com/d2l-ai/d2l-en/") and first.end_line == 4
    assert doc.prose_blocks[0].kind == BlockKind.HEADING and doc.prose_blocks[0].prose() == "Preface"
    # A thematic break further down, or `---` not followed by fields, stays what it was.
    assert parse_markdown("---\nJust text.\n---\n").blocks[0].kind != BlockKind.FRONT_MATTER
    assert parse_markdown("Intro.\n\n---\nsource: x\n---\n").blocks[0].kind == BlockKind.PARAGRAPH


def test_a_heading_may_start_with_up_to_three_spaces(d2l_zh):
    text = (d2l_zh / "chapter_preliminaries" / "calculus.md").read_text(encoding="utf-8")
    assert text.startswith("# 微积分\n")
    doc = parse_markdown(" " + text)
    heading = doc.blocks[0]
    assert heading.kind == BlockKind.HEADING and heading.prefix == " # " and heading.prose("zh") == "微积分"
    assert parse_markdown("    # not a heading\n").blocks[0].kind != BlockKind.HEADING
