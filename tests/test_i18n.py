"""The word catalog: complete in every language, fields filled, bad requests refused clearly."""

from __future__ import annotations

import string

import pytest

from credit_scoring.errors import CreditScoringError
from credit_scoring.i18n import LANGUAGES, catalog, missing_translations, translate


def test_every_key_exists_in_every_language():
    assert missing_translations() == {}


def test_both_languages_use_the_same_fields_for_each_key():
    words = catalog()
    for key in words["fr"]:
        fields = [
            {name for _, name, _, _ in string.Formatter().parse(words[lang][key]) if name}
            for lang in LANGUAGES
        ]
        assert all(f == fields[0] for f in fields), key


def test_languages_differ_and_french_is_default():
    assert translate("language_name") == "Français"
    assert translate("language_name", "en") == "English"


def test_unknown_language_and_key_are_clear_errors():
    with pytest.raises(CreditScoringError, match="unknown language 'de'"):
        translate("language_name", "de")
    with pytest.raises(CreditScoringError, match="no text for 'nope'"):
        translate("nope", "fr")
