"""Read parallel-data files (CSV, TSV, TMX, JSONL) and the format rules the reader and writer share.

`amts.engine.paralleldata.write` writes these files and re-exports this module's public names.
"""

from __future__ import annotations

import csv
import io
import json
import re
import xml.parsers.expat
from dataclasses import dataclass, field
from pathlib import Path

from amts.engine.align.pairs import AlignedPair
from amts.engine.errors import AmtsError
from amts.engine.textfile import read_utf8

FORMATS = ("csv", "tsv", "tmx", "jsonl")
AMAZON_FORMATS = ("csv", "tsv", "tmx")
MAX_SEGMENT_BYTES = 1000  # Amazon skips a longer segment (limits page, "segment ≤1000 bytes").
# Amazon rejects a CSV/TSV field starting with one of these, quoted or not: the spreadsheet
# formula characters that CSV-injection guards look at.
FORBIDDEN_LEADING = frozenset("+-=@")
# Why U+2060 WORD JOINER: the rule is about the field's first character, so the field must start
# with something else; a visible character (a space, an apostrophe) would change the text the
# custom translation learns from, whereas WORD JOINER is invisible, has no meaning and no line-break
# opportunity, and sits outside every formula syntax. Our own reader removes it again.
LEADING_GUARD = "\u2060"
JSONL_META_KEYS = ("confidence", "path")  # JSONL keys that are not language codes
# Amazon language codes: "en", "zh", "zh-TW", "fr-CA", "es-MX".
LANG_CODE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,4})?$")

_CJK = (
    r"\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u3190-\u31ff\u3400-\u4dbf"
    r"\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
)
_CJK_LINE_BREAK = re.compile(rf"(?<=[{_CJK}])[ \t]*\r?\n\s*(?=[{_CJK}])")
_ANY_LINE_BREAK = re.compile(r"[ \t]*(?:\r\n|\r|\n|\u2028|\u2029)\s*")
# XML 1.0 cannot carry most C0 controls; Amazon's formats are text, so they carry no meaning there.
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True, slots=True)
class ParallelData:
    """Parallel data read from a file: `pairs` hold the first target language's translations.

    A CSV/TSV/TMX file may carry several target languages; the others are in `other_targets`.
    """

    source_lang: str
    target_langs: tuple[str, ...]
    pairs: tuple[AlignedPair, ...]
    other_targets: dict[str, tuple[AlignedPair, ...]] = field(default_factory=dict)


def flatten_segment(text: str) -> str:
    """One line for a multi-line segment: nothing between two CJK characters, else one space."""
    text = _CJK_LINE_BREAK.sub("", text)
    return _ANY_LINE_BREAK.sub(" ", text)


def utf8_len(text: str) -> int:
    """Length in UTF-8 bytes, the unit of Amazon's segment limit."""
    return len(text.encode("utf-8"))


def needs_leading_guard(text: str) -> bool:
    """Whether Amazon would reject this CSV/TSV field for its first (non-blank) character."""
    stripped = text.lstrip()
    return bool(stripped) and stripped[0] in FORBIDDEN_LEADING


def format_of(path: str | Path, fmt: str | None = None) -> str:
    """The parallel-data format named by `fmt`, or else by the file's extension."""
    fmt = (fmt or Path(path).suffix.lstrip(".")).lower()
    if fmt not in FORMATS:
        raise AmtsError("cannot tell the parallel-data format "
                        f"(expected .{', .'.join(FORMATS)})", path)
    return fmt


def read_text_utf8(path: str | Path) -> str:
    """The file's text as UTF-8, without a byte-order mark; AmtsError naming the file otherwise."""
    return read_utf8(path, what="parallel data")


def unguard(text: str) -> str:
    """Undo LEADING_GUARD: the text as it was before it was made safe for Amazon."""
    if text.startswith(LEADING_GUARD) and needs_leading_guard(text[1:]):
        return text[1:]
    return text


def read_parallel_data(path: str | Path, fmt: str | None = None) -> ParallelData:
    """Read a csv/tsv/tmx/jsonl parallel-data file (format from the extension when None)."""
    fmt = format_of(path, fmt)
    text = read_text_utf8(path)
    if fmt == "tmx":
        source_lang, target_langs, rows = read_tmx_rows(text, path)
    elif fmt == "jsonl":
        source_lang, target_langs, rows = read_jsonl_rows(text, path)
    else:
        source_lang, target_langs, rows = read_delimited_rows(text, path, fmt)
    by_target: dict[str, tuple[AlignedPair, ...]] = {}
    for lang in target_langs:
        # A pair's path and lines say where it came from: the record's own origin when the file
        # names one (JSONL; its lines there are unknown), else this file and the record's line.
        by_target[lang] = tuple(
            AlignedPair(row.source, row.targets[lang], row.confidence, path=row.path,
                        source_line=0, target_line=0)
            if row.path else
            AlignedPair(row.source, row.targets[lang], row.confidence, path=str(path),
                        source_line=row.line, target_line=row.line)
            for row in rows if lang in row.targets
        )
    first = target_langs[0] if target_langs else ""
    return ParallelData(source_lang, target_langs, by_target.get(first, ()),
                        {lang: p for lang, p in by_target.items() if lang != first})


@dataclass(slots=True)
class ParallelRow:
    """One record of a parallel-data file, before it becomes AlignedPairs."""

    line: int
    source: str
    targets: dict[str, str]
    confidence: float = 1.0
    path: str = ""


# What each format's reader returns: source language, target languages, rows.
RowsRead = tuple[str, tuple[str, ...], list[ParallelRow]]


