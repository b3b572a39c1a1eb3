"""Parallel-data import as Amazon Translate does it: CSV/TSV/TMX, its record rules and counts.

This is the service's side of the format (what it accepts, skips and rejects), kept apart from
the project's own reader/writer so that the local endpoint checks our exporter independently.
Rules (amazon-translate.md §1): row 1 of CSV/TSV holds the language codes; a blank or
>1000-byte source skips the record, such a target skips only itself (each counted as skipped);
a field starting with + - = @, a multi-line field or a wrong column count fails the record;
a duplicate source replaces the earlier one (TMX: the newest changedate wins).
"""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

MAX_SEGMENT_BYTES = 1000
_FORBIDDEN_STARTS = ("+", "-", "=", "@")
_LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(-[A-Za-z]{2,4})?$")
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


class ParallelDataImportError(Exception):
    """The whole file is unusable (the resource ends FAILED with this message)."""


@dataclass
class ImportedParallelData:
    """What an import produced: records by source text, and the counts the service reports."""

    source_language: str
    target_languages: list[str]
    records: dict[str, dict[str, str]] = field(default_factory=dict)
    imported: int = 0
    failed: int = 0
    skipped: int = 0
    messages: list[dict[str, str]] = field(default_factory=list)

    @property
    def data_size(self) -> int:
        """ImportedDataSize: UTF-8 characters of the imported text, markup excluded."""
        return sum(
            len(source) + sum(len(t) for t in targets.values())
            for source, targets in self.records.items()
        )

    def error_file(self) -> dict:
        """The error/warning file the service links from AuxiliaryDataLocation."""
        return {
            "summary": {"record_error_count": self.failed, "record_skipped_count": self.skipped},
            "messages": self.messages,
        }


def _too_long_or_blank(text: str) -> bool:
    return not text.strip() or len(text.encode("utf-8")) > MAX_SEGMENT_BYTES


def import_parallel_data(data: bytes, data_format: str, fail_first: int = 0) -> ImportedParallelData:
    """Parse a parallel-data file; `fail_first` injects failures into the first valid records."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ParallelDataImportError(f"the file is not UTF-8 (byte {exc.start})") from None
    if data_format == "TMX":
        result = _import_tmx(text, fail_first)
    else:
        result = _import_delimited(text, "\t" if data_format == "TSV" else ",", fail_first)
    if result.imported == 0:
        raise ParallelDataImportError(
            f"no record could be imported ({result.failed} failed, {result.skipped} skipped)"
        )
    return result


class _Injector:
    def __init__(self, count: int):
        self.remaining = count

    def fires(self) -> bool:
        if self.remaining > 0:
            self.remaining -= 1
            return True
        return False


def _import_delimited(text: str, delimiter: str, fail_first: int) -> ImportedParallelData:
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(rows, None)
    if not header:
        raise ParallelDataImportError("the file is empty: row 1 must hold the language codes")
    languages = [code.strip() for code in header]
    if len(languages) < 2 or not all(_LANGUAGE_CODE.match(code) for code in languages):
        raise ParallelDataImportError(
            f"row 1 must hold a source and at least one target language code, not {header!r}"
        )
    result = ImportedParallelData(languages[0], languages[1:])
    inject = _Injector(fail_first)
    for row in rows:
        if not row or all(not cell.strip() for cell in row):
            result.skipped += 1
            continue
        content = delimiter.join(row)
        problem = _row_problem(row, len(languages))
        if problem is None and inject.fires():
            problem = "injected failure (LocalFaults.parallel_data_failed_records)"
        if problem is not None:
            result.failed += 1
            result.messages.append({"content": content, "message": problem})
            continue
        _add_record(result, row[0], dict(zip(languages[1:], row[1:])), content)
    return result


def _row_problem(row: list[str], columns: int) -> str | None:
    if len(row) != columns:
        return f"expected {columns} fields, found {len(row)}"
    for cell in row:
        if cell.startswith(_FORBIDDEN_STARTS):
            return "a field starts with one of + - = @"
        if "\n" in cell or "\r" in cell:
            return "a field spans more than one line"
    return None


def _add_record(
    result: ImportedParallelData, source: str, targets: dict[str, str], content: str
) -> None:
    if _too_long_or_blank(source):
        result.skipped += 1
        result.messages.append({"content": content, "message": "source segment blank or too long"})
        return
    kept = {}
    for language, target in targets.items():
        if _too_long_or_blank(target):
            result.skipped += 1
            result.messages.append(
                {"content": content, "message": f"{language} segment blank or too long"}
            )
        else:
            kept[language] = target
    if not kept:
        return
    result.records.pop(source, None)  # the last duplicate wins, and moves to the end
    result.records[source] = kept
    result.imported += 1


def _import_tmx(text: str, fail_first: int) -> ImportedParallelData:
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise ParallelDataImportError(f"the TMX file is not well-formed XML: {exc}") from None
    header = root.find("header")
    source_language = header.get("srclang", "") if header is not None else ""
    if not _LANGUAGE_CODE.match(source_language):
        raise ParallelDataImportError("the TMX <header> needs a srclang language code")
    units = []
    targets_seen: list[str] = []
    result = ImportedParallelData(source_language, targets_seen)
    inject = _Injector(fail_first)
    for unit in root.iter("tu"):
        content = ET.tostring(unit, encoding="unicode")[:300]
        segments: dict[str, str] = {}
        problem = None
        for variant in unit.findall("tuv"):
            language = variant.get(_XML_LANG) or variant.get("lang")
            seg = variant.find("seg")
            if not language or seg is None:
                problem = "every <tuv> needs xml:lang and <seg>"
                break
            segments[language] = "".join(seg.itertext())
        source = next((s for lang, s in segments.items() if lang.lower() == source_language.lower()), None)
        if problem is None and (source is None or len(segments) < 2):
            problem = "a <tu> needs a source <tuv> and at least one target <tuv>"
        if problem is None and inject.fires():
            problem = "injected failure (LocalFaults.parallel_data_failed_records)"
        if problem is not None or source is None:
            result.failed += 1
            result.messages.append({"content": content, "message": problem or "no source segment"})
            continue
        targets = {lang: s for lang, s in segments.items() if lang.lower() != source_language.lower()}
        changed = unit.get("changedate", "")
        units.append((changed, source, targets, content))
    # Duplicates: the newest changedate wins, else the last one (a stable sort keeps file order).
    for _, source, targets, content in sorted(units, key=lambda u: u[0]):
        for language in targets:
            if language not in targets_seen:
                targets_seen.append(language)
        _add_record(result, source, targets, content)
    return result
