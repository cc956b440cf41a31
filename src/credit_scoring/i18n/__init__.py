"""One catalog of words for every language the product speaks (French first, English too).

The words live in JSON files beside this module, one per part of the product (``explain.json``,
``dashboard.json``...), each ``{"fr": {key: text}, "en": {key: text}}``. They are merged into one
catalog; a key defined twice, or missing in one language, is an error caught by the tests.
Texts may hold ``str.format`` fields: ``translate("decision_margin", "fr", points=3)``.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

from credit_scoring.errors import CreditScoringError

LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "fr"


@cache
def catalog() -> dict[str, dict[str, str]]:
    """All words, by language then key, merged from the JSON files of this package."""
    merged: dict[str, dict[str, str]] = {lang: {} for lang in LANGUAGES}
    owners: dict[str, str] = {}
    for entry in sorted(resources.files(__package__).iterdir(), key=lambda p: p.name):
        if not entry.name.endswith(".json"):
            continue
        words = json.loads(entry.read_text(encoding="utf-8"))
        for lang in LANGUAGES:
            for key, text in words.get(lang, {}).items():
                if key in merged[lang]:
                    raise CreditScoringError(
                        f"word '{key}' is defined in both {owners[key]} and {entry.name}"
                    )
                merged[lang][key] = text
                owners[key] = entry.name
    return merged


def check_language(lang: str) -> str:
    """Return ``lang`` if the product speaks it, else raise a clear error."""
    if lang not in LANGUAGES:
        raise CreditScoringError(f"unknown language '{lang}': choose one of {', '.join(LANGUAGES)}")
    return lang


def translate(key: str, lang: str = DEFAULT_LANGUAGE, **fields: object) -> str:
    """The text of ``key`` in ``lang``, with its fields filled in."""
    words = catalog()[check_language(lang)]
    if key not in words:
        raise CreditScoringError(f"no text for '{key}' in language '{lang}'")
    text = words[key]
    return text.format(**fields) if fields else text


def missing_translations() -> dict[str, list[str]]:
    """Keys present in one language but not in another (empty when the catalog is complete)."""
    words = catalog()
    every_key = set().union(*(set(w) for w in words.values()))
    return {
        lang: sorted(every_key - set(words[lang]))
        for lang in LANGUAGES
        if every_key - set(words[lang])
    }
