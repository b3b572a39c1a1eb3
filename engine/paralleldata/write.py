"""Amazon Translate parallel data: write CSV, TSV, TMX or JSONL files of aligned pairs; check them.

The writer keeps every record inside Amazon's rules (amazon-translate.md §1) and counts each
record it had to drop or change, because Amazon itself drops such records without saying which.
It is also the one door every export and job passes through, so it leaves out, and counts, the
pairs that are no parallel data: machine text a sync marked for review (either side carries an
`<!-- amts:` comment), and the pairs the user excluded (amts.engine.paralleldata.exclusions).
Reading lives in `amts.engine.paralleldata.read`; its public names are re-exported here.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from amts.engine.align.pairs import AlignedPair
from amts.engine.atomic import write_text_atomic
from amts.engine.errors import AmtsError
from amts.engine.paralleldata.exclusions import Exclusions
from amts.engine.paralleldata.read import (
    AMAZON_FORMATS,
    CONTROL_CHARS,
    FORBIDDEN_LEADING,
    FORMATS,
    LANG_CODE,
    LEADING_GUARD,
    MAX_SEGMENT_BYTES,
    ParallelData,
    flatten_segment,
    format_of,
    needs_leading_guard,
    parse_tmx,
    read_jsonl_rows,
    read_parallel_data,
    read_text_utf8,
    unguard,
    utf8_len,
)

__all__ = [
    "AMAZON_FORMATS", "FORBIDDEN_LEADING", "FORMATS", "LEADING_GUARD", "MAX_SEGMENT_BYTES",
    "ExportReport", "ParallelData", "Splitter", "flatten_segment", "needs_leading_guard",
    "read_parallel_data", "unguard", "utf8_len", "validate_for_amazon", "write_parallel_data",
]

# What XML 1.0 cannot carry beyond the control characters: lone surrogates (no UTF-8 either) and
# the noncharacters U+FFFE/U+FFFF. One in a seg makes the whole TMX malformed, so it goes.
_XML_INVALID = re.compile("[\ud800-\udfff\ufffe\uffff]")

# Replaces a pair too long for Amazon by shorter aligned pairs (e.g. its sentences), or says None.
Splitter = Callable[[AlignedPair], list[AlignedPair] | None]


@dataclass(frozen=True, slots=True)
class ExportReport:
    """What `write_parallel_data` wrote, and every record it dropped or changed, by reason."""

    path: str
    fmt: str
    source_lang: str
    target_lang: str
    input_pairs: int
    written: int
    awaiting_review: int = 0  # machine text a sync marked for review: not a translation yet
    excluded: int = 0  # pairs the user excluded
    dropped_low_confidence: int = 0
    dropped_empty: int = 0
    dropped_too_long: int = 0
    split_long: int = 0  # long pairs the splitter replaced by shorter ones
    duplicates: int = 0  # earlier records with the same source, dropped as Amazon would
    guarded_leading_chars: int = 0  # fields that started with + - = @ and got LEADING_GUARD
    joined_lines: int = 0  # multi-line segments flattened to one line
    replaced_tabs: int = 0  # TSV fields whose tabs became spaces
    removed_invalid_chars: int = 0  # fields that lost control or XML-invalid characters (U+FFFE)

    @property
    def dropped(self) -> int:
        """Records dropped for any reason (pieces of a split pair included)."""
        return (
            self.awaiting_review + self.excluded + self.dropped_low_confidence + self.dropped_empty
            + self.dropped_too_long + self.duplicates
        )

    def summary_lines(self) -> list[str]:
        """The report as short lines for a person: what was written, then each non-zero count."""
        lines = [
            f"{self.written} pairs written to {self.path} "
            f"({self.fmt}, {self.source_lang}→{self.target_lang}) "
            f"from {self.input_pairs} aligned pairs"
        ]
        reasons = [
            (self.awaiting_review, "pairs awaiting review left out (machine text a sync marked)"),
            (self.excluded, "pairs excluded by the user left out"),
            (self.dropped_low_confidence, "dropped below the confidence threshold"),
            (self.dropped_empty, "dropped with an empty side"),
            (self.dropped_too_long, f"dropped with a side over {MAX_SEGMENT_BYTES} UTF-8 bytes"),
            (self.split_long, "long pairs split into shorter aligned pairs"),
            (self.duplicates, "dropped as duplicate sources (the last one is kept)"),
            (self.guarded_leading_chars, "fields starting with + - = @ guarded with U+2060"),
            (self.joined_lines, "multi-line segments joined into one line"),
            (self.replaced_tabs, "TSV fields with tabs replaced by spaces"),
            (self.removed_invalid_chars, "fields with control or XML-invalid characters "
                                         "(such as U+FFFE) removed"),
        ]
        lines += [f"  {count} {what}" for count, what in reasons if count]
        return lines


def write_parallel_data(
    pairs: Iterable[AlignedPair],
    path: str | Path,
    fmt: str,
    source_lang: str,
    target_lang: str,
    *,
    min_confidence: float = 0.0,
    splitter: Splitter | None = None,
    exclusions: Exclusions | None = None,
) -> ExportReport:
    """Write pairs as Amazon parallel data (csv, tsv, tmx) or JSONL, atomically; count every change.

    Pairs awaiting review (`AlignedPair.awaiting_review`) are never written; nor are those that
    `exclusions` excludes (its languages are matched against `source_lang`/`target_lang`, so the
    pairs may be either way round).
    CSV/TSV/TMX segments are made single-line; JSONL keeps the text exactly (it is our own format).
    A pair with a side over 1000 UTF-8 bytes is handed to `splitter` (e.g. split at aligned sentence
    boundaries); when there is none or it returns None, the pair is dropped and counted.
    """
    if fmt not in FORMATS:
        raise AmtsError(f"unknown parallel-data format {fmt!r} "
                        f"(expected one of {', '.join(FORMATS)})", path)
    counts = dict.fromkeys(("awaiting_review", "excluded", "dropped_low_confidence", "dropped_empty",
                            "dropped_too_long", "split_long"), 0)
    amazon = fmt in AMAZON_FORMATS

    def admit(pair: AlignedPair, may_split: bool) -> list[tuple[AlignedPair, list[str]]]:
        source, source_changes = _clean_field(pair.source, fmt) if amazon else (pair.source, [])
        target, target_changes = _clean_field(pair.target, fmt) if amazon else (pair.target, [])
        if not source.strip() or not target.strip():
            counts["dropped_empty"] += 1
            return []
        if utf8_len(source) > MAX_SEGMENT_BYTES or utf8_len(target) > MAX_SEGMENT_BYTES:
            pieces = splitter(pair) if (may_split and splitter is not None) else None
            if pieces:
                counts["split_long"] += 1
                return [kept for piece in pieces for kept in admit(piece, False)]
            counts["dropped_too_long"] += 1
            return []
        return [(_replace_texts(pair, source, target), source_changes + target_changes)]

    pairs = list(pairs)
    admitted: list[tuple[AlignedPair, list[str]]] = []
    for pair in pairs:
        if pair.awaiting_review:
            counts["awaiting_review"] += 1
            continue
        if exclusions is not None and exclusions.excludes(pair, source_lang, target_lang):
            counts["excluded"] += 1
            continue
        if pair.confidence < min_confidence:
            counts["dropped_low_confidence"] += 1
            continue
        admitted.extend(admit(pair, True))

    # Amazon keeps the last record of a duplicated source: so do we, and the file says so.
    last_index = {pair.source: i for i, (pair, _) in enumerate(admitted)}
    kept = [entry for i, entry in enumerate(admitted) if last_index[entry[0].source] == i]
    records = [pair for pair, _ in kept]
    changes = [change for _, field_changes in kept for change in field_changes]

    render = {"csv": _render_delimited, "tsv": _render_delimited, "tmx": _render_tmx,
              "jsonl": _render_jsonl}[fmt]
    write_text_atomic(path, render(records, fmt, source_lang, target_lang))
    return ExportReport(
        path=str(path), fmt=fmt, source_lang=source_lang, target_lang=target_lang,
        input_pairs=len(pairs), written=len(records), duplicates=len(admitted) - len(records),
        guarded_leading_chars=changes.count("guarded_leading_chars"),
        joined_lines=changes.count("joined_lines"), replaced_tabs=changes.count("replaced_tabs"),
        removed_invalid_chars=changes.count("removed_invalid_chars"),
        **counts,
    )


def _clean_field(text: str, fmt: str) -> tuple[str, list[str]]:
    """The field as Amazon's format needs it, and the names of the changes that took."""
    changes = []
    valid = _XML_INVALID.sub("", CONTROL_CHARS.sub("", text))
    if valid != text:
        changes.append("removed_invalid_chars")
    flat = flatten_segment(valid)
    if flat != valid:
        changes.append("joined_lines")
    if fmt == "tsv" and "\t" in flat:
        changes.append("replaced_tabs")
        flat = flat.replace("\t", " ")
    # The leading-character rule is stated for CSV/TSV fields (a spreadsheet-injection guard);
    # a TMX seg is XML text and is left alone.
    if fmt != "tmx" and needs_leading_guard(flat):
        changes.append("guarded_leading_chars")
        flat = LEADING_GUARD + flat
    return flat, changes