def read_delimited_records(text: str, path: str | Path, fmt: str) -> list[tuple[int, list[str]]]:
    """CSV/TSV records with the line each starts on; AmtsError on broken quoting."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter="," if fmt == "csv" else "\t",
                        quotechar='"', strict=True)
    records = []
    line = 1
    try:
        for record in reader:
            records.append((line, record))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise AmtsError(f"malformed {fmt.upper()}: {exc}", path, reader.line_num or line) from None
    return records


def read_delimited_rows(text: str, path: str | Path, fmt: str) -> RowsRead:
    """Rows of a CSV/TSV file whose first row names the languages; AmtsError names file, line."""
    records = [(line, rec) for line, rec in read_delimited_records(text, path, fmt) if rec]
    if not records:
        raise AmtsError("empty file: expected a header row of language codes", path, 1)
    header_line, header = records[0]
    langs = [code.strip() for code in header]
    if len(langs) < 2 or not all(LANG_CODE.match(code) for code in langs):
        raise AmtsError(f"bad header {header!r}: expected language codes such as en,zh",
                        path, header_line)
    rows = []
    for line, record in records[1:]:
        if len(record) != len(langs):
            raise AmtsError(f"{len(record)} columns where the header has {len(langs)}", path, line)
        fields = [unguard(value) for value in record]
        rows.append(ParallelRow(line, fields[0], dict(zip(langs[1:], fields[1:]))))
    return langs[0], tuple(langs[1:]), rows



def read_jsonl_rows(text: str, path: str | Path) -> RowsRead:
    """Rows of a JSONL file (one object per line keyed by language code); AmtsError on bad lines."""
    rows: list[ParallelRow] = []
    langs: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            obj = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise AmtsError(f"invalid JSON: {exc.msg}", path, number) from None
        if not isinstance(obj, dict):
            raise AmtsError("expected a JSON object per line", path, number)
        keys = [key for key in obj if key not in JSONL_META_KEYS]
        if not langs:
            langs = keys
            if len(langs) < 2:
                raise AmtsError("expected a source and a target keyed by language code",
                                path, number)
        if keys != langs:
            raise AmtsError(f"language keys {keys} differ from the first line's {langs}",
                            path, number)
        if not all(isinstance(obj[key], str) for key in langs):
            raise AmtsError("segments must be strings", path, number)
        confidence = obj.get("confidence", 1.0)
        if not isinstance(confidence, (int, float)):
            raise AmtsError("confidence must be a number", path, number)
        rows.append(ParallelRow(number, obj[langs[0]], {lang: obj[lang] for lang in langs[1:]},
                                float(confidence), str(obj.get("path", ""))))
    if not langs:
        raise AmtsError("empty file: expected one JSON object per line", path, 1)
    return langs[0], tuple(langs[1:]), rows


@dataclass(slots=True)
class TmxUnit:
    """One `tu` as read: its line and its `tuv`s as (line, language, segment text or None)."""

    line: int
    variants: list[tuple[int, str, str | None]] = field(default_factory=list)


def parse_tmx(text: str, path: str | Path) -> tuple[str | None, list[TmxUnit]]:
    """The header's srclang and the translation units of a TMX document; AmtsError on bad XML."""
    parser = xml.parsers.expat.ParserCreate()
    units: list[TmxUnit] = []
    # seg_depth > 0 while inside a seg (inline elements such as <ph> nest deeper).
    state: dict = {"srclang": None, "lang": "", "tuv_line": 0, "seg_depth": 0, "seg": None,
                   "chars": []}

    def start(name: str, attrs: dict[str, str]) -> None:
        if state["seg_depth"]:
            state["seg_depth"] += 1
        elif name == "header":
            state["srclang"] = attrs.get("srclang")
        elif name == "tu":
            units.append(TmxUnit(parser.CurrentLineNumber))
        elif name == "tuv":
            state["lang"] = attrs.get("xml:lang") or attrs.get("lang") or ""
            state["tuv_line"] = parser.CurrentLineNumber
            state["seg"] = None
        elif name == "seg":
            state["seg_depth"], state["chars"] = 1, []

    def end(name: str) -> None:
        if state["seg_depth"]:
            state["seg_depth"] -= 1
            if not state["seg_depth"]:
                state["seg"] = "".join(state["chars"])
        elif name == "tuv" and units:
            units[-1].variants.append((state["tuv_line"], state["lang"], state["seg"]))

    def data(chars: str) -> None:
        if state["seg_depth"]:
            state["chars"].append(chars)

    parser.StartElementHandler, parser.EndElementHandler = start, end
    parser.CharacterDataHandler = data
    try:
        parser.Parse(text.encode("utf-8"), True)
    except xml.parsers.expat.ExpatError as exc:
        raise AmtsError(f"invalid XML: {xml.parsers.expat.errors.messages[exc.code]}", path,
                        exc.lineno) from None
    return state["srclang"], units


def read_tmx_rows(text: str, path: str | Path) -> RowsRead:
    """Source language and rows of a TMX file; AmtsError where a unit lacks what Amazon needs."""
    srclang, units = parse_tmx(text, path)
    if not srclang:
        raise AmtsError("TMX header has no srclang", path, 1)
    rows = []
    for unit in units:
        source = None
        targets = {}
        for line, lang, seg in unit.variants:
            if not lang or seg is None:
                raise AmtsError("tuv without xml:lang or seg", path, line)
            if lang.lower() == srclang.lower() and source is None:
                source = seg
            else:
                targets[lang] = seg
        if source is None or not targets:
            raise AmtsError(f"tu needs a {srclang} tuv and a translation", path, unit.line)
        rows.append(ParallelRow(unit.line, source, targets))
    target_langs = tuple(dict.fromkeys(lang for row in rows for lang in row.targets))
    return srclang, target_langs, rows
