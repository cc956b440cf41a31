"""The word catalog: complete in every language, fields filled, bad requests refused clearly;
the words are data (a folder per language), so a language is added by adding files."""

from __future__ import annotations

import json
import shutil
import string
import subprocess
import sys
from pathlib import Path

import pytest

from credit_scoring import i18n
from credit_scoring.errors import CreditScoringError
from credit_scoring.i18n import (
    LANGUAGES,
    WORDS_ENVIRONMENT_VARIABLE,
    catalog,
    discover_languages,
    missing_translations,
    read_words,
    reload_words,
    translate,
)


def test_every_key_exists_in_every_language():
    assert missing_translations() == {}


def test_both_languages_use_the_same_fields_for_each_key():
    words = catalog()
    for key in words["fr"]:
        fields = [
            {name for _, name, _, _ in string.Formatter().parse(words[lang][key]) if name}
            for lang in LANGUAGES
            if key in words[lang]  # a plural form may exist in some languages only
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


# --- the words as data: one folder per language ---------------------------------------------

PACKAGE_WORDS = Path(i18n.__file__).parent


def write_words(root: Path, lang: str, part: str, words: dict[str, str]) -> None:
    (root / lang).mkdir(parents=True, exist_ok=True)
    (root / lang / f"{part}.json").write_text(json.dumps(words), encoding="utf-8")


def test_french_is_the_default_and_first_and_every_folder_is_a_language():
    folders = {p.name for p in PACKAGE_WORDS.iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert LANGUAGES[0] == i18n.DEFAULT_LANGUAGE == "fr"
    assert set(LANGUAGES) == folders


def test_words_come_from_the_parts_of_each_language_folder():
    words = catalog()
    assert words["fr"]["feature.AGE_YEARS"] == "Âge du client"  # features.json
    assert words["en"]["group.income"] == "Income"  # groups.json
    assert words["fr"]["unit.years.other"] == "ans"  # units.json
    assert words["fr"]["level.Working"] == "Salarié"  # levels.json
    assert words["en"]["decision_granted"] == "granted"  # explain.json


def test_a_word_defined_twice_in_one_language_is_an_error(tmp_path):
    write_words(tmp_path, "fr", "one", {"hello": "bonjour"})
    write_words(tmp_path, "fr", "two", {"hello": "salut"})
    with pytest.raises(
        CreditScoringError, match="'hello' is defined in both fr/one.json and fr/two"
    ):
        read_words(tmp_path)


def test_a_bad_words_file_is_a_clear_error(tmp_path):
    write_words(tmp_path, "fr", "ok", {"hello": "bonjour"})
    (tmp_path / "fr" / "broken.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(CreditScoringError, match="fr/broken.json is unreadable"):
        read_words(tmp_path)
    (tmp_path / "fr" / "broken.json").write_text('{"n": 3}', encoding="utf-8")
    with pytest.raises(CreditScoringError, match="fr/broken.json must be one JSON object"):
        read_words(tmp_path)


def test_languages_are_discovered_default_first_and_checked(tmp_path):
    for lang in ("en", "fr", "de"):
        write_words(tmp_path, lang, "common", {"language_name": lang})
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "empty").mkdir()  # no words: not a language
    assert discover_languages(tmp_path) == ("fr", "de", "en")
    write_words(tmp_path, "klingon", "common", {"language_name": "tlhIngan"})
    with pytest.raises(CreditScoringError, match="'klingon' .* is not a language code Babel"):
        discover_languages(tmp_path)


def test_words_without_the_default_language_are_refused(tmp_path):
    write_words(tmp_path, "en", "common", {"language_name": "English"})
    with pytest.raises(CreditScoringError, match="no words for the default language 'fr'"):
        discover_languages(tmp_path)


def test_a_missing_words_folder_says_which_variable_to_fix(tmp_path, monkeypatch):
    monkeypatch.setenv(WORDS_ENVIRONMENT_VARIABLE, str(tmp_path / "nowhere"))
    reload_words()
    try:
        with pytest.raises(CreditScoringError, match=WORDS_ENVIRONMENT_VARIABLE):
            i18n.languages()
    finally:
        monkeypatch.delenv(WORDS_ENVIRONMENT_VARIABLE)
        reload_words()


@pytest.fixture
def german_by_copy(tmp_path, monkeypatch):
    """The product's words plus a "de" folder that is a copy of "en" with two texts changed."""
    root = tmp_path / "words"
    shutil.copytree(PACKAGE_WORDS, root, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    shutil.copytree(root / "en", root / "de")
    common = json.loads((root / "de" / "common.json").read_text(encoding="utf-8"))
    common["language_name"] = "Deutsch"
    (root / "de" / "common.json").write_text(json.dumps(common), encoding="utf-8")
    units = json.loads((root / "de" / "units.json").read_text(encoding="utf-8"))
    units.update({"unit.years.one": "Jahr", "unit.years.other": "Jahre", "value.yes": "ja"})
    (root / "de" / "units.json").write_text(json.dumps(units), encoding="utf-8")
    features = json.loads((root / "de" / "features.json").read_text(encoding="utf-8"))
    features["feature.INST_RECENT_LATE_COUNT"] = "Verspätet bezahlte Raten, letzte {months} Monate"
    (root / "de" / "features.json").write_text(json.dumps(features), encoding="utf-8")
    monkeypatch.setenv(WORDS_ENVIRONMENT_VARIABLE, str(root))
    reload_words()
    yield root
    monkeypatch.delenv(WORDS_ENVIRONMENT_VARIABLE)
    reload_words()


def test_adding_a_language_is_adding_a_folder_of_words(german_by_copy):
    from credit_scoring.features import installments
    from credit_scoring.features.catalog import CatalogEntry, catalog_as_dict, format_value
    from credit_scoring.i18n.formatting import format_count, format_number, format_percent

    assert i18n.languages() == ("fr", "de", "en")
    assert i18n.check_language("de") == "de"
    assert translate("language_name", "de") == "Deutsch"
    assert missing_translations() == {}
    # numbers in German style come from CLDR, with no code for German
    assert format_number(-1234.5, 1, "de") == "-1.234,5"
    assert format_count(17264, "de") == "17.264"
    assert format_percent(0.125, "de") == "12,5\u00a0%"
    age = {"unit": "years", "decimals": 1}
    assert format_value(1.0, age, "de") == "1,0 Jahr"
    assert format_value(35.5, age, "de") == "35,5 Jahre"
    assert format_value(1, {"unit": "flag", "decimals": 0}, "de") == "ja"
    # the feature catalog carries a German label beside the French and English ones
    entry = CatalogEntry.from_words("AGE_YEARS", "years", 0, "application", "identity")
    as_dict = catalog_as_dict([entry])
    assert as_dict["features"][0]["label_de"] == "Client's age"  # copied from en, not translated
    assert set(as_dict["groups"]["income"]) == {"fr", "de", "en"}
    # the side tables' labels are words too: translated ones read in German, window filled in
    side = {e["name"]: e for e in catalog_as_dict(installments.catalog_entries(6))["features"]}
    assert side["INST_RECENT_LATE_COUNT"]["label_de"] == "Verspätet bezahlte Raten, letzte 6 Monate"
    assert side["INST_RECENT_LATE_COUNT"]["label_fr"].endswith("sur les 6 derniers mois")
    assert side["INST_LATE_COUNT"]["label_de"] == "Instalments paid late"  # copied from en


def test_a_new_language_reaches_the_command_line(german_by_copy):
    # LANGUAGES and the --lang choices are read at import: check them in a fresh interpreter.
    code = (
        "from credit_scoring.i18n import LANGUAGES; from credit_scoring.cli import build_parser;"
        "args = build_parser().parse_args(['dashboard', '--lang', 'de']);"
        "print(LANGUAGES, args.lang)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "('fr', 'de', 'en') de"


def test_the_command_line_refuses_a_language_without_words():
    from credit_scoring.cli import build_parser

    with pytest.raises(SystemExit):
        build_parser().parse_args(["dashboard", "--lang", "de"])


def test_a_plural_form_is_required_only_where_the_language_uses_it(german_by_copy):
    # Japanese has no "one" form: its unit words need only ".other".
    japanese = german_by_copy / "ja"
    shutil.copytree(german_by_copy / "en", japanese)
    units = json.loads((japanese / "units.json").read_text(encoding="utf-8"))
    for key in [k for k in units if k.endswith(".one")]:
        del units[key]
    (japanese / "units.json").write_text(json.dumps(units), encoding="utf-8")
    reload_words()
    assert missing_translations() == {}
    del units["unit.days.other"]  # but every language needs the "other" form
    (japanese / "units.json").write_text(json.dumps(units), encoding="utf-8")
    reload_words()
    assert missing_translations() == {"ja": ["unit.days.other"]}