def _replace_texts(pair: AlignedPair, source: str, target: str) -> AlignedPair:
    if source == pair.source and target == pair.target:
        return pair
    return AlignedPair(source, target, pair.confidence, pair.bead, pair.granularity, pair.path,
                       pair.source_line, pair.target_line)


def _render_delimited(records: list[AlignedPair], fmt: str, source_lang: str,
                      target_lang: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter="," if fmt == "csv" else "\t", quotechar='"',
                        quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
    writer.writerow([source_lang, target_lang])
    writer.writerows([pair.source, pair.target] for pair in records)
    return out.getvalue()


def _render_tmx(records: list[AlignedPair], fmt: str, source_lang: str, target_lang: str) -> str:
    segtype = "sentence" if all(p.granularity == "sentence" for p in records) else "paragraph"
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<tmx version="1.4">',
        f'  <header creationtool="amts" creationtoolversion="1" datatype="plaintext" '
        f'segtype="{segtype}" adminlang="en" srclang={quoteattr(source_lang)} o-tmf="amts"/>',
        "  <body>",
    ]
    for pair in records:
        lines += [
            "    <tu>",
            f"      <tuv xml:lang={quoteattr(source_lang)}><seg>{escape(pair.source)}</seg></tuv>",
            f"      <tuv xml:lang={quoteattr(target_lang)}><seg>{escape(pair.target)}</seg></tuv>",
            "    </tu>",
        ]
    lines += ["  </body>", "</tmx>", ""]
    return "\n".join(lines)


