"""Cost estimate: documented rates per variant, billable characters of plain text and protected HTML."""

from __future__ import annotations

import pytest

from amts.engine.cost import (
    ACT_USD_PER_MILLION_CHARS,
    STANDARD_USD_PER_MILLION_CHARS,
    CostEstimate,
    billable_characters,
    estimate_cost,
    total_usd,
)
from amts.engine.errors import AmtsError


def test_documented_rates():
    assert STANDARD_USD_PER_MILLION_CHARS == 15.0
    assert ACT_USD_PER_MILLION_CHARS == 60.0


def test_estimate_per_variant():
    estimates = estimate_cost({"no-act": 1_000_000, "act-paragraph": 250_000, "act-sentence": 0})
    assert estimates == [
        CostEstimate("no-act", 1_000_000, 15.0, 15.0),
        CostEstimate("act-paragraph", 250_000, 60.0, 15.0),
        CostEstimate("act-sentence", 0, 60.0, 0.0),
    ]
    assert total_usd(estimates) == pytest.approx(30.0)
    assert estimate_cost({"no-act": 1234})[0].usd == pytest.approx(0.01851)


def test_negative_characters_are_an_error():
    with pytest.raises(AmtsError, match="negative character count"):
        estimate_cost({"no-act": -1})


def test_plain_text_bills_every_character():
    assert billable_characters("深度学习 is fun.\n") == 13  # code points, not bytes


def test_html_bills_text_content_including_protected_spans():
    document = (
        '<html><body><p data-b="0">Use <span translate="no" data-p="0">`x &lt; 1`</span> now.</p>'
        '<pre translate="no" data-b="1">print(1)</pre><h2 data-b="2">深度&amp;学习</h2></body></html>'
    )
    # "Use " + "`x < 1`" + " now." + "print(1)" + "深度&学习": tags and attributes are free,
    # an entity is one character, translate="no" content counts (Amazon charges it).
    assert billable_characters(document, "text/html") == 4 + 7 + 5 + 8 + 5


def test_html_counts_only_inside_the_html_element_and_skips_scripts():
    document = "<!DOCTYPE html>stray<html><head><script>var x = 1;</script></head><body>Hi</body></html>"
    assert billable_characters(document, "text/html") == 2
    assert billable_characters("<p>fragment</p>", "text/html") == 8


def test_unknown_content_type_is_an_error():
    with pytest.raises(AmtsError, match="content type 'application/pdf'"):
        billable_characters("x", "application/pdf")
