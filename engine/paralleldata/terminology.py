"""Term lists in d2l-zh's TERMINOLOGY.md format: parse, check a translation's consistency, export.

TERMINOLOGY.md holds lines `中文，english` (a full-width comma between them) under Markdown
headings. The English side may carry a parenthesis: an abbreviation, `long short-term memory
(LSTM)`, or a qualifier, `momentum (method)`; either way the text before it is the term.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from amts.engine.atomic import write_text_atomic
from amts.engine.errors import AmtsError

TERM_SEPARATOR = "，"  # U+FF0C FULLWIDTH COMMA
MAX_TERM_BYTES = 200  # Amazon custom terminology: 200 bytes per term (limits page).
_PARENTHESIS = re.compile(r"^(?P<term>.+?)\s*\((?P<inner>[^()]+)\)$")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


@dataclass(frozen=True, slots=True)
class Term:
    """One entry oriented source→target, with the forms that count as the term in a text.

    `source` and `target` are the entry as written; the forms are what is matched: for English
    the term without its parenthesis, and an abbreviation in it (LSTM) on its own.
    """

    source: str
    target: str
    source_forms: tuple[str, ...]
    target_forms: tuple[str, ...]
    line: int = 0


@dataclass(frozen=True, slots=True)
class TermReport:
    """Terms of a list found in a source text, and whether the output uses their translation.

    `present` and `consistent` are counts; `missing` are the present terms the output lacks.
    """

    present: int
    consistent: int
    missing: tuple[Term, ...]

    @property
    def consistency(self) -> float:
        """Share of present terms translated as the list requires (1.0 when none is present)."""
        return self.consistent / self.present if self.present else 1.0


def english_forms(english: str) -> tuple[str, ...]:
    """The forms of an English entry matched in text: `a (B)` gives `a` and abbreviation `B`."""
    match = _PARENTHESIS.match(english.strip())
    if not match:
        return (english.strip(),)
    term, inner = match["term"], match["inner"].strip()
    # An abbreviation (LSTM, i.i.d.) stands for the term on its own; a qualifier (method) does not.
    if " " not in inner and (any(ch.isupper() for ch in inner) or "." in inner):
        return (term, inner)
    return (term,)


def parse_terminology(path: str | Path, source_lang: str = "en",
                      target_lang: str = "zh") -> list[Term]:
    """Terms of a TERMINOLOGY.md file oriented en→zh or zh→en; AmtsError names a bad line."""
    langs = (source_lang.split("-")[0].lower(), target_lang.split("-")[0].lower())
    if langs not in {("en", "zh"), ("zh", "en")}:
        raise AmtsError(f"a TERMINOLOGY.md list is Chinese–English; cannot orient it "
                        f"{source_lang}→{target_lang}", path)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise AmtsError(f"cannot read the term list: {exc.strerror}", path) from None
    except UnicodeDecodeError:
        raise AmtsError("the term list is not UTF-8", path) from None
    terms = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        chinese, separator, english = line.partition(TERM_SEPARATOR)
        chinese, english = chinese.strip(), english.strip()
        if not separator or not chinese or not english:
            raise AmtsError(f"expected `中文{TERM_SEPARATOR}english`, got {line!r}", path, number)
        zh_forms, en_forms = (chinese,), english_forms(english)
        if langs[0] == "en":
            terms.append(Term(english, chinese, en_forms, zh_forms, number))
        else:
            terms.append(Term(chinese, english, zh_forms, en_forms, number))
    return terms


@cache
def _form_pattern(form: str) -> re.Pattern[str]:
    if _CJK.search(form):
        return re.compile(re.escape(form))  # Chinese has no word boundaries: a substring.
    # Whole words, any case, plural allowed; lookarounds because a form may end in "." (i.i.d.).
    plural = "(?:s|es)?" if form[-1:].isalpha() else ""
    return re.compile(rf"(?<!\w){re.escape(form)}{plural}(?!\w)", re.IGNORECASE)


def _contains_any(text: str, forms: Iterable[str]) -> bool:
    return any(_form_pattern(form).search(text) for form in forms)


def terminology_hits(source_text: str, output_text: str, terms: Iterable[Term]) -> TermReport:
    """Which terms occur in the source, and which of those the output translates as listed."""
    present = consistent = 0
    missing = []
    for term in terms:
        if not _contains_any(source_text, term.source_forms):
            continue
        present += 1
        if _contains_any(output_text, term.target_forms):
            consistent += 1
        else:
            missing.append(term)
    return TermReport(present, consistent, tuple(missing))


def terminology_csv(terms: Iterable[Term], src: str, tgt: str) -> tuple[str, int]:
    """An Amazon custom-terminology CSV (header `src,tgt`) and how many terms it holds.

    Amazon matches terms exactly and case-sensitively, so each side is its main form (the term
    without its parenthesis: the text Amazon will actually meet). Abbreviations get no row of
    their own, as they stay untranslated in Chinese text. A term over 200 bytes, or a source seen
    before, is left out.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([src, tgt])
    seen: set[str] = set()
    for term in terms:
        source, target = term.source_forms[0], term.target_forms[0]
        if source in seen or max(len(source.encode()), len(target.encode())) > MAX_TERM_BYTES:
            continue
        seen.add(source)
        writer.writerow([source, target])
    return out.getvalue(), len(seen)


def write_terminology_csv(terms: Iterable[Term], path: str | Path, src: str, tgt: str) -> int:
    """Write `terminology_csv` to a file atomically; return how many terms it holds."""
    text, count = terminology_csv(terms, src, tgt)
    write_text_atomic(path, text)
    return count