def _render_jsonl(records: list[AlignedPair], fmt: str, source_lang: str, target_lang: str) -> str:
    return "".join(
        json.dumps({source_lang: p.source, target_lang: p.target, "confidence": p.confidence,
                    "path": p.path}, ensure_ascii=False) + "\n"
        for p in records
    )



# ---------------------------------------------------------------------------------------------
# Checking a file against Amazon's rules


def validate_for_amazon(path: str | Path) -> list[str]:
    """What Amazon Translate would reject or skip in a parallel-data file, as 'file:line: what'."""
    path = Path(path)
    fmt = format_of(path)
    problems: list[str] = []
    try:
        if path.read_bytes().startswith(b"\xef\xbb\xbf"):
            problems.append(f"{path}:1: starts with a UTF-8 byte-order mark (the first language "
                            "code would carry it)")
        text = read_text_utf8(path)
        if fmt == "tmx":
            problems += _tmx_problems(text, path)
        elif fmt == "jsonl":
            problems.append(f"{path}: JSONL is not an Amazon Translate format (CSV, TSV or TMX)")
            for row in read_jsonl_rows(text, path)[2]:
                problems += _segment_problems(path, row.line, [row.source, *row.targets.values()],
                                              leading=False)
        else:
            problems += _delimited_problems(text, path, fmt)
    except AmtsError as exc:
        problems.append(str(exc))
    return problems


