"""Every word the product shows, as data: one folder per language, one file per part.

The words live beside this module in ``<lang>/<part>.json``, each a flat ``{key: text}`` object:
``common``, ``explain``, ``dashboard``, ``features`` (feature labels, ``feature.<NAME>``),
``groups`` (``group.<group>``), ``units`` (``unit.<unit>.<plural category>``, ``value.*``),
``levels`` (category levels)... The folder name is the language code and the Babel locale
(numbers and dates come from CLDR, see :mod:`credit_scoring.i18n.formatting`), so adding a
language is adding a folder: copy ``en/``, translate the texts. French is the default language.

The parts of a language are merged into one catalog; a key defined twice in a language, or
present in one language and missing in another, is an error caught by the tests. Texts may hold
``str.format`` fields: ``translate("decision_margin", "fr", points=3)``. The environment variable
``CREDIT_SCORING_WORDS`` points at another folder of language folders (tests, a deployment's
own translations).
"""

from __future__ import annotations

import json
import os
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from babel import Locale, UnknownLocaleError

from credit_scoring.errors import CreditScoringError

DEFAULT_LANGUAGE = "fr"
#: The environment variable naming another folder of language folders.
WORDS_ENVIRONMENT_VARIABLE = "CREDIT_SCORING_WORDS"
#: CLDR plural categories: a key ending in one of these (``unit.years.one``) is a plural form.
PLURAL_CATEGORIES = ("zero", "one", "two", "few", "many", "other")


def words_root() -> Traversable:
    """The folder holding one folder of words per language (this package's, unless overridden)."""
    override = os.environ.get(WORDS_ENVIRONMENT_VARIABLE)
    if override:
        return Path(override)
    return resources.files(__package__)


def _language_folders(root: Traversable) -> list[Traversable]:
    if not root.is_dir():
        raise CreditScoringError(
            f"no words folder at {root}: point {WORDS_ENVIRONMENT_VARIABLE} at a folder of "
            "language folders (fr/, en/...) or unset it"
        )
    return [
        entry
        for entry in root.iterdir()
        if entry.is_dir()
        and not entry.name.startswith(("_", "."))
        and any(part.name.endswith(".json") for part in entry.iterdir())
    ]


def discover_languages(root: Traversable) -> tuple[str, ...]:
    """The languages with a folder of words under ``root``: the default first, then by code."""
    codes = sorted(folder.name for folder in _language_folders(root))
    for code in codes:
        try:
            Locale.parse(code)
        except (ValueError, UnknownLocaleError) as error:
            raise CreditScoringError(
                f"the words folder '{code}' in {root} is not a language code Babel knows "
                f"({error}): name it after a CLDR locale such as 'de' or 'pt_BR'"
            ) from error
    if DEFAULT_LANGUAGE not in codes:
        raise CreditScoringError(
            f"no words for the default language '{DEFAULT_LANGUAGE}' in {root}: add a "
            f"'{DEFAULT_LANGUAGE}' folder"
        )
    return (DEFAULT_LANGUAGE, *(code for code in codes if code != DEFAULT_LANGUAGE))


def read_words(root: Traversable) -> dict[str, dict[str, str]]:
    """All words under ``root``, by language then key, each language's parts merged."""
    merged: dict[str, dict[str, str]] = {}
    for lang in discover_languages(root):
        words: dict[str, str] = {}
        owners: dict[str, str] = {}
        parts = sorted(
            (entry for entry in root.joinpath(lang).iterdir() if entry.name.endswith(".json")),
            key=lambda entry: entry.name,
        )
        for part in parts:
            where = f"{lang}/{part.name}"
            try:
                texts = json.loads(part.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
                raise CreditScoringError(
                    f"the words file {where} is unreadable: {error}"
                ) from error
            if not isinstance(texts, dict) or not all(
                isinstance(text, str) for text in texts.values()
            ):
                raise CreditScoringError(
                    f"the words file {where} must be one JSON object of key: text strings"
                )
            for key, text in texts.items():
                if key in words:
                    raise CreditScoringError(
                        f"word '{key}' is defined in both {owners[key]} and {where}: keep one"
                    )
                words[key] = text
                owners[key] = where
        merged[lang] = words
    return merged


@cache
def languages() -> tuple[str, ...]:
    """The languages the product speaks, discovered from the words folders (French first)."""
    return discover_languages(words_root())


@cache
def catalog() -> dict[str, dict[str, str]]:
    """All words, by language then key, merged from the words files."""
    return read_words(words_root())


def reload_words() -> None:
    """Forget the words read so far (after the words files or their folder changed)."""
    languages.cache_clear()
    catalog.cache_clear()


#: The languages found when the package was imported (use :func:`languages` for the current ones).
LANGUAGES: tuple[str, ...] = languages()


def check_language(lang: str) -> str:
    """Return ``lang`` if the product speaks it, else raise a clear error."""
    if lang not in languages():
        raise CreditScoringError(
            f"unknown language '{lang}': choose one of {', '.join(languages())}"
        )
    return lang


def translate(key: str, lang: str = DEFAULT_LANGUAGE, **fields: object) -> str:
    """The text of ``key`` in ``lang``, with its fields filled in."""
    words = catalog()[check_language(lang)]
    if key not in words:
        raise CreditScoringError(f"no text for '{key}' in language '{lang}'")
    text = words[key]
    return text.format(**fields) if fields else text


def plural_categories(lang: str) -> frozenset[str]:
    """The CLDR plural categories ``lang`` distinguishes besides "other" ({"one"} in English)."""
    return frozenset(Locale.parse(check_language(lang)).plural_form.tags)


def _required_in(key: str, lang: str) -> bool:
    # A plural form other than "other" is needed only where the language's grammar uses it.
    category = key.rpartition(".")[2]
    if category in PLURAL_CATEGORIES and category != "other":
        return category in plural_categories(lang)
    return True


def missing_translations() -> dict[str, list[str]]:
    """Keys present in one language but not in another (empty when the catalog is complete).

    Plural forms are per language: ``unit.years.few`` is required only in languages whose CLDR
    plural rules have a "few" form.
    """
    words = catalog()
    every_key = set().union(*(set(w) for w in words.values()))
    missing = {
        lang: sorted(key for key in every_key - set(words[lang]) if _required_in(key, lang))
        for lang in languages()
    }
    return {lang: keys for lang, keys in missing.items() if keys}
