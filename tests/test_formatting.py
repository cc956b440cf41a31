"""Numbers, percentages, dates and plural words in the reader's language, through Babel."""

from __future__ import annotations

import datetime as dt

import pytest

from credit_scoring.errors import CreditScoringError
from credit_scoring.i18n.formatting import (
    format_count,
    format_date,
    format_datetime,
    format_number,
    format_percent,
    format_points,
    plural_category,
    translate_plural,
)

NNBSP = "\u202f"  # CLDR's French thousands separator
NBSP = "\u00a0"  # CLDR's French space before %


@pytest.mark.parametrize(
    ("value", "decimals", "french", "english"),
    [
        (202500, 0, f"202{NNBSP}500", "202,500"),
        (-1234.5, 1, f"-1{NNBSP}234,5", "-1,234.5"),
        (0.25, 2, "0,25", "0.25"),
        (0.125, 2, "0,12", "0.12"),  # the float 0.125 is exact: half to even, like f"{x:.2f}"
        (2.675, 2, "2,67", "2.67"),  # the float 2.675 is a little under 2.675
        (-0.0001, 0, "0", "0"),  # never "-0"
        (3, 2, "3,00", "3.00"),
    ],
)
def test_format_number(value, decimals, french, english):
    assert format_number(value, decimals, "fr") == french
    assert format_number(value, decimals, "en") == english


def test_format_count_groups_whole_numbers():
    assert format_count(17264, "fr") == f"17{NNBSP}264"
    assert format_count(17264, "en") == "17,264"


@pytest.mark.parametrize(
    ("fraction", "decimals", "french", "english"),
    [
        (0.123, 1, f"12,3{NBSP}%", "12.3%"),
        (1.0, 0, f"100{NBSP}%", "100%"),
        (0.0125, 1, f"1,2{NBSP}%", "1.2%"),  # 100 * 0.0125 is the float 1.25: half to even
        (-0.00001, 1, f"0,0{NBSP}%", "0.0%"),  # never "-0,0 %"
        (12.5, 0, f"1{NNBSP}250{NBSP}%", "1,250%"),
    ],
)
def test_format_percent(fraction, decimals, french, english):
    assert format_percent(fraction, "fr", decimals) == french
    assert format_percent(fraction, "en", decimals) == english


def test_format_percent_rounds_like_the_percentage_number():
    for fraction in (0.0125, 0.12345, 0.99995, 0.333333, 0.0005):
        for decimals in (0, 1, 2):
            assert format_percent(fraction, "en", decimals) == (
                format_number(100 * fraction, decimals, "en") + "%"
            )


def test_format_points_is_the_size_of_a_difference():
    assert format_points(-0.032, "fr") == "3,2"
    assert format_points(0.032, "en", decimals=2) == "3.20"


def test_dates_in_words():
    day = dt.date(2026, 11, 28)
    assert format_date(day, "fr") == "28 novembre 2026"
    assert format_date(day, "en") == "November 28, 2026"
    moment = dt.datetime(2026, 11, 28, 14, 5)
    assert format_datetime(moment, "fr").startswith("28 nov. 2026")
    assert "14:05" in format_datetime(moment, "fr")


@pytest.mark.parametrize(
    ("number", "french", "english"),
    [(0, "an", "years"), (1, "an", "year"), (1.0, "an", "year"), (1.5, "an", "years"),
     (2, "ans", "years"), (-1, "an", "year"), (1_000_000, "ans", "years")],
)  # fmt: skip
def test_plural_words_follow_each_language_rules(number, french, english):
    assert translate_plural("unit.years", number, "fr") == french
    assert translate_plural("unit.years", number, "en") == english


def test_plural_category_is_cldr():
    assert plural_category(1.5, "fr") == "one"
    assert plural_category(1.5, "en") == "other"
    assert plural_category(1_000_000, "fr") == "many"  # no "many" words: falls back to "other"


def test_an_unknown_language_is_a_clear_error():
    with pytest.raises(CreditScoringError, match="unknown language 'xx'"):
        format_number(1, 0, "xx")
    with pytest.raises(CreditScoringError, match="unknown language 'xx'"):
        format_date(dt.date(2026, 1, 1), "xx")


def test_a_language_whose_words_are_gone_is_refused_even_after_use(monkeypatch):
    import credit_scoring.i18n as i18n

    assert format_number(1, 0, "en") == "1"
    monkeypatch.setattr(i18n, "languages", lambda: ("fr",))
    with pytest.raises(CreditScoringError, match="unknown language 'en'"):
        format_number(1, 0, "en")
