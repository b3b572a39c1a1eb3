"""What a run would cost on Amazon Translate: billable characters per job and variant, times price.

Prices from ../shared/amazon-translate.md §5. The official pricing page could not be retrieved;
the figures are those secondary sources citing it agree on, UNCONFIRMED against the page itself.
The free tier (2M characters/month for the first 12 months) is ignored on purpose: an estimate that
assumes it would be wrong for every account past its first year, and a budget check
(`max_cost_usd`) must not be too low.
"""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from amts.engine.errors import AmtsError

# Standard translation, real-time or batch (TranslateText, batch jobs without parallel data).
STANDARD_USD_PER_MILLION_CHARS = 15.0
# Active Custom Translation: a batch job that names a parallel-data resource.
ACT_USD_PER_MILLION_CHARS = 60.0
PRICE_SOURCE = "amazon-translate.md §5 (aws.amazon.com/translate/pricing via secondary sources)"
#: The budget when none is configured (`limits.max_cost_usd`, `--max-cost`): every billed path checks it.
DEFAULT_MAX_COST_USD = 100.0

# Elements whose content is code, not text a reader sees: nothing there for Amazon to translate.
_NON_TEXT_ELEMENTS = frozenset({"script", "style"})


@dataclass(frozen=True, slots=True)
class CostEstimate:
    """Billable characters of one job or variant and what they cost at the documented rate."""

    variant: str
    characters: int
    usd_per_million_chars: float
    usd: float


def rate_for_variant(variant: str) -> float:
    """USD per million characters: the ACT rate for `act-*` variants, else the standard rate."""
    if variant.startswith("act"):
        return ACT_USD_PER_MILLION_CHARS
    return STANDARD_USD_PER_MILLION_CHARS


def estimate_cost(characters_by_variant: dict[str, int]) -> list[CostEstimate]:
    """One estimate per variant (`no-act`, `act-paragraph`, ...) from its billable characters."""
    estimates = []
    for variant, characters in characters_by_variant.items():
        if characters < 0:
            raise AmtsError(f"negative character count {characters} for {variant!r}")
        rate = rate_for_variant(variant)
        estimates.append(CostEstimate(variant, characters, rate, characters * rate / 1_000_000))
    return estimates


def total_usd(estimates: list[CostEstimate]) -> float:
    """The sum over estimates, for a `max_cost_usd` check."""
    return sum(estimate.usd for estimate in estimates)


class CostLimitError(AmtsError):
    """An estimate over the budget: raised before any call that Amazon bills."""


def check_cost_limit(estimate_usd: float, limit_usd: float | None, what: str, *,
                     how_to_raise: str = "raise it with --max-cost USD or limits.max_cost_usd in the config",
                     path: str | Path | None = None) -> None:
    """CostLimitError when `estimate_usd` exceeds `limit_usd` (None: no limit), saying both and how
    to raise the limit. Called by every path that bills, before its first call."""
    if limit_usd is None or estimate_usd <= limit_usd:
        return
    raise CostLimitError(f"{what} would cost an estimated ${estimate_usd:.2f} on Amazon Translate, over "
                         f"the limit of ${limit_usd:.2f}: {how_to_raise}", path)


def billable_characters(text: str, content_type: str = "text/plain") -> int:
    """Characters Amazon bills for a document: all of plain text, the text content of HTML.

    Assumptions (Amazon documents neither exactly): a character is a Unicode code point; for
    text/html Amazon bills only text inside the html element (amazon-translate.md §4), so tags,
    attributes and comments are free, and entities count as the one character they stand for.
    Text inside translate="no" elements IS counted: Amazon says content that cannot be translated
    is charged (§5, re:Post), and protected code and math must not make an estimate too low.
    Whitespace between blocks is text content too and is counted, for the same reason.
    """
    if content_type == "text/plain":
        return len(text)
    if content_type == "text/html":
        counter = _HtmlTextCounter()
        counter.feed(text)
        counter.close()
        return counter.characters if counter.saw_html_element else counter.characters_anywhere
    raise AmtsError(f"cannot estimate billable characters for content type {content_type!r} "
                    "(expected text/plain or text/html)")


class _HtmlTextCounter(HTMLParser):
    """Counts text content, separately inside the html element and anywhere in the document."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.characters = 0
        self.characters_anywhere = 0
        self.saw_html_element = False
        self._html_depth = 0
        self._skip_depth = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "html":
            self.saw_html_element = True
            self._html_depth += 1
        elif tag in _NON_TEXT_ELEMENTS:
            self._skip_depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "html":
            self._html_depth = max(0, self._html_depth - 1)
        elif tag in _NON_TEXT_ELEMENTS:
            self._skip_depth = max(0, self._skip_depth - 1)

    def handle_data(self, data: str) -> None:
        if self._skip_depth:
            return
        self.characters_anywhere += len(data)
        if self._html_depth:
            self.characters += len(data)
