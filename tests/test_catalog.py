"""The feature catalog: value formatting for people, and completeness checks."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from credit_scoring.errors import CreditScoringError
from credit_scoring.features.catalog import (
    GROUPS,
    CatalogEntry,
    catalog_as_dict,
    catalog_problems,
    format_value,
)


def entry(unit: str, decimals: int = 0, kind: str = "numeric") -> CatalogEntry:
    return CatalogEntry("X", "Libellé", "Label", unit, decimals, "application", "identity", kind)


@pytest.mark.parametrize(
    ("value", "unit", "decimals", "french", "english"),
    [
        (35, "years", 0, "35 ans", "35 years"),
        (35.4, "years", 0, "35 ans", "35 years"),
        (1, "years", 0, "1 an", "1 year"),
        (1.5, "years", 1, "1,5 an", "1.5 years"),
        (3, "months", 0, "3 mois", "3 months"),
        (12, "days", 0, "12 jours", "12 days"),
        (202500, "amount", 0, "202 500", "202,500"),
        (1234567.891, "amount", 2, "1 234 567,89", "1,234,567.89"),
        (-1234.5, "number", 1, "-1 234,5", "-1,234.5"),
        (0.125, "percentage", 1, "12,5 %", "12.5%"),
        (1.0, "percentage", 0, "100 %", "100%"),
        (3.25, "ratio", 2, "3,25", "3.25"),
        (0.5172, "score", 2, "0,52", "0.52"),
        (7, "count", 0, "7", "7"),
        (1, "flag", 0, "oui", "yes"),
        (0, "flag", 0, "non", "no"),
        (np.int8(1), "flag", 0, "oui", "yes"),
        ("Y", "flag", 0, "oui", "yes"),
        ("N", "flag", 0, "non", "no"),
        ("Working", "category", 0, "Working", "Working"),
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
    as_dict = entry("amount").to_dict()
    assert format_value(1500.0, as_dict, "fr") == "1 500"


def test_format_value_rejects_an_unknown_language():
    with pytest.raises(CreditScoringError, match="unknown language"):
        format_value(1, entry("count"), "de")


def test_catalog_problems_empty_for_a_complete_catalog():
    catalog = catalog_as_dict([entry("count")])
    assert catalog_problems(catalog, ["X"]) == []


def test_catalog_problems_name_each_gap():
    catalog = catalog_as_dict(
        [CatalogEntry("A", "", "Label", "furlongs", 0, "application", "nowhere", "numeric")]
    )
    problems = catalog_problems(catalog, ["A", "B"])
    assert "feature 'B' has no catalog entry" in problems
    assert "feature 'A': 'label_fr' is empty" in problems
    assert "feature 'A': unknown unit 'furlongs'" in problems
    assert "feature 'A': unknown group 'nowhere'" in problems


def test_every_group_has_both_labels():
    for labels in GROUPS.values():
        assert labels["fr"].strip() and labels["en"].strip()
