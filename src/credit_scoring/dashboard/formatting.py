"""How the page writes numbers and text, in one place, in the reader's language.

Numbers go through :mod:`credit_scoring.i18n.formatting` (Babel, CLDR data), so a new language
brings its own decimal mark, grouping and percent sign: "12,3 %", "17 264" (U+202F between
thousands) in French, "12.3%", "17,264" in English. Every dashboard module formats through here.
"""

from __future__ import annotations

import unicodedata

from credit_scoring.i18n.formatting import (
    format_count,
    format_number,
    format_percent,
    format_points,
)

#: The minus sign of signed differences on the charts (U+2212, wider than a hyphen).
MINUS = "\u2212"
#: Between a label and its value: French typography puts a space before the colon (CLDR has no
#: pattern for it); other languages use the English style.
LABEL_SEPARATORS = {"fr": " : "}
DEFAULT_LABEL_SEPARATOR = ": "


def percent(fraction: float, lang: str, decimals: int = 1) -> str:
    """A probability or a rate as a percentage: "12,3 %" (fr), "12.3%" (en)."""
    return format_percent(fraction, lang, decimals)


def points(fraction: float, lang: str, decimals: int = 1) -> str:
    """The size of a difference of two probabilities in percentage points, unsigned ("3,2")."""
    return format_points(fraction, lang, decimals)


def signed_points(change: float, lang: str, decimals: int = 1) -> str:
    """A change of probability in points with its sign, for chart labels: "+1,4 pt", "−0,5 pt"."""
    sign = "+" if change >= 0 else MINUS
    return f"{sign}{points(change, lang, decimals)} pt"


def count(value: int, lang: str) -> str:
    """A number of clients (or of anything), grouped: "17 264" (fr), "17,264" (en)."""
    return format_count(value, lang)


def number(value: float, decimals: int, lang: str) -> str:
    """Any number with ``decimals`` decimals in the language's style."""
    return format_number(value, decimals, lang)


def label_value(label: str, value: str, lang: str) -> str:
    """A label and its value on one line: "Âge : 30 ans" (fr), "Age: 30 years" (en)."""
    return f"{label}{LABEL_SEPARATORS.get(lang, DEFAULT_LABEL_SEPARATOR)}{value}"


def escape(text: object) -> str:
    """Text made safe to put inside HTML (element content or a quoted attribute)."""
    return (
        str(text)
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
    )


def fold_text(text: object) -> str:
    """Text as a search compares it: without accents, case or width ("Âge" -> "age",
    "ÉTUDES" -> "etudes", "Œuvre" -> "oeuvre")."""
    decomposed = unicodedata.normalize("NFKD", str(text))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return bare.casefold().replace("œ", "oe").replace("æ", "ae").strip()
