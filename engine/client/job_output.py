"""Find a finished batch job's output in S3, map ``<lang>.<file>`` back to inputs, read errors.

Amazon Translate writes ``<output prefix>/<AccountId>-TranslateText-<JobId>/`` holding one
``<lang>.<input file name>`` per document and ``details/<lang>.auxiliary-translation-details.json``
per target language. Whether input subfolders are mirrored is undocumented, so both layouts map.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from amts.engine.errors import AmtsError

DETAILS_FOLDER = "details"
DETAILS_SUFFIX = ".auxiliary-translation-details.json"
_S3_URI = re.compile(r"^s3://([^/]+)/?(.*)$")


@dataclass(frozen=True)
class DocumentError:
    """One document the job could not translate, as the details file names it."""

    language: str
    source_file: str
    message: str


@dataclass(frozen=True)
class SegmentCounts:
    """Segments translated and left untranslated (the local backend's details report them;
    Amazon's do not, and they stay 0)."""

    translated: int = 0
    untranslated: int = 0

    @classmethod
    def from_details(cls, entry: Mapping[str, Any]) -> SegmentCounts:
        """From a details entry's `translatedSegments` / `untranslatedSegments`."""
        return cls(int(entry.get("translatedSegments") or 0), int(entry.get("untranslatedSegments") or 0))


@dataclass(frozen=True)
class JobFigures:
    """What a details file says of a job in one language: characters billed, segments, and
    the segments of each document by its input file name."""

    characters: int = 0
    segments: SegmentCounts = SegmentCounts()
    per_document: dict[str, SegmentCounts] = field(default_factory=dict)


def job_figures(details: Mapping[str, Any]) -> JobFigures:
    """The figures of a parsed details file (`charactersTranslated`, the local backend's segment
    counts, and each `details[]` entry's `auxiliaryData`)."""
    per_document = {PurePosixPath(str(d.get("sourceFile", ""))).name:
                    SegmentCounts.from_details(d.get("auxiliaryData") or {})
                    for d in details.get("details") or () if isinstance(d, Mapping)}
    return JobFigures(int(details.get("charactersTranslated") or 0), SegmentCounts.from_details(details),
                      per_document)


@dataclass(frozen=True)
class JobOutput:
    """A downloaded job: translated files by input path, per-document errors, details JSON.

    ``files`` maps each input's path relative to the input prefix to its downloaded translation
    in the job's first target language; ``files_by_language`` has every target language.
    ``details`` maps a language to its parsed details file, including any fields beyond the
    documented ones (the local backend adds untranslated-segment counts).
    """

    job_id: str
    output_prefix: str
    files: dict[str, Path]
    errors: list[DocumentError]
    details: dict[str, dict[str, Any]]
    files_by_language: dict[str, dict[str, Path]] = field(default_factory=dict)

    def figures(self, language: str) -> JobFigures:
        """The details' figures for `language` (else the first language the job reported)."""
        details = self.details.get(language) or next(iter(self.details.values()), {})
        return job_figures(details)


def parse_s3_uri(uri: str) -> tuple[str, str]:
    """``s3://bucket/key/prefix`` → ``("bucket", "key/prefix")``."""
    match = _S3_URI.match(uri or "")
    if not match:
        raise AmtsError(f"not an S3 URI: {uri!r} (expected s3://bucket/prefix)")
    return match.group(1), match.group(2)


def is_job_folder(prefix: str, job_id: str) -> bool:
    """True for ``…/<digits>-TranslateText-<job_id>/``, the folder Amazon Translate writes to."""
    name = prefix.rstrip("/").rsplit("/", 1)[-1]
    return re.fullmatch(rf"\d+-TranslateText-{re.escape(job_id)}", name) is not None


def details_language(relative_key: str) -> str | None:
    """The language of a ``details/<lang>.auxiliary-translation-details.json`` key, else None."""
    parts = relative_key.split("/")
    if len(parts) == 2 and parts[0] == DETAILS_FOLDER and parts[1].endswith(DETAILS_SUFFIX):
        return parts[1][: -len(DETAILS_SUFFIX)]
    return None


def map_output_key(
    relative_key: str, input_paths: Iterable[str], target_languages: Iterable[str]
) -> tuple[str, str] | None:
    """Map an output key (relative to the job folder) to ``(language, input relative path)``.

    Three layouts map back, since how Amazon Translate names outputs of input subfolders is
    undocumented: the code on the file name (``sub/zh.a.html``), on the whole relative key
    (``zh.sub/a.html``, as the local backend writes), or a flat folder (``zh.a.html`` for the one
    input named ``a.html``). None for keys with no target-language prefix (or details files).
    """
    if details_language(relative_key) is not None:
        return None
    inputs = set(input_paths)
    folder, _, name = relative_key.rpartition("/")
    # Longest code first, so that "zh-TW.x" is not read as language "zh" with file "TW.x".
    for language in sorted(target_languages, key=len, reverse=True):
        mark = language + "."
        candidates = []
        if name.startswith(mark) and len(name) > len(mark):
            candidates.append(f"{folder}/{name[len(mark):]}" if folder else name[len(mark):])
        if folder and relative_key.startswith(mark):
            candidates.append(relative_key[len(mark):])
        if not candidates:
            continue
        for candidate in candidates:
            if candidate in inputs:
                return language, candidate
        same_name = [p for p in inputs if PurePosixPath(p).name == name[len(mark):]]
        if name.startswith(mark) and len(same_name) == 1:
            return language, same_name[0]
        return language, candidates[0]
    return None


def _looks_like_error(key: str, value: Any) -> bool:
    return "error" in key.lower() and bool(value) and not key.lower().startswith("documentcount")


def _as_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _source_of(entry: Mapping[str, Any]) -> str:
    return str(entry.get("sourceFile") or entry.get("file") or "")


def document_errors(language: str, details: Mapping[str, Any]) -> list[DocumentError]:
    """Per-document errors from a details file.

    Their shape is undocumented, so any entry of ``details[]`` with a non-empty field whose name
    contains "error" counts (``errorMessage``, ``error``, ``errors``…), and so does every entry of
    a top-level ``errors`` list.
    """
    found: list[DocumentError] = []
    for entry in details.get("details") or ():
        if not isinstance(entry, Mapping):
            continue
        problems = [_as_text(v) for k, v in entry.items() if _looks_like_error(k, v)]
        if entry.get("errorCode") and entry.get("errorMessage"):
            problems = [f"{entry['errorCode']}: {_as_text(entry['errorMessage'])}"]
        if problems:
            found.append(DocumentError(language, _source_of(entry), "; ".join(problems)))
    for entry in details.get("errors") or ():
        if isinstance(entry, Mapping):
            message = entry.get("message") or entry.get("errorMessage") or entry
            found.append(DocumentError(language, _source_of(entry), _as_text(message)))
        else:
            found.append(DocumentError(language, "", _as_text(entry)))
    return found


def parse_details(raw: bytes, key: str) -> dict[str, Any]:
    """Decode one details file; AmtsError naming the key when it is not JSON."""
    try:
        value = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise AmtsError(f"the job details file s3 key {key!r} is not valid JSON: {exc}") from exc
    if not isinstance(value, dict):
        raise AmtsError(f"the job details file s3 key {key!r} is not a JSON object")
    return value
