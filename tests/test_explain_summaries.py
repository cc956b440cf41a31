"""Population summaries, checked on a table small enough to count by hand."""

import numpy as np
import pandas as pd
import pytest

from credit_scoring.explain.summaries import population_summaries


@pytest.fixture
def table():
    return pd.DataFrame(
        {
            "SK_ID_CURR": [1, 2, 3, 4, 5, 6],
            "SPLIT": ["train"] * 4 + ["test"] * 2,
            "TARGET": [0.0, 1.0, 1.0, 0.0, np.nan, np.nan],
            "AMOUNT": [0.0, 1.0, 2.0, np.nan, 3.0, 4.0],
            "CONTRACT": pd.Categorical(["cash", "cash", "revolving", None, "cash", "cash"]),
        }
    )


def test_categorical_levels_with_counts_and_default_rates(table):
    summary = population_summaries(table, ["AMOUNT", "CONTRACT"], bins=4)
    contract = summary["features"]["CONTRACT"]
    assert contract["kind"] == "categorical"
    assert contract["levels"] == ["cash", "MISSING", "revolving"]  # most frequent first
    assert contract["counts"] == [4, 1, 1]
    assert contract["known_counts"] == [2, 1, 1]
    assert contract["default_counts"] == [1, 0, 1]
    assert contract["default_rates"] == [0.5, 0.0, 1.0]
    assert summary["applicants"] == 6 and summary["known_outcome_applicants"] == 4
    assert summary["default_rate"] == 0.5


def test_numeric_bins_count_everyone_and_defaults_among_known_outcomes(table):
    amount = population_summaries(table, ["AMOUNT"], bins=4)["features"]["AMOUNT"]
    assert amount["kind"] == "numeric"
    assert len(amount["edges"]) == 5
    # robust range = 1st..99th percentile of 0..4 = 0.04..3.96; values outside fall in end bins
    assert amount["edges"][0] == pytest.approx(0.04)
    assert amount["edges"][-1] == pytest.approx(3.96)
    assert sum(amount["counts"]) == 5  # the missing value is counted apart
    assert amount["missing_count"] == 1 and amount["missing_known_count"] == 1
    # edges 0.04, 1.02, 2.00, 2.98, 3.96: 0 and 1 | none | 2 | 3 and 4 (4 clipped into the last)
    assert amount["counts"] == [2, 0, 1, 2]
    assert amount["known_counts"] == [2, 0, 1, 0]
    assert amount["default_counts"] == [1, 0, 1, 0]
    assert amount["default_rates"] == [0.5, None, 1.0, None]
    assert amount["min"] == 0.0 and amount["max"] == 4.0


def test_an_empty_numeric_feature_has_no_bins(table):
    table["EMPTY"] = np.float32(np.nan)
    empty = population_summaries(table, ["EMPTY"])["features"]["EMPTY"]
    assert empty["counts"] == [] and empty["missing_count"] == 6
