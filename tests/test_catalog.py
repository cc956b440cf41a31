"""The feature catalog: value formatting for people, and completeness checks.

French numbers are Babel's (CLDR): thousands grouped by a narrow no-break space (U+202F), a
no-break space (U+00A0) before "%".
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from credit_scoring.errors import CreditScoringError
from credit_scoring.features import (
    application,
    bureau,
    credit_card,
    installments,
    pos_cash,
    previous,
)
from credit_scoring.features.catalog import (
    GROUP_NAMES,
    GROUPS,
    CatalogEntry,
    catalog_as_dict,
    catalog_problems,
    format_value,
    group_labels,
)
from credit_scoring.i18n import LANGUAGES, translate
from credit_scoring.i18n import catalog as word_catalog

NNBSP = "\u202f"  # French thousands separator
NBSP = "\u00a0"  # French space before %


def entry(unit: str, decimals: int = 0, kind: str = "numeric") -> CatalogEntry:
    """An entry of the feature X (no words: enough to format values, not to be written)."""
    return CatalogEntry("X", unit, decimals, "application", "identity", kind)


def children() -> CatalogEntry:
    """The entry of a real feature, its labels from the words."""
    return CatalogEntry.from_words("CNT_CHILDREN", "count", 0, "application", "family")


def every_catalog_entry(recent_months: int = 12) -> list[CatalogEntry]:
    """The entries of every feature of every table (the bureau's with its monthly balances)."""
    return (
        application.CATALOG_ENTRIES
        + bureau.catalog_entries(recent_months, with_balance=True)
        + previous.catalog_entries(recent_months)
        + pos_cash.catalog_entries(recent_months)
        + installments.catalog_entries(recent_months)
        + credit_card.catalog_entries(recent_months)
    )


@pytest.mark.parametrize(
    ("value", "unit", "decimals", "french", "english"),
    [
        (35, "years", 0, "35 ans", "35 years"),
        (35.4, "years", 0, "35 ans", "35 years"),
        (1, "years", 0, "1 an", "1 year"),
        (1.5, "years", 1, "1,5 an", "1.5 years"),
        (3, "months", 0, "3 mois", "3 months"),
        (12, "days", 0, "12 jours", "12 days"),
        (202500, "amount", 0, f"202{NNBSP}500", "202,500"),
        (1234567.891, "amount", 2, f"1{NNBSP}234{NNBSP}567,89", "1,234,567.89"),
        (-1234.5, "number", 1, f"-1{NNBSP}234,5", "-1,234.5"),
        (0.125, "percentage", 1, f"12,5{NBSP}%", "12.5%"),
        (1.0, "percentage", 0, f"100{NBSP}%", "100%"),
        (-0.0001, "percentage", 1, f"0,0{NBSP}%", "0.0%"),
        (1.04, "years", 1, "1,0 an", "1.0 year"),
        (1.96, "years", 1, "2,0 ans", "2.0 years"),
        (0, "years", 0, "0 an", "0 years"),
        (1e6, "days", 0, f"1{NNBSP}000{NNBSP}000 jours", "1,000,000 days"),
        (math.inf, "ratio", 1, "∞", "∞"),
        (3.25, "ratio", 2, "3,25", "3.25"),
        (0.5172, "score", 2, "0,52", "0.52"),
        (7, "count", 0, "7", "7"),
        (1, "flag", 0, "oui", "yes"),
        (0, "flag", 0, "non", "no"),
        (np.int8(1), "flag", 0, "oui", "yes"),
        ("Y", "flag", 0, "oui", "yes"),
        ("N", "flag", 0, "non", "no"),
        ("Working", "category", 0, "Salarié", "Working"),  # levels in the reader's words
        (
            "Some level never translated",
            "category",
            0,
            "Some level never translated",
            "Some level never translated",
        ),  # fmt: skip
        (-0.0001, "amount", 0, "0", "0"),
    ],
)
def test_format_value_by_unit_and_language(value, unit, decimals, french, english):
    assert format_value(value, entry(unit, decimals), "fr") == french
    assert format_value(value, entry(unit, decimals), "en") == english


@pytest.mark.parametrize("missing", [None, math.nan, np.float32("nan"), pd.NA, "XNA", "XAP", ""])
@pytest.mark.parametrize("unit", ["years", "amount", "flag", "category", "percentage"])
def test_missing_values_read_not_provided(missing, unit):
    assert format_value(missing, entry(unit), "fr") == "non renseigné"
    assert format_value(missing, entry(unit), "en") == "not provided"


def test_format_value_accepts_the_json_entry_dict():
    as_dict = {**children().to_dict(), "unit": "amount"}
    assert format_value(1500.0, as_dict, "fr") == f"1{NNBSP}500"


def test_format_value_rejects_an_unknown_language():
    with pytest.raises(CreditScoringError, match="unknown language"):
        format_value(1, entry("count"), "de")


def test_catalog_problems_empty_for_a_complete_catalog():
    catalog = catalog_as_dict([children()])
    assert catalog_problems(catalog, ["CNT_CHILDREN"]) == []


def test_catalog_problems_name_each_gap():
    catalog = catalog_as_dict([children()])
    catalog["features"][0].update(label_fr="", unit="furlongs", group="nowhere")
    problems = catalog_problems(catalog, ["CNT_CHILDREN", "B"])
    assert "feature 'B' has no catalog entry" in problems
    assert "feature 'CNT_CHILDREN': 'label_fr' is empty" in problems
    assert "feature 'CNT_CHILDREN': unknown unit 'furlongs'" in problems
    assert "feature 'CNT_CHILDREN': unknown group 'nowhere'" in problems


def test_catalog_problems_name_a_language_without_a_label():
    as_dict = catalog_as_dict([children()])
    as_dict["features"][0]["label_en"] = " "
    del as_dict["groups"]["income"]["fr"]
    problems = catalog_problems(as_dict, ["CNT_CHILDREN"])
    assert problems == [
        "group 'income' has no fr label",
        "feature 'CNT_CHILDREN': 'label_en' is empty",
    ]


def test_every_group_has_a_label_in_every_language_from_the_words():
    assert list(GROUPS) == list(GROUP_NAMES) == list(group_labels())
    for group, labels in GROUPS.items():
        assert set(labels) == set(LANGUAGES)
        for lang in LANGUAGES:
            assert labels[lang].strip() == translate(f"group.{group}", lang)
    assert GROUPS["income"] == {"fr": "Revenus", "en": "Income"}


def test_an_entry_carries_a_label_per_language_in_the_artifact_order():
    as_dict = children().to_dict()
    assert list(as_dict) == [
        "name",
        *(f"label_{lang}" for lang in LANGUAGES),
        "unit",
        "decimals",
        "source",
        "group",
        "kind",
    ]
    assert (as_dict["label_fr"], as_dict["label_en"]) == ("Nombre d'enfants", "Number of children")


def test_an_entry_from_the_words_takes_its_labels_from_the_features_files():
    age = CatalogEntry.from_words("AGE_YEARS", "years", 0, "application", "identity")
    assert (age.label("fr"), age.label("en")) == ("Âge du client", "Client's age")
    assert age.to_dict()["label_fr"] == translate("feature.AGE_YEARS", "fr")


def test_an_entry_without_words_is_a_clear_error():
    with pytest.raises(CreditScoringError, match="no text for 'feature.NOT_A_FEATURE'"):
        CatalogEntry.from_words("NOT_A_FEATURE", "count", 0, "application", "identity")


def test_a_side_table_entry_fills_the_recent_window_into_its_words():
    entry = CatalogEntry.from_words(
        "INST_RECENT_LATE_COUNT", "count", 0, "installments_payments", "payment_behaviour", months=6
    )
    assert translate("feature.INST_RECENT_LATE_COUNT", "en").endswith("last {months} months")
    assert entry.label("fr") == "Échéances payées en retard sur les 6 derniers mois"
    assert entry.label("en") == "Instalments paid late in the last 6 months"


def test_words_naming_a_field_the_entry_does_not_give_are_a_clear_error():
    with pytest.raises(CreditScoringError, match=r"feature.INST_RECENT_LATE_COUNT.*'months'"):
        CatalogEntry.from_words(
            "INST_RECENT_LATE_COUNT", "count", 0, "installments_payments", "payment_behaviour"
        )


@pytest.mark.parametrize("recent_months", [1, 12])
def test_every_feature_of_every_table_has_words_in_every_language_and_no_word_is_orphan(
    recent_months,
):
    entries = every_catalog_entry(recent_months)
    names = [e.name for e in entries]
    assert len(names) == len(set(names))
    catalog = catalog_as_dict(entries)
    assert catalog_problems(catalog, names) == []
    for lang in LANGUAGES:
        labelled = {
            key.removeprefix("feature.")
            for key in word_catalog()[lang]
            if key.startswith("feature.")
        }
        assert labelled == set(names), lang
        labels = [feature[f"label_{lang}"] for feature in catalog["features"]]
        assert not [label for label in labels if "{" in label or "}" in label], lang
        assert len(set(labels)) == len(labels), lang  # two features never read the same
    windowed = {e["name"]: e for e in catalog["features"]}["BUREAU_RECENT_CREDIT_COUNT"]
    assert windowed["label_en"] == f"Credits opened elsewhere in the last {recent_months} months"
