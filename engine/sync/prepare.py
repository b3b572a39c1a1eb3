"""The slow part of planning a section, cached: the translation map and upstream's sentences.

Aligning the old source with its translation and splitting prose into sentences are pure
functions of the texts, so with a work directory they are kept under `WORKDIR/cache/sync/`
(the raw alignment also under `WORKDIR/cache/align/`, shared with `amts-tui align`), keyed by a
hash of exactly what they depend on. `prepare_section` runs in worker processes on a cold cache;
a warm plan reads JSON and parses Markdown, nothing more.
"""

from __future__ import annotations

import hashlib
import json
import re
from functools import lru_cache
from pathlib import Path

from amts.engine.align.book_alignment import ALIGNER_VERSION, AlignmentCache, align_texts, alignment_cache_key
from amts.engine.align.document import SectionAlignment
from amts.engine.atomic import write_text_atomic
from amts.engine.errors import AmtsError
from amts.engine.markup.markdown import parse_markdown
from amts.engine.sync.translation_map import (
    MAP_VERSION,
    TranslationMap,
    block_sentences,
    map_translation,
    strip_review_comments,
)

Sentences = dict[int, tuple[str, ...]]


@lru_cache(maxsize=1)
def code_digest() -> str:
    """A hash of the code whose output the sync caches hold (markup, alignment, sync): any change
    to it, released or not, makes every cached entry a miss instead of a stale answer."""
    h = hashlib.sha256()
    engine = Path(__file__).resolve().parent.parent
    for package in ("markup", "align", "sync"):
        for source in sorted((engine / package).glob("*.py")):
            h.update(source.name.encode())
            h.update(source.read_bytes())
    return h.hexdigest()


def _digest(*parts: str) -> str:
    h = hashlib.sha256()
    for part in (MAP_VERSION, ALIGNER_VERSION, code_digest(), *parts):
        h.update(part.encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()


class SyncCache:
    """Maps and sentence splits on disk under WORKDIR/cache/sync (no work directory: no cache)."""

    def __init__(self, workdir: Path | None):
        self.root = Path(workdir) / "cache" / "sync" if workdir else None

    def get(self, kind: str, key: str):
        if self.root is None:
            return None
        try:
            return json.loads((self.root / f"{kind}-{key}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None  # missing or damaged: a miss

    def put(self, kind: str, key: str, data) -> None:
        if self.root is None:
            return
        try:
            write_text_atomic(self.root / f"{kind}-{key}.json", json.dumps(data, ensure_ascii=False))
        except (OSError, AmtsError):
            pass  # an unwritable work directory costs speed, never correctness


class CacheMiss(LookupError):
    """A cached-only preparation found something missing."""


#: A sentence that ends inside d2l's slide markers: `... graph.**] For example, ...`.
_MARKED_END = re.compile(r"(?<=[.?!。？！])\*\*[\])](?=\s+\S)")


def split_after_slide_markers(sentences: tuple[str, ...]) -> tuple[str, ...]:
    """Upstream's sentences, also cut where a closing slide marker follows a sentence's end (the
    segmenter masks the marker and so sees no boundary there)."""
    out: list[str] = []
    for sentence in sentences:
        start = 0
        for match in _MARKED_END.finditer(sentence):
            out.append(sentence[start:match.end()].strip())
            start = match.end()
        out.append(sentence[start:].strip())
    return tuple(s for s in out if s)


def document_sentences(text: str, lang: str, cache: SyncCache, cached_only: bool = False) -> Sentences:
    """Prose block index → its sentences (as the aligner splits them)."""
    key = _digest("sentences", lang, text)
    data = cache.get("sentences", key)
    if isinstance(data, list):
        try:
            return {int(j): tuple(s) for j, s in data}
        except (TypeError, ValueError):
            pass
    if cached_only:
        raise CacheMiss(key)
    out = {j: split_after_slide_markers(block_sentences(b, lang))
           for j, b in enumerate(parse_markdown(text).blocks) if b.is_prose}
    cache.put("sentences", key, [[j, list(s)] for j, s in out.items()])
    return out


def translation_map(name: str, old: str, target: str, source_lang: str, target_lang: str,
                    cache: SyncCache, alignments: AlignmentCache, cached_only: bool = False) -> TranslationMap:
    key = _digest("map", source_lang, target_lang, old, target)
    data = cache.get("map", key)
    if isinstance(data, dict):
        try:
            return TranslationMap.from_json(data, old, target)
        except (KeyError, TypeError, ValueError):
            pass
    if cached_only:
        raise CacheMiss(key)
    clean = strip_review_comments(target)
    align_key = alignment_cache_key(old, clean, source_lang, target_lang)
    aligned = alignments.get(name, align_key)
    if aligned is None:
        aligned = align_texts(name, old, clean, source_lang, target_lang)
        alignments.put(align_key, aligned)
    alignment = SectionAlignment(list(aligned.paragraph_pairs), list(aligned.sentence_pairs))
    mapping = map_translation(old, target, source_lang, target_lang, name, alignment)
    cache.put("map", key, mapping.to_json())
    return mapping


def prepare_section(name: str, old: str, target: str, new: str, source_lang: str, target_lang: str,
                    workdir: Path | None, with_map: bool, cached_only: bool = False,
                    ) -> tuple[TranslationMap | None, Sentences]:
    """The map (when the section changed upstream) and upstream's sentences of one section;
    `cached_only` raises CacheMiss instead of computing what the cache does not hold."""
    cache = SyncCache(workdir)
    sentences = document_sentences(new, source_lang, cache, cached_only)
    if not with_map:
        return None, sentences
    return translation_map(name, old, target, source_lang, target_lang, cache, AlignmentCache(workdir),
                           cached_only), sentences


def prepare_job(args: tuple) -> tuple[TranslationMap | None, Sentences]:
    return prepare_section(*args)
