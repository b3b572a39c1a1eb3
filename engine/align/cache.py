"""Section alignments cached on disk under WORKDIR/cache/align, keyed by content and aligner code.

Alignment is a pure function of the two texts, the two languages and the aligner's code, so the
key hashes exactly those: the texts, the languages, `ALIGNER_VERSION`, pysbd's version and a
fingerprint of the source of the modules that decide segmentation and alignment. Any change there
(a new splitter rule, a new cost) makes new keys, so a cache never serves a stale alignment, even
when nobody remembered to bump the version.

Entries are compact JSON (rows, not objects) written by rename without fsync: a cache entry lost
or torn by a crash is just a miss.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

import pysbd

from amts.engine.align.pairs import AlignedPair, AlignmentWarning, SectionAlignmentResult, Side
from amts.engine.atomic import write_text_atomic
from amts.engine.errors import AmtsError

#: Bump when alignment output changes in a way the code fingerprint cannot see (e.g. data files).
ALIGNER_VERSION = "4"

_ALIGN = Path(__file__).resolve().parent
_MARKUP = _ALIGN.parent / "markup"
_FINGERPRINTED = (*sorted(_ALIGN.glob("*.py")), _MARKUP / "markdown.py", _MARKUP / "review_comments.py",
                  *sorted(_MARKUP.glob("segment*.py")))


@lru_cache(maxsize=1)
def aligner_fingerprint() -> str:
    """A hash of the code that decides segmentation and alignment (and the library it relies on)."""
    digest = hashlib.sha256(f"{ALIGNER_VERSION}\0{pysbd.__version__}".encode())
    for path in _FINGERPRINTED:
        try:
            digest.update(path.read_bytes())
        except OSError:  # an installation without sources: the version alone must do
            digest.update(path.name.encode())
    return digest.hexdigest()[:16]


def cache_key(source_text: str, target_text: str, source_lang: str, target_lang: str) -> str:
    digest = hashlib.sha256()
    for part in (aligner_fingerprint(), source_lang, target_lang, source_text, "\0", target_text):
        digest.update(part.encode("utf-8"))
    return digest.hexdigest()


def _rows(pairs: tuple[AlignedPair, ...]) -> list[list]:
    return [[p.source, p.target, p.confidence, p.bead, p.source_line, p.target_line] for p in pairs]


def _pairs(rows: list[list], granularity: str, path: str) -> tuple[AlignedPair, ...]:
    return tuple(AlignedPair(source, target, confidence, bead, granularity, path, source_line, target_line)
                 for source, target, confidence, bead, source_line, target_line in rows)


class AlignmentCache:
    """Section alignments on disk, keyed by `cache_key`; no work directory, no cache."""

    def __init__(self, workdir: Path | None):
        self.root = Path(workdir) / "cache" / "align" if workdir else None

    def get(self, name: str, key: str) -> SectionAlignmentResult | None:
        """The cached alignment of section `name` (its pairs carry that name as their path)."""
        if self.root is None:
            return None
        try:
            data = json.loads((self.root / f"{key}.json").read_text(encoding="utf-8"))
            return SectionAlignmentResult(
                name, _pairs(data["paragraphs"], "paragraph", name), _pairs(data["sentences"], "sentence", name),
                tuple(AlignmentWarning(Side(side), line, message, file)
                      for side, line, message, file in data["warnings"]), cached=True)
        except (OSError, ValueError, TypeError, KeyError):
            return None  # a missing or damaged entry is just a miss

    def put(self, key: str, result: SectionAlignmentResult) -> None:
        if self.root is None:
            return
        entry = {"paragraphs": _rows(result.paragraph_pairs), "sentences": _rows(result.sentence_pairs),
                 "warnings": [[w.side, w.line, w.message, w.file] for w in result.warnings]}
        try:
            write_text_atomic(self.root / f"{key}.json", json.dumps(entry, ensure_ascii=False), durable=False)
        except (OSError, AmtsError):
            pass  # an unwritable work directory costs speed, never correctness
