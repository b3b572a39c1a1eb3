"""What a "book" is (SPEC §2): a d2lbook translation repo, two parallel trees, or explicit pairs.

Discovery never fails on one bad file: what has no counterpart, or cannot be read, is reported
as a `SkippedFile` and the rest of the book goes on.
"""

from __future__ import annotations

import configparser
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from amts.engine.errors import AmtsError
from amts.engine.textfile import read_utf8

ORIGIN_SUFFIX = "_origin.md"


@dataclass(frozen=True, slots=True)
class Section:
    """One source file and its translation. `name` is the translation's path relative to the book."""

    name: str
    source_path: Path
    target_path: Path


@dataclass(frozen=True, slots=True)
class SkippedFile:
    path: str
    reason: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.reason}"


@dataclass(frozen=True, slots=True)
class Book:
    root: Path
    source_lang: str
    target_lang: str
    sections: tuple[Section, ...]
    skipped: tuple[SkippedFile, ...] = field(default=())
    title: str = ""
    layout: str = "translation-repo"  # translation-repo | trees | pairs

    def section(self, name: str) -> Section:
        for s in self.sections:
            if s.name == name:
                return s
        raise AmtsError(f"no section {name!r} in the book", self.root)


@dataclass(frozen=True, slots=True)
class BookConfig:
    lang: str
    origin_lang: str | None
    title: str


def read_book_config(root: Path) -> BookConfig:
    """Read d2lbook's config.ini: `[project] lang` and `[translation] origin_lang`."""
    path = root / "config.ini"
    if not path.is_file():
        raise AmtsError(
            "not a d2lbook book: no config.ini (for two parallel trees use --source DIR --target DIR)",
            root,
        )
    parser = configparser.RawConfigParser(strict=False, interpolation=None)
    try:
        parser.read_string(path.read_text(encoding="utf-8"), source=str(path))
    except (OSError, UnicodeDecodeError, configparser.Error) as exc:
        raise AmtsError(f"cannot read d2lbook config: {exc}", path) from None
    lang = parser.get("project", "lang", fallback="").strip()
    if not lang:
        raise AmtsError("config.ini has no [project] lang", path)
    origin = parser.get("translation", "origin_lang", fallback="").strip() or None
    title = parser.get("project", "title", fallback="").strip()
    return BookConfig(lang=lang, origin_lang=origin, title=title)


def read_markdown_file(path: Path, display: str | None = None) -> str:
    """Read a Markdown file as UTF-8, with an error naming the file (and line) when it is not."""
    name = display or str(path)
    text = read_utf8(path, name)
    if not text.strip():
        raise AmtsError("file is empty", name)
    return text


def _is_book_markdown(path: Path, root: Path) -> bool:
    rel = path.relative_to(root)
    return not any(part.startswith(".") or part == "_build" for part in rel.parts)


def discover_translation_repo(root: Path) -> Book:
    """A d2lbook translation repo: `NAME_origin.md` (source) beside `NAME.md` (translation)."""
    root = Path(root)
    if not root.is_dir():
        raise AmtsError("book folder not found", root)
    config = read_book_config(root)
    if not config.origin_lang:
        raise AmtsError(
            "config.ini has no [translation] origin_lang: not a translation repo "
            "(use --source DIR --target DIR for two parallel trees)",
            root / "config.ini",
        )
    sections: list[Section] = []
    skipped: list[SkippedFile] = []
    origins = {p for p in root.rglob(f"*{ORIGIN_SUFFIX}") if _is_book_markdown(p, root)}
    for origin in sorted(origins):
        target = origin.with_name(origin.name[: -len(ORIGIN_SUFFIX)] + ".md")
        rel = target.relative_to(root).as_posix()
        if target.exists():
            sections.append(Section(rel, origin, target))
        else:
            skipped.append(SkippedFile(origin.relative_to(root).as_posix(), "no translation beside it"))
    for md in sorted(root.rglob("*.md")):
        if md in origins or not _is_book_markdown(md, root) or md.parent == root:
            continue
        origin = md.with_name(md.stem + ORIGIN_SUFFIX)
        if not origin.exists():
            skipped.append(SkippedFile(md.relative_to(root).as_posix(), f"no {origin.name} beside it"))
    return Book(root, config.origin_lang, config.lang, tuple(sections), tuple(skipped), config.title)


