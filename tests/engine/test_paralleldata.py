"""Parallel data: round trips in every format, Amazon's limits counted, errors naming file and line."""

from __future__ import annotations

import json
import re

import pytest

from amts.engine.align.pairs import AlignedPair
from amts.engine.errors import AmtsError
from amts.engine.paralleldata.write import (
    FORMATS,
    LEADING_GUARD,
    flatten_segment,
    read_parallel_data,
    validate_for_amazon,
    write_parallel_data,
)

TRICKY = [
    AlignedPair('He said "hi", then left.', "他说“嗨”，然后离开了。", 0.9, path="a.md"),
    AlignedPair("a,b,c and 1\t2", "甲,乙,丙 与 1\t2", path="a.md"),
    AlignedPair("Semantic line\nbreaks join", "语义换行\n会被连接", path="a.md"),
    AlignedPair("<tag> & 'apos' > less", "<标签> & ‘撇号’ > 少", path="a.md"),
    AlignedPair("-1 is negative", "-1 是负数", path="b.md"),
    AlignedPair("@d2l.add_to_class(Model)", "@d2l.add_to_class(Model)", path="b.md"),
    AlignedPair("  =x is an equation", "+1 加一", path="b.md"),
    AlignedPair("Use `GPU`\nmemory $x_1$ :numref:`sec`", "使用`GPU`\n内存 $x_1$ :numref:`sec`"),
]


def expected_in(fmt: str, text: str) -> str:
    """What a segment reads back as: exact in JSONL, one line in Amazon's formats."""
    if fmt == "jsonl":
        return text
    text = flatten_segment(text)
    return text.replace("\t", " ") if fmt == "tsv" else text


@pytest.mark.parametrize("fmt", FORMATS)
def test_round_trip_keeps_every_tricky_pair(tmp_path, fmt):
    path = tmp_path / f"pairs.{fmt}"
    report = write_parallel_data(TRICKY, path, fmt, "en", "zh")
    assert report.written == len(TRICKY) and report.dropped == 0
    data = read_parallel_data(path)
    assert (data.source_lang, data.target_langs) == ("en", ("zh",))
    assert [(p.source, p.target) for p in data.pairs] == [
        (expected_in(fmt, p.source), expected_in(fmt, p.target)) for p in TRICKY
    ]
    if fmt == "jsonl":
        assert [p.confidence for p in data.pairs] == [p.confidence for p in TRICKY]
        assert data.pairs[0].path == "a.md"
    else:
        assert validate_for_amazon(path) == []
        assert data.pairs[0].path == str(path) and data.pairs[0].source_line > 1
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temp file left behind


def test_csv_is_what_amazon_asks_for(tmp_path):
    path = tmp_path / "pairs.csv"
    report = write_parallel_data(TRICKY, path, "csv", "en", "zh")
    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    lines = raw.decode("utf-8").splitlines()
    assert lines[0] == "en,zh"
    assert len(lines) == 1 + len(TRICKY)  # no multi-line field
    assert lines[1] == '"He said ""hi"", then left.",他说“嗨”，然后离开了。'
    assert lines[2] == '"a,b,c and 1\t2","甲,乙,丙 与 1\t2"'
    # Chinese lines join with nothing between two CJK characters, Latin ones with a space.
    assert lines[3] == "Semantic line breaks join,语义换行会被连接"
    assert lines[8] == "Use `GPU` memory $x_1$ :numref:`sec`,使用`GPU` 内存 $x_1$ :numref:`sec`"
    # Fields starting with + - = @ (after blanks) get the invisible guard and are counted.
    assert lines[5] == f"{LEADING_GUARD}-1 is negative,{LEADING_GUARD}-1 是负数"
    assert lines[7] == f"{LEADING_GUARD}  =x is an equation,{LEADING_GUARD}+1 加一"
    assert report.guarded_leading_chars == 6
    assert report.joined_lines == 4


