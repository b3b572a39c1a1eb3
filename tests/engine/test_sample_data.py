"""The demo book in sample_data/: complete, well-formed and parallel, so the demo and tests can rely on it.

The checks here parse the d2lbook Markdown only coarsely (blank-line blocks outside code fences);
the engine's own Markdown model is tested elsewhere.
"""

from __future__ import annotations

import configparser
import re
from collections import Counter
from pathlib import Path

import pytest

TRANSLATIONS = ("zh", "es")
FENCE = re.compile(r"^(`{3,}|~{3,})")
IMAGE = re.compile(r"^!\[[^\]]*\]\(([^)\s]+)\)")
ROLE = re.compile(r":(?:numref|cite|eqref|label|eqlabel|width|begin_tab):`[^`]+`")
INLINE_CODE = re.compile(r"(?<!`)`[^`\n]+`(?!`)")
INLINE_MATH = re.compile(r"(?<!\$)\$[^$\n]+\$(?!\$)")


def _sections(book: Path, suffix: str) -> dict[str, Path]:
    """Map 'chapter_x/NAME' to its file, for files named NAME + suffix under chapter_*/."""
    found = {}
    for path in sorted(book.glob(f"chapter_*/*{suffix}")):
        stem = path.name[: -len(suffix)]
        if suffix == ".md" and stem.endswith("_origin"):
            continue
        found[f"{path.parent.name}/{stem}"] = path
    return found


def _blocks(text: str) -> list[str]:
    """Split Markdown into blank-line separated blocks, keeping each fenced code cell whole."""
    blocks: list[str] = []
    current: list[str] = []
    fence = None
    for line in text.splitlines():
        if fence is not None:
            current.append(line)
            if line.startswith(fence):
                fence = None
            continue
        opening = FENCE.match(line)
        if opening:
            fence = opening.group(1)
            current.append(line)
        elif line.strip():
            current.append(line)
        elif current:
            blocks.append("\n".join(current))
            current = []
    if fence is not None:
        raise AssertionError(f"unclosed code fence: {current[0]!r}")
    if current:
        blocks.append("\n".join(current))
    return blocks


def _kind(block: str) -> str:
    """The structural kind of a block; prose blocks are 'paragraph' whatever their language."""
    first = block.splitlines()[0]
    if FENCE.match(first):
        return "toc" if "toc" in first else "code"
    if first.startswith("$$"):
        return "math"
    if IMAGE.match(first):
        return "image"
    if first.startswith("|"):
        return "table"
    if first.startswith(":begin_tab:"):
        return first  # the tab name must match too
    if re.match(r"^#{1,6} ", first) or re.match(r"^=+$", block.splitlines()[-1]):
        return "heading"
    if re.match(r"^(\*|-|\d+\.) ", first):
        items = sum(1 for line in block.splitlines() if re.match(r"^(\*|-|\d+\.) ", line))
        return f"list of {items}"
    return "paragraph"


def _protected(block: str) -> str:
    """The part of a block a translator must leave byte-identical."""
    kind = _kind(block)
    if kind in ("code", "math", "toc"):
        return block
    if kind == "table":
        # A table's cells are prose; only its shape and the directive lines after it are fixed.
        rows = block.splitlines()
        shape = [str(row.count("|")) for row in rows if row.startswith("|")]
        return "\n".join(shape + [row for row in rows if not row.startswith("|")])
    if kind == "image":
        lines = block.splitlines()
        return "\n".join([IMAGE.match(lines[0]).group(1)] + lines[1:])
    return repr(sorted(ROLE.findall(block) + INLINE_CODE.findall(block) + INLINE_MATH.findall(block)))


@pytest.fixture(scope="module", params=TRANSLATIONS)
def translated_book(request, sample_book: Path) -> Path:
    return sample_book / request.param


def _pairs(book: Path) -> list[tuple[str, Path, Path]]:
    origins = _sections(book, "_origin.md")
    return [(name, path, book / f"{name}.md") for name, path in origins.items()]


def test_every_origin_has_its_translation_and_vice_versa(translated_book: Path) -> None:
    origins = set(_sections(translated_book, "_origin.md"))
    translations = set(_sections(translated_book, ".md"))
    assert len(origins) >= 6
    assert origins == translations
    assert {name.split("/")[0] for name in origins} == {"chapter_basics", "chapter_data", "chapter_evaluation"}


def test_both_translations_share_one_english_source(sample_book: Path) -> None:
    zh = _sections(sample_book / "zh", "_origin.md")
    es = _sections(sample_book / "es", "_origin.md")
    assert zh.keys() == es.keys()
    for name in zh:
        assert zh[name].read_bytes() == es[name].read_bytes(), name


def test_files_are_nonempty_utf8_with_unix_newlines(sample_book: Path) -> None:
    texts = [p for p in sample_book.rglob("*") if p.suffix in (".md", ".ini", ".svg")]
    assert len(texts) > 30
    for path in texts:
        data = path.read_bytes()
        assert data.strip(), path
        data.decode("utf-8")
        assert b"\r" not in data, path
        assert data.endswith(b"\n"), path


def test_config_declares_languages(sample_book: Path) -> None:
    for lang in TRANSLATIONS:
        config = configparser.ConfigParser()
        config.read(sample_book / lang / "config.ini", encoding="utf-8")
        assert config["project"]["lang"] == lang
        assert config["project"]["title"]
        assert config["translation"]["origin_lang"] == "en"
    upstream = configparser.ConfigParser()
    upstream.read(sample_book / "en-upstream" / "config.ini", encoding="utf-8")
    assert upstream["project"]["lang"] == "en"