def discover_trees(source: Path, target: Path, source_lang: str, target_lang: str) -> Book:
    """Two parallel trees: the same relative paths, different languages."""
    source, target = Path(source), Path(target)
    for d in (source, target):
        if not d.is_dir():
            raise AmtsError("folder not found", d)
    src = {p.relative_to(source).as_posix() for p in source.rglob("*.md") if _is_book_markdown(p, source)}
    tgt = {p.relative_to(target).as_posix() for p in target.rglob("*.md") if _is_book_markdown(p, target)}
    sections = tuple(Section(rel, source / rel, target / rel) for rel in sorted(src & tgt))
    skipped = [SkippedFile(str(source / rel), "no counterpart in the target tree") for rel in sorted(src - tgt)]
    skipped += [SkippedFile(str(target / rel), "no counterpart in the source tree") for rel in sorted(tgt - src)]
    return Book(target, source_lang, target_lang, sections, tuple(skipped), layout="trees")


def book_from_pairs(pairs: list[tuple[Path, Path]], source_lang: str, target_lang: str) -> Book:
    """Explicit (source file, translation file) pairs, for any document set."""
    sections, skipped = [], []
    for src, tgt in pairs:
        src, tgt = Path(src), Path(tgt)
        missing = [p for p in (src, tgt) if not p.is_file()]
        if missing:
            skipped.append(SkippedFile(str(missing[0]), "file not found"))
        else:
            sections.append(Section(str(tgt), src, tgt))
    root = Path(pairs[0][1]).parent if pairs else Path(".")
    return Book(root, source_lang, target_lang, tuple(sections), tuple(skipped), layout="pairs")


def open_book(path: Path | None = None, *, source: Path | None = None, target: Path | None = None,
              source_lang: str | None = None, target_lang: str | None = None) -> Book:
    """Open a book the way the CLI names it: a translation repo, or --source/--target trees.

    Languages given explicitly override the repo's config (to align zh→en from an en→zh repo).
    """
    if source is not None or target is not None:
        if source is None or target is None:
            raise AmtsError("--source and --target go together")
        if not (source_lang and target_lang):
            raise AmtsError("two trees need --source-lang and --target-lang")
        return discover_trees(source, target, source_lang, target_lang)
    if path is None:
        raise AmtsError("name a book: a d2lbook translation repo, or --source DIR --target DIR")
    book = discover_translation_repo(Path(path))
    if not (source_lang or target_lang):
        return book
    want = (source_lang or book.source_lang, target_lang or book.target_lang)
    if want == (book.source_lang, book.target_lang):
        return book
    if want == (book.target_lang, book.source_lang):
        return reversed_book(book)
    raise AmtsError(
        f"the book translates {book.source_lang}→{book.target_lang}, not {want[0]}→{want[1]}",
        Path(path) / "config.ini",
    )


def reversed_book(book: Book) -> Book:
    """The same sections with source and target swapped (e.g. zh→en from an en→zh repo)."""
    sections = tuple(Section(s.name, s.target_path, s.source_path) for s in book.sections)
    return Book(book.root, book.target_lang, book.source_lang, sections, book.skipped, book.title, book.layout)


def book_work_dir(workdir: Path, book_root: Path) -> Path:
    """Where a work directory keeps what it knows of one book (its exclusions, ...):
    `WORKDIR/books/<folder name>-<hash of the resolved path>`, the same for every direction the
    book is opened in and for every way its path is written."""
    root = Path(book_root).expanduser().resolve()
    digest = hashlib.sha256(str(root).encode("utf-8")).hexdigest()[:16]
    name = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in root.name)[:40] or "book"
    return Path(workdir) / "books" / f"{name}-{digest}"
