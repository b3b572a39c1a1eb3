"""The pairs a user excluded from a book's parallel data, kept in the work directory (SPEC §5).

An exclusion names a pair by what it is, not where a list showed it: its section and the text of
each side, per language, normalised (Unicode NFC, runs of whitespace as one space). So an excluded
pair stays excluded across restarts, when the book is opened the other way round (zh→en is the
same pair swapped), and when the book is aligned again without that pair's text changing (after
a sync, say). A pair whose text did change is a different pair and is no longer excluded.

An excluded paragraph also excludes the sentence pairs inside it (same section, both texts found
in the paragraph's), so that a job at sentence granularity honours what the user excluded while
looking at paragraphs. Excluding a sentence leaves its paragraph alone.

    store = ExclusionStore.for_book(workdir, book.root)
    exclusions = store.add([pair], book.source_lang, book.target_lang)   # written atomically
    result = apply_exclusions(pairs, exclusions, source_lang, target_lang)   # kept, excluded
    write_parallel_data(pairs, path, fmt, source_lang, target_lang, exclusions=store.read())

File (`WORKDIR/books/<book>/exclusions.json`, amts.engine.book.book_work_dir)::

    {"format": "amts-exclusions/1", "book": "/abs/path/of/the/book",
     "pairs": [{"section": "chapter_x/sec.md", "granularity": "sentence",
                "texts": {"en": "The English as aligned.", "zh": "译文。"}}, ...]}

Only the user clears it (`clear`); nothing else in AMTS removes an exclusion.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from amts.engine.align.pairs import AlignedPair
from amts.engine.atomic import write_text_atomic
from amts.engine.book import book_work_dir
from amts.engine.errors import AmtsError

EXCLUSIONS_FILE = "exclusions.json"
EXCLUSIONS_FORMAT = "amts-exclusions/1"

#: A pair as exclusions compare it: section, then (language, normalised text) of both sides in
#: language order, so that both directions of a book give the same key.
PairKey = tuple[str, tuple[tuple[str, str], ...]]


def normalise_text(text: str) -> str:
    """The form two texts are compared in: NFC, whitespace runs as one space, stripped."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def _sides(texts: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((lang.lower(), text) for lang, text in texts))


def pair_key(pair: AlignedPair, source_lang: str, target_lang: str) -> PairKey:
    """What identifies a pair for exclusion, the same whichever way round the book is opened."""
    return pair.path, _sides(((source_lang, normalise_text(pair.source)),
                              (target_lang, normalise_text(pair.target))))


@dataclass(frozen=True, slots=True)
class ExcludedPair:
    """One exclusion as stored: section, granularity, and each side's text as it was aligned."""

    section: str
    granularity: str
    texts: tuple[tuple[str, str], ...]  # (language, text), in language order

    @classmethod
    def of(cls, pair: AlignedPair, source_lang: str, target_lang: str) -> ExcludedPair:
        return cls(pair.path, pair.granularity, _sides(((source_lang, pair.source), (target_lang, pair.target))))

    def text(self, lang: str) -> str:
        """This side's text ("" when the exclusion has no such language)."""
        return next((text for code, text in self.texts if code == lang.lower()), "")

    @property
    def key(self) -> PairKey:
        return self.section, _sides((lang, normalise_text(text)) for lang, text in self.texts)

    def to_json(self) -> dict:
        return {"section": self.section, "granularity": self.granularity, "texts": dict(self.texts)}


@dataclass(frozen=True, slots=True)
class ExclusionResult:
    """What `apply_exclusions` kept, and how many pairs it left out."""

    kept: list[AlignedPair]
    excluded: int


class Exclusions:
    """The excluded pairs of a book as read at one moment: iterate them, ask about a pair."""

    def __init__(self, pairs: Iterable[ExcludedPair] = ()):
        by_key: dict[PairKey, ExcludedPair] = {}
        for excluded in pairs:
            by_key.setdefault(excluded.key, excluded)
        self._by_key = by_key
        # Per section, each exclusion's sides without any whitespace: what containment compares.
        self._solid: dict[str, list[tuple[PairKey, tuple[tuple[str, str], ...]]]] = {}
        for key in by_key:
            self._solid.setdefault(key[0], []).append((key, _solid_sides(key[1])))

    def __len__(self) -> int:
        return len(self._by_key)

    def __iter__(self) -> Iterator[ExcludedPair]:
        return iter(self._by_key.values())

    def excludes(self, pair: AlignedPair, source_lang: str, target_lang: str) -> bool:
        """Whether the pair is excluded: itself, or inside an excluded paragraph of its section."""
        if pair.path not in self._solid:
            return False  # no exclusion in its section: no need to normalise its texts (~17 µs)
        return bool(self._covering(pair, source_lang, target_lang))

    def _covering(self, pair: AlignedPair, source_lang: str, target_lang: str) -> list[PairKey]:
        """The keys of the exclusions that exclude this pair."""
        key = pair_key(pair, source_lang, target_lang)
        found = [key] if key in self._by_key else []
        sides = _solid_sides(key[1])
        if all(text for _, text in sides):  # an empty side is inside everything: exact matches only
            found += [other for other, other_sides in self._solid.get(pair.path, ())
                      if other != key and _inside(sides, other_sides)]
        return found

    def apply(self, pairs: Iterable[AlignedPair], source_lang: str, target_lang: str) -> ExclusionResult:
        """The pairs not excluded, in their order, and the number left out."""
        pairs = list(pairs)
        kept = [pair for pair in pairs if not self.excludes(pair, source_lang, target_lang)] if self._by_key else pairs
        return ExclusionResult(kept, len(pairs) - len(kept))