def test_tsv_replaces_tabs_and_counts_them(tmp_path):
    report = write_parallel_data(TRICKY, tmp_path / "p.tsv", "tsv", "en", "zh")
    lines = (tmp_path / "p.tsv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "en\tzh"
    assert all(line.count("\t") == 1 for line in lines)
    assert report.replaced_tabs == 2


def test_tmx_structure_and_escaping(tmp_path):
    path = tmp_path / "p.tmx"
    write_parallel_data(TRICKY, path, "tmx", "en", "zh")
    text = path.read_text(encoding="utf-8")
    assert '<header ' in text and 'srclang="en"' in text
    assert text.count("<tu>") == len(TRICKY)
    assert text.count('<tuv xml:lang="en">') == text.count('<tuv xml:lang="zh">') == len(TRICKY)
    assert "<seg>&lt;tag&gt; &amp; 'apos' &gt; less</seg>" in text
    assert LEADING_GUARD not in text  # the leading-character rule is a CSV/TSV rule


def test_flatten_segment_joins_cjk_without_space():
    assert flatten_segment("深度\n学习") == "深度学习"
    assert flatten_segment("深度。\n  学习") == "深度。学习"
    assert flatten_segment("deep \n learning") == "deep learning"
    assert flatten_segment("GPU\n内存\r\n很大") == "GPU 内存很大"


def test_every_limit_is_counted(tmp_path):
    long_en = "word " * 201  # 1005 bytes
    pairs = [
        AlignedPair("kept", "保留", 0.95),
        AlignedPair("low", "低", 0.2),
        AlignedPair("   ", "空白"),
        AlignedPair("empty target", ""),
        AlignedPair(long_en, "长"),
        AlignedPair("short", "中" * 334),  # 1002 bytes
        AlignedPair("fits", "中" * 333),  # 999 bytes: within the limit
        AlignedPair("dup", "第一"),
        AlignedPair("dup", "第二"),
        AlignedPair("=sum", "=求和"),
    ]
    report = write_parallel_data(pairs, tmp_path / "p.csv", "csv", "en", "zh", min_confidence=0.5)
    assert (report.input_pairs, report.written) == (10, 4)
    assert report.dropped_low_confidence == 1
    assert report.dropped_empty == 2
    assert report.dropped_too_long == 2
    assert report.duplicates == 1
    assert report.guarded_leading_chars == 2
    assert report.split_long == 0
    data = read_parallel_data(tmp_path / "p.csv")
    assert [(p.source, p.target) for p in data.pairs] == [
        ("kept", "保留"), ("fits", "中" * 333), ("dup", "第二"), ("=sum", "=求和")]
    summary = "\n".join(report.summary_lines())
    assert "4 pairs written" in summary and "1 dropped below the confidence threshold" in summary
    assert "2 dropped with a side over 1000 UTF-8 bytes" in summary
    assert "1 dropped as duplicate sources" in summary


def test_splitter_replaces_long_pairs_and_its_pieces_are_checked(tmp_path):
    sentences = [f"Sentence {i} is here." * 10 for i in range(6)]
    long_pair = AlignedPair(" ".join(sentences), "句子。" * 120, granularity="paragraph")
    other_long = AlignedPair("x" * 1500, "y")
    calls = []

    def splitter(pair):
        calls.append(pair)
        if pair is other_long:
            return None
        return [AlignedPair(s, f"第{i}句。") for i, s in enumerate(sentences)] + [
            AlignedPair("x" * 1001, "still too long")]

    report = write_parallel_data([long_pair, other_long], tmp_path / "p.tsv", "tsv", "en", "zh",
                                 splitter=splitter)
    assert calls == [long_pair, other_long]
    assert report.split_long == 1
    assert report.written == 6
    assert report.dropped_too_long == 2  # the unsplittable pair and the too-long piece
    assert [p.source for p in read_parallel_data(tmp_path / "p.tsv").pairs] == sentences


def test_unknown_format_is_a_user_error(tmp_path):
    with pytest.raises(AmtsError, match="unknown parallel-data format"):
        write_parallel_data(TRICKY, tmp_path / "p.xlsx", "xlsx", "en", "zh")
    (tmp_path / "p.xlsx").write_text("x", encoding="utf-8")
    with pytest.raises(AmtsError, match="cannot tell the parallel-data format"):
        read_parallel_data(tmp_path / "p.xlsx")


def test_reader_tolerates_bom_and_reads_several_targets(tmp_path):
    path = tmp_path / "multi.csv"
    path.write_bytes("\ufeffen,zh,fr\r\nhello,你好,bonjour\r\n\"a, b\",甲，乙,\"a, b\"\r\n".encode())
    data = read_parallel_data(path)
    assert (data.source_lang, data.target_langs) == ("en", ("zh", "fr"))
    assert [(p.source, p.target) for p in data.pairs] == [("hello", "你好"), ("a, b", "甲，乙")]
    assert [p.target for p in data.other_targets["fr"]] == ["bonjour", "a, b"]
    assert validate_for_amazon(path) == [f"{path}:1: starts with a UTF-8 byte-order mark "
                                         "(the first language code would carry it)"]


def test_format_argument_overrides_extension(tmp_path):
    path = tmp_path / "data.txt"
    path.write_text("en\tzh\nhello\t你好\n", encoding="utf-8")
    assert read_parallel_data(path, "tsv").pairs[0].target == "你好"


@pytest.mark.parametrize(("name", "content", "line", "message"), [
    ("bad_header.csv", "source,target\nhello,你好\n", 1, "bad header"),
    ("one_column.csv", "en\nhello\n", 1, "bad header"),
    ("columns.csv", "en,zh\nhello,你好\nthree,columns,here\n", 3, "3 columns where the header has 2"),
    ("columns.tsv", "en\tzh\nhello\n", 2, "1 columns where the header has 2"),
    ("quote.csv", 'en,zh\nok,好\n"closed" trailing,x\n', 3, "malformed CSV"),
    ("empty.csv", "", 1, "empty file"),
    ("bad.tmx", '<tmx version="1.4">\n<header srclang="en"/>\n<body>\n<tu><tuv></tu>\n</body></tmx>',
     4, "invalid XML: mismatched tag"),
    ("nosrc.tmx", '<tmx version="1.4"><header/><body></body></tmx>', 1, "no srclang"),
    ("noen.tmx", '<tmx><header srclang="en"/><body>\n<tu>\n<tuv xml:lang="zh"><seg>好</seg></tuv>'
     "</tu></body></tmx>", 2, "needs a en tuv"),
    ("noseg.tmx", '<tmx><header srclang="en"/><body>\n<tu>\n<tuv xml:lang="en"></tuv>'
     '<tuv xml:lang="zh"><seg>好</seg></tuv></tu></body></tmx>', 3, "without xml:lang or seg"),
    ("bad.jsonl", '{"en": "a", "zh": "甲"}\n{"en": "b", "zh": \n', 2, "invalid JSON"),
    ("keys.jsonl", '{"en": "a", "zh": "甲"}\n\n{"en": "b", "fr": "b"}\n', 3, "language keys"),
    ("type.jsonl", '{"en": "a", "zh": 3}\n', 1, "segments must be strings"),
])
def test_malformed_input_names_file_and_line(tmp_path, name, content, line, message):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(AmtsError, match=message) as err:
        read_parallel_data(path)
    assert (err.value.path, err.value.line) == (str(path), line)
    assert str(err.value).startswith(f"{path}:{line}: ")


def test_non_utf8_names_file_and_line(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes("en,zh\nok,好\ncafé,咖啡\n".encode().replace("é".encode(), b"\xe9"))
    with pytest.raises(AmtsError, match="not UTF-8") as err:
        read_parallel_data(path)
    assert err.value.line == 3


@pytest.mark.parametrize(("content", "problem"), [
    ("source,target\nhello,你好\n", ":1: header 'source,target' is not a row of language codes"),
    ("en,en\nhello,你好\n", ":1: header repeats a language code"),
    ('en,zh\nsay "hi",说\n', ':2: a " inside an unquoted field at column 5'),
    ('en,zh\n"a"b,说\n', ":2: text after a closing quote at column 4"),
    ('en,zh\n"two\nlines",说\n', ":2: a quoted field does not close on its line"),
    ("en,zh\nhello,\n", ":2: column 2 is empty"),
    ("en,zh\n ,你好\n", ":2: column 1 is empty"),
    ("en,zh\nhello,你好,多\n", ":2: 3 columns where the header has 2"),
    ("en,zh\nlong," + "中" * 334 + "\n", ":2: column 2 has 1002 UTF-8 bytes (limit 1000)"),
    ("en,zh\n-1 is negative,负一\n", ":2: column 1 starts with '-', which Amazon rejects"),
    ('en,zh\n" @home",在家\n', ":2: column 1 starts with '@', which Amazon rejects"),
    ("en,zh\nplus,+1\n", ":2: column 2 starts with '+', which Amazon rejects"),
    ("en,zh\nequals,=\n", ":2: column 2 starts with '=', which Amazon rejects"),
])
def test_validate_for_amazon_catches_each_problem(tmp_path, content, problem):
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    problems = validate_for_amazon(path)
    assert any(p.startswith(f"{path}{problem}") for p in problems), problems


def test_validate_for_amazon_checks_tmx_and_jsonl(tmp_path):
    tmx = tmp_path / "p.tmx"
    tmx.write_text('<tmx><header srclang="en"/><body>\n<tu><tuv xml:lang="zh"><seg>好</seg></tuv></tu>\n'
                   '<tu><tuv xml:lang="en"><seg> </seg></tuv><tuv xml:lang="zh"><seg>'
                   + "中" * 400 + "</seg></tuv></tu>\n</body></tmx>", encoding="utf-8")
    assert validate_for_amazon(tmx) == [
        f"{tmx}:2: tu with fewer than two tuv", f"{tmx}:2: tu without a en tuv",
        f"{tmx}:3: column 1 is empty", f"{tmx}:3: column 1 has 1200 UTF-8 bytes (limit 1000)"]
    broken = tmp_path / "broken.tmx"
    broken.write_text("<tmx><header srclang='en'/>\n<body>", encoding="utf-8")
    assert validate_for_amazon(broken) == [f"{broken}:2: invalid XML: no element found"]
    jsonl = tmp_path / "p.jsonl"
    jsonl.write_text(json.dumps({"en": "", "zh": "好"}) + "\n", encoding="utf-8")
    assert validate_for_amazon(jsonl) == [
        f"{jsonl}: JSONL is not an Amazon Translate format (CSV, TSV or TMX)",
        f"{jsonl}:1: column 1 is empty"]


def book_paragraph_pairs(book, limit_files=None):
    """Naive pairs from the real book: the n-th prose paragraph of each file with the n-th of its
    translation. Not an alignment: real text (quotes, commas, code, math, long paragraphs, CJK)."""
    pairs = []
    for origin in sorted(book.glob("chapter_*/*_origin.md"))[:limit_files]:
        translated = origin.with_name(origin.name.replace("_origin.md", ".md"))
        if not translated.exists():
            continue
        def paragraphs(path):
            blocks = re.split(r"\n\s*\n", path.read_text(encoding="utf-8"))
            return [b for b in blocks if b.strip() and not b.lstrip().startswith(("```", "![", ":"))]
        for en, zh in zip(paragraphs(origin), paragraphs(translated)):
            pairs.append(AlignedPair(en, zh, granularity="paragraph", path=str(origin)))
    return pairs


@pytest.mark.parametrize("fmt", ["csv", "tsv", "tmx"])
def test_whole_book_export_is_valid_for_amazon(tmp_path, d2l_zh, fmt):
    pairs = book_paragraph_pairs(d2l_zh)
    assert len(pairs) > 3000
    path = tmp_path / f"book.{fmt}"
    report = write_parallel_data(pairs, path, fmt, "en", "zh")
    assert validate_for_amazon(path) == []
    # The real book has paragraphs over 1000 bytes, multi-line paragraphs and duplicates:
    # each is handled and counted, and every pair is accounted for.
    assert report.dropped_too_long > 0 and report.joined_lines > 0
    assert report.written + report.dropped == len(pairs)
    data = read_parallel_data(path)
    assert len(data.pairs) == report.written
    assert all("\n" not in p.source and "\n" not in p.target for p in data.pairs)