def _segment_problems(path: Path, line: int, fields: list[str], leading: bool) -> list[str]:
    problems = []
    for column, value in enumerate(fields, start=1):
        if not value.strip():
            problems.append(f"{path}:{line}: column {column} is empty")
        if utf8_len(value) > MAX_SEGMENT_BYTES:
            problems.append(f"{path}:{line}: column {column} has {utf8_len(value)} UTF-8 bytes "
                            f"(limit {MAX_SEGMENT_BYTES})")
        if leading and needs_leading_guard(value):
            problems.append(f"{path}:{line}: column {column} starts with "
                            f"{value.lstrip()[0]!r}, which Amazon rejects")
    return problems


def _delimited_problems(text: str, path: Path, fmt: str) -> list[str]:
    delimiter = "," if fmt == "csv" else "\t"
    problems: list[str] = []
    columns = 0
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.removesuffix("\r")
        if not line.strip():
            continue
        fields, error = split_record_strictly(line, delimiter)
        if error:
            problems.append(f"{path}:{number}: {error}")
            continue
        if not columns:
            columns = len(fields)
            codes = [code.strip() for code in fields]
            if columns < 2 or not all(LANG_CODE.match(code) for code in codes):
                problems.append(f"{path}:{number}: header {line!r} is not a row of language codes")
            elif len(set(codes)) != columns:
                problems.append(f"{path}:{number}: header repeats a language code")
            continue
        if len(fields) != columns:
            problems.append(f"{path}:{number}: {len(fields)} columns where the header "
                            f"has {columns}")
            continue
        problems += _segment_problems(path, number, fields, leading=True)
    if not columns:
        problems.append(f"{path}:1: no header row of language codes")
    return problems


def split_record_strictly(line: str, delimiter: str) -> tuple[list[str], str | None]:
    """A one-line CSV/TSV record split by Amazon's quoting rule, or the reason it breaks the rule.

    A field is either unquoted (no delimiter, no `"`) or wrapped in `"` with `"` written as `""`;
    a quoted field that does not close on its line would be a multi-line field (forbidden).
    """
    fields: list[str] = []
    i, n = 0, len(line)
    while True:
        if i < n and line[i] == '"':
            parts, j = [], i + 1
            while True:
                k = line.find('"', j)
                if k < 0:
                    return fields, "a quoted field does not close on its line (multi-line field)"
                parts.append(line[j:k])
                if line.startswith('""', k):
                    parts.append('"')
                    j = k + 2
                    continue
                break
            fields.append("".join(parts))
            i = k + 1
            if i == n:
                return fields, None
            if line[i] != delimiter:
                return fields, f"text after a closing quote at column {i + 1}"
            i += 1
        else:
            k = line.find(delimiter, i)
            value = line[i:] if k < 0 else line[i:k]
            if '"' in value:
                column = i + value.index('"') + 1
                return fields, (f'a " inside an unquoted field at column {column} '
                                '(quote the field and double the ")')
            fields.append(value)
            if k < 0:
                return fields, None
            i = k + 1


def _tmx_problems(text: str, path: Path) -> list[str]:
    srclang, units = parse_tmx(text, path)
    if not srclang:
        return [f"{path}:1: the TMX header has no srclang"]
    problems: list[str] = []
    if not units:
        problems.append(f"{path}: no tu elements")
    for unit in units:
        if len(unit.variants) < 2:
            problems.append(f"{path}:{unit.line}: tu with fewer than two tuv")
        if not any((lang or "").lower() == srclang.lower() for _, lang, _ in unit.variants):
            problems.append(f"{path}:{unit.line}: tu without a {srclang} tuv")
        for line, lang, seg in unit.variants:
            if not lang or seg is None:
                problems.append(f"{path}:{line}: tuv without xml:lang or seg")
            else:
                problems += _segment_problems(path, line, [seg], leading=False)
    return problems