def apply_exclusions(pairs: Iterable[AlignedPair], exclusions: Exclusions | None, source_lang: str,
                     target_lang: str) -> ExclusionResult:
    """The pairs that are not excluded (all of them without exclusions), and how many were.
    `source_lang`/`target_lang` are the languages of the pairs' sides as given."""
    if exclusions is None:
        pairs = list(pairs)
        return ExclusionResult(pairs, 0)
    return exclusions.apply(pairs, source_lang, target_lang)


class ExclusionStore:
    """A book's exclusions on disk. Every change reads the file again, changes it and writes it
    atomically, so two processes of the same work directory lose nothing but a simultaneous edit."""

    def __init__(self, path: Path, book_root: Path | None = None):
        self.path = Path(path)
        self.book_root = None if book_root is None else Path(book_root).expanduser().resolve()

    @classmethod
    def for_book(cls, workdir: Path, book_root: Path) -> ExclusionStore:
        """The store of one book in a work directory (`WORKDIR/books/<book>/exclusions.json`)."""
        return cls(book_work_dir(workdir, book_root) / EXCLUSIONS_FILE, book_root)

    def read(self) -> Exclusions:
        """The exclusions as stored (none when the file does not exist yet)."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return Exclusions()
        except (OSError, UnicodeDecodeError) as exc:
            raise AmtsError(f"cannot read the excluded pairs: {exc}", self.path) from None
        return Exclusions(_parse(text, self.path))

    def add(self, pairs: Iterable[AlignedPair], source_lang: str, target_lang: str) -> Exclusions:
        """Exclude these pairs (already excluded ones stay as they are); the exclusions after."""
        current = list(self.read())
        return self._write(current + [ExcludedPair.of(p, source_lang, target_lang) for p in pairs])

    def remove(self, pairs: Iterable[AlignedPair], source_lang: str, target_lang: str) -> Exclusions:
        """Include these pairs again: every exclusion that excludes one of them goes, an excluded
        paragraph holding one too (which includes its other sentences again)."""
        current = self.read()
        gone = {key for p in pairs for key in current._covering(p, source_lang, target_lang)}
        if not gone:
            return current
        return self._write([e for e in current if e.key not in gone])

    def clear(self) -> Exclusions:
        """Exclude nothing any more (only ever on the user's request)."""
        return self._write([])

    def _write(self, pairs: list[ExcludedPair]) -> Exclusions:
        exclusions = Exclusions(pairs)
        data = {"format": EXCLUSIONS_FORMAT, "book": str(self.book_root) if self.book_root else "",
                "pairs": [e.to_json() for e in exclusions]}
        write_text_atomic(self.path, json.dumps(data, ensure_ascii=False, indent=1) + "\n")
        return exclusions


def _parse(text: str, path: Path) -> list[ExcludedPair]:
    """The stored exclusions; a damaged file is an error (dropping it would let excluded pairs
    back into a job without a word)."""
    hint = "fix it, or delete it to exclude nothing"
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise AmtsError(f"the excluded pairs cannot be read ({getattr(exc, 'msg', exc)}): {hint}", path,
                        getattr(exc, "lineno", None)) from None
    if not isinstance(data, dict) or data.get("format") != EXCLUSIONS_FORMAT or not isinstance(
            data.get("pairs"), list):
        raise AmtsError(f"not an {EXCLUSIONS_FORMAT} file: {hint}", path)
    out = []
    for number, entry in enumerate(data["pairs"], start=1):
        texts = entry.get("texts") if isinstance(entry, dict) else None
        if not (isinstance(texts, dict) and len(texts) == 2 and isinstance(entry.get("section"), str)
                and all(isinstance(k, str) and isinstance(v, str) for k, v in texts.items())):
            raise AmtsError(f"excluded pair {number} needs a section and the texts of two languages: {hint}", path)
        granularity = entry.get("granularity")
        out.append(ExcludedPair(entry["section"], granularity if isinstance(granularity, str) else "sentence",
                                _sides(texts.items())))
    return out


def _solid_sides(sides: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    return tuple((lang, "".join(text.split())) for lang, text in sides)


def _inside(sides: tuple[tuple[str, str], ...], outer: tuple[tuple[str, str], ...]) -> bool:
    return [lang for lang, _ in sides] == [lang for lang, _ in outer] and all(
        text in other for (_, text), (_, other) in zip(sides, outer))
