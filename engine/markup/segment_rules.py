"""Sentence ends by rule, for languages pysbd does not know (ko, tr, vi, pt, ...).

The rules follow the text of the d2l editions as it is (machine translation included) and the gold
annotation guide (`../shared/gold/GUIDE.md`). Common to every language here:

* A sentence ends at `.`, `?`, `!` or `…` (with any closing quotes, brackets, emphasis or d2l slide
  markers `**)` `**]` that follow) when whitespace and the start of a sentence come next. A
  sentence starts with a capital or caseless letter (Hangul), a digit, or a protected span:
  ":numref:`x` shows", "$x$ is" and "`f` returns" start sentences in every edition.
* A period never ends a sentence after an abbreviation of the language (`e.g.`, `örn.`), after a
  single-letter initial, or before a lower-case word (`0.5`, file names and other periods without
  a space after them never do either).
* Abbreviations that may close a sentence themselves (`etc.`, Turkish `vb.`, Vietnamese `v.v.`)
  end one only before a capital letter.

Per language (`RULES`):

* **ko** (Korean): the machine translation of the ko edition often drops the space after a sentence
  end (`있습니다.이것은`, `생성되었습니다.:numref:`), so a `.?!` right after a Hangul letter (or a
  closing bracket, emphasis or inline math after one) ends a sentence when a sentence start
  follows, space or not. A Latin letter or digit before the period never does: `d2l.ai`, `0.5`.
* **tr** (Turkish): a number followed by `.` is an ordinal (`3. zaman adımı`, `19. yüzyıl`) unless a
  capital letter follows; abbreviations `örn.` `ör.` `bkz.` `ark.` (`ve ark.`, et al.) never end a
  sentence, `vb.` `vs.` may.
* **vi** (Vietnamese): `v.v.` (etc.) may end a sentence; titles `TS.` `ThS.` `GS.` `PGS.` never do.
* **pt** and any other language: the common rules with a European abbreviation list.

A sentence end with no space after it is split only in Korean: elsewhere it is a rare typo that the
gold annotation keeps inside one sentence (`ediyoruz.Motivasyon` in tr).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Abbreviations of the English that every edition quotes (d2l cites papers and figures).
COMMON_NEVER_END = frozenset(
    """e.g i.e fig figs eq eqs sec vs cf al approx ca resp incl dr mr mrs ms prof st nr vol pp p ch
    chap ed eds jr sr inc ltd co corp jan feb mar apr jun jul aug sep sept oct nov dec""".split()
)
COMMON_MAY_END = frozenset({"etc"})
EUROPEAN_NEVER_END = frozenset(
    "no sra srta dra pág págs núm ex av obs art bzw usw z.b d.h".split()
)


@dataclass(frozen=True, slots=True)
class LanguageRules:
    """What ends a sentence in one language, beyond the common rules."""

    name: str
    never_end: frozenset[str] = frozenset()  # lower case, without the final period
    may_end: frozenset[str] = frozenset()  # end a sentence only before a capital letter
    ordinals: bool = False  # `3.` before anything but a capital is an ordinal, not an end
    no_space_ends: bool = False  # `다.이것은`: a sentence end needs no space after it
    description: str = ""


RULES = {
    "ko": LanguageRules(
        "Korean", COMMON_NEVER_END, COMMON_MAY_END, no_space_ends=True,
        description=".?! + space or + a sentence start with no space (다.이것은), abbreviations"),
    "tr": LanguageRules(
        "Turkish", COMMON_NEVER_END | {"örn", "ör", "bkz", "ark", "yak", "çev", "doç", "s", "sf"},
        COMMON_MAY_END | {"vb", "vs", "vd"}, ordinals=True,
        description=".?! + space + sentence start, ordinals (3.), örn. bkz. vb."),
    "vi": LanguageRules(
        "Vietnamese", COMMON_NEVER_END | {"ts", "ths", "gs", "pgs", "tr"}, COMMON_MAY_END | {"v.v"},
        description=".?! + space + sentence start, v.v. TS. ThS."),
    "pt": LanguageRules(
        "Portuguese", COMMON_NEVER_END | EUROPEAN_NEVER_END, COMMON_MAY_END,
        description=".?! + space + sentence start, European abbreviations"),
}
GENERIC_RULES = LanguageRules(
    "", COMMON_NEVER_END | EUROPEAN_NEVER_END, COMMON_MAY_END,
    description="generic rules (.?! + space + sentence start, English and European abbreviations)")


def rules_for(code: str) -> LanguageRules:
    return RULES.get(code, GENERIC_RULES)


SPAN = "\ue000"  # stands for every character of a protected span in the masked text
_CLOSERS = frozenset("\"'”’」』）》】)]*_")
_OPENERS = frozenset("\"'“‘«([*_")
_END = re.compile(r"[.?!…]+")
_HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")


def _is_caseless_letter(ch: str) -> bool:
    return ch.isalpha() and not ch.isupper() and not ch.islower()


def _skip(text: str, position: int, chars: frozenset[str]) -> int:
    while position < len(text) and text[position] in chars:
        position += 1
    return position


def _starts_sentence(masked: str, position: int) -> bool:
    """Whether a sentence can start at `position` (openers skipped)."""
    position = _skip(masked, position, _OPENERS)
    if position >= len(masked):
        return False
    first = masked[position]
    return first == SPAN or first.isupper() or first.isdigit() or _is_caseless_letter(first)


def _word_before(masked: str, end: int) -> str:
    """The word a period closes, lower case, without leading openers ('' after a protected span)."""
    start = end
    while start > 0 and not masked[start - 1].isspace():
        start -= 1
    word = masked[start:end].lstrip("".join(_OPENERS))
    return "" if SPAN in word else word.lower()


def _ends_without_space(masked: str, start: int, position: int) -> bool:
    """Korean: the sentence end `masked[start]` with a sentence start right after it, no space."""
    before = start
    while before > 0 and masked[before - 1] in _CLOSERS:
        before -= 1
    if before == 0:
        return False
    last = masked[before - 1]
    if not (_HANGUL.match(last) or last == SPAN):
        return False
    following = masked[_skip(masked, position, _OPENERS)] if position < len(masked) else ""
    return bool(following) and (following == SPAN or following.isupper() or following.isdigit()
                                or _is_caseless_letter(following))


def rule_cuts(masked: str, rules: LanguageRules) -> list[int]:
    """Offsets where sentences end, in a text whose protected spans are masked with `SPAN`."""
    cuts = []
    for match in _END.finditer(masked):
        punct = match.group()
        end = _skip(masked, match.end(), _CLOSERS)
        following = end
        while following < len(masked) and masked[following].isspace():
            following += 1
        if following >= len(masked):
            continue  # the end of the text ends the sentence anyway
        if following == end:  # no space after the punctuation
            if rules.no_space_ends and not punct.startswith("…") and _ends_without_space(masked, match.start(), end):
                cuts.append(end)
            continue
        if not _starts_sentence(masked, following):
            continue
        capital_next = masked[_skip(masked, following, _OPENERS)].isupper()
        if punct == ".":
            word = _word_before(masked, match.start())
            if word in rules.never_end or (word in rules.may_end and not capital_next):
                continue
            if len(word) == 1 and word.isalpha() and not _is_caseless_letter(word):
                continue  # an initial: "J. Smith"
            if rules.ordinals and word.isdigit() and not capital_next:
                continue
        elif punct.startswith("…") or punct.startswith(".."):
            if not (capital_next or _is_caseless_letter(masked[following])):
                continue
        cuts.append(end)
    return cuts
