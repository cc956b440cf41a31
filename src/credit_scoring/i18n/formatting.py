"""Numbers, percentages and dates in the reader's language, through Babel (CLDR data).

The language code of the product ("fr", "en", ...) is the Babel locale, so a new language needs
no code here: its number style (decimal mark, grouping, percent sign) comes from CLDR.
French: "202 500", "0,25", "12,3 %"; English: "202,500", "0.25", "12.3%". French groups
thousands with CLDR's narrow no-break space (U+202F) and puts a no-break space (U+00A0) before
"%", so a number never breaks across lines.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import cache

from babel import Locale
from babel.dates import format_date as _babel_format_date
from babel.dates import format_datetime as _babel_format_datetime
from babel.numbers import NumberPattern, parse_pattern

from credit_scoring.i18n import catalog, check_language, translate


def _locale(lang: str) -> Locale:
    # Checked on every call (the languages can change, see i18n.reload_words); parsed once.
    return _cldr_locale(check_language(lang))


@cache
def _cldr_locale(lang: str) -> Locale:
    return Locale.parse(lang)


def _pattern(lang: str, kind: str, decimals: int) -> NumberPattern:
    return _cldr_pattern(check_language(lang), kind, decimals)


@cache
def _cldr_pattern(lang: str, kind: str, decimals: int) -> NumberPattern:
    locale = _cldr_locale(lang)
    formats = locale.percent_formats if kind == "percent" else locale.decimal_formats
    pattern = parse_pattern(formats[None].pattern)
    pattern.frac_prec = (decimals, decimals)
    return pattern


def format_number(value: float, decimals: int, lang: str) -> str:
    """``value`` with grouped thousands and exactly ``decimals`` decimals ("-1 234,5" in French).

    Never "-0": a value that rounds to zero is shown without a sign.
    """
    decimals = max(int(decimals), 0)
    number = round(float(value), decimals)
    if number == 0:
        number = 0.0
    return _pattern(lang, "decimal", decimals).apply(number, _locale(lang))


def format_count(value: int, lang: str) -> str:
    """A whole number of things, grouped ("17 264" / "17,264")."""
    return format_number(int(value), 0, lang)


def format_percent(fraction: float, lang: str, decimals: int = 1) -> str:
    """A fraction (0.123) as a percentage ("12,3 %" / "12.3%"), never "-0 %"."""
    decimals = max(int(decimals), 0)
    # Round the percentage itself (12.25 -> 12.2 like the number 12.25 would), then hand Babel
    # the exact decimal fraction so that its own scaling by 100 adds no float error.
    number = round(100 * float(fraction), decimals)
    if number == 0:
        number = 0.0
    exact_fraction = Decimal(repr(number)).scaleb(-2)
    return _pattern(lang, "percent", decimals).apply(exact_fraction, _locale(lang))


def format_points(fraction: float, lang: str, decimals: int = 1) -> str:
    """The size of a difference of two fractions in percentage points, without sign ("3,2")."""
    return format_number(abs(100 * float(fraction)), decimals, lang)


def plural_category(number: float, lang: str) -> str:
    """The CLDR plural category of ``number`` in ``lang``: "one" for 1 (and 1.5 in French)..."""
    number = abs(float(number))
    return _locale(lang).plural_form(int(number) if number.is_integer() else number)


def translate_plural(key: str, number: float, lang: str, **fields: object) -> str:
    """The text of ``key.<plural category of number>`` in ``lang``, else of ``key.other``.

    ``translate_plural("unit.years", 1.5, "fr")`` is "an", ``(..., 1.5, "en")`` is "years".
    """
    category = plural_category(number, lang)
    words = catalog()[lang]
    form = f"{key}.{category}" if f"{key}.{category}" in words else f"{key}.other"
    return translate(form, lang, **fields)


def format_date(value: dt.date | dt.datetime, lang: str, length: str = "long") -> str:
    """A date in words ("28 novembre 2026" / "28 November 2026")."""
    return _babel_format_date(value, format=length, locale=_locale(lang))


def format_datetime(value: dt.datetime, lang: str, length: str = "medium") -> str:
    """A date and time ("28 nov. 2026, 14:05:00" / "28 Nov 2026, 14:05:00")."""
    return _babel_format_datetime(value, format=length, locale=_locale(lang))