def test_translation_keeps_the_block_structure(translated_book: Path) -> None:
    for name, origin, translation in _pairs(translated_book):
        source_blocks = _blocks(origin.read_text("utf-8"))
        target_blocks = _blocks(translation.read_text("utf-8"))
        assert [_kind(b) for b in source_blocks] == [_kind(b) for b in target_blocks], name


def test_translation_has_equal_counts_of_cells_math_images_headings(translated_book: Path) -> None:
    for name, origin, translation in _pairs(translated_book):
        counts = [Counter(_kind(b) for b in _blocks(p.read_text("utf-8"))) for p in (origin, translation)]
        for kind in ("code", "math", "image", "heading"):
            assert counts[0][kind] == counts[1][kind], (name, kind)


def test_code_math_roles_and_image_paths_are_unchanged(translated_book: Path) -> None:
    for name, origin, translation in _pairs(translated_book):
        source_blocks = _blocks(origin.read_text("utf-8"))
        target_blocks = _blocks(translation.read_text("utf-8"))
        for source, target in zip(source_blocks, target_blocks, strict=True):
            assert _protected(source) == _protected(target), (name, source[:60])


def test_book_uses_the_dialect_the_engine_must_handle(sample_book: Path) -> None:
    english = "\n".join(p.read_text("utf-8") for p in sorted((sample_book / "zh").glob("chapter_*/*_origin.md")))
    for marker in ("```{.python .input}", "#@tab pytorch", "#@tab all", ":eqlabel:`", ":eqref:`", ":numref:`",
                   ":cite:`", ":width:`400px`", ":begin_tab:`pytorch`", ":end_tab:", "[**", "|:--", "](https://"):
        assert marker in english, marker
    assert re.search(r"^:label:`sec_\w+`$", english, re.M)
    assert re.search(r"^:label:`fig_\w+`$", english, re.M)


def test_zh_has_a_paragraph_over_the_1000_byte_segment_limit(sample_book: Path) -> None:
    translation = (sample_book / "zh" / "chapter_evaluation" / "bleu.md").read_text("utf-8")
    longest = max(_blocks(translation), key=lambda b: len(b.encode("utf-8")))
    assert len(longest.encode("utf-8")) > 1000
    assert len(re.findall(r"[\u4e00-\u9fff]", longest)) > 400


def test_referenced_figures_exist(sample_book: Path) -> None:
    for book in ("zh", "es", "en-upstream"):
        for path in (sample_book / book).glob("chapter_*/*.md"):
            for target in re.findall(r"^!\[[^\]]*\]\(([^)]+)\)", path.read_text("utf-8"), re.M):
                assert (path.parent / target).is_file(), (path, target)


def test_terminology_terms_are_used_in_the_book(sample_book: Path) -> None:
    for lang in TRANSLATIONS:
        book = sample_book / lang
        lines = [line for line in (book / "TERMINOLOGY.md").read_text("utf-8").splitlines() if line.strip()]
        assert lines[0].startswith("## ")
        terms = [tuple(line.split("，")) for line in lines[1:]]
        assert len(terms) >= 15
        english = " ".join(p.read_text("utf-8") for p in book.glob("chapter_*/*_origin.md")).lower()
        target = " ".join(p.read_text("utf-8") for p in _sections(book, ".md").values()).lower()
        for term in terms:
            assert len(term) == 2, term
            assert term[0].lower() in target, (lang, term)
            assert term[1].lower() in english, (lang, term)


def test_upstream_has_the_same_sections_and_two_changed(sample_book: Path) -> None:
    upstream = _sections(sample_book / "en-upstream", ".md")
    origins = _sections(sample_book / "zh", "_origin.md")
    assert set(upstream) == set(origins)
    changed = sorted(name for name in upstream if upstream[name].read_bytes() != origins[name].read_bytes())
    assert changed == ["chapter_basics/linear-models", "chapter_evaluation/bleu"]


def test_upstream_changes_cover_each_kind_of_edit(sample_book: Path) -> None:
    kinds_old, kinds_new = [], []
    for name in ("chapter_basics/linear-models", "chapter_evaluation/bleu"):
        old = _blocks((sample_book / "zh" / f"{name}_origin.md").read_text("utf-8"))
        new = _blocks((sample_book / "en-upstream" / f"{name}.md").read_text("utf-8"))
        kinds_old += [(_kind(b), b) for b in old]
        kinds_new += [(_kind(b), b) for b in new]
    removed = [kind for kind, block in kinds_old if (kind, block) not in kinds_new]
    added = [kind for kind, block in kinds_new if (kind, block) not in kinds_old]
    assert removed.count("code") == 1 and added.count("code") == 1
    assert removed.count("image") == 1 and added.count("image") == 1
    paragraphs_old = sum(1 for k, _ in kinds_old if k == "paragraph")
    paragraphs_new = sum(1 for k, _ in kinds_new if k == "paragraph")
    # one paragraph deleted, one added, others edited in place: the count is unchanged
    assert paragraphs_old == paragraphs_new
    assert added.count("paragraph") >= 3


def test_no_line_is_copied_from_d2l(sample_book: Path, d2l_zh: Path) -> None:
    """The book is ours: no line of 30+ characters (prose or code) also occurs in d2l-zh."""
    d2l_lines = set()
    for path in d2l_zh.glob("chapter_*/*.md"):
        lines = path.read_text("utf-8", errors="replace").splitlines()
        d2l_lines.update(line.strip() for line in lines if len(line.strip()) >= 30)
    ours = {line.strip() for path in sample_book.rglob("*.md") for line in path.read_text("utf-8").splitlines()}
    assert sorted(line for line in ours if len(line) >= 30 and line in d2l_lines) == []
