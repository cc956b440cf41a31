"""Round axis ticks for the comparison charts."""

from __future__ import annotations

import numpy as np
import pytest

from credit_scoring.dashboard.axes import (
    js_number_text,
    nice_ticks,
    off_scale_arrow,
    tick_decimals,
    tick_labels,
)
from credit_scoring.dashboard.formatting import fold_text


@pytest.mark.parametrize(
    ("low", "high", "count", "expected"),
    [
        (0.0, 1.0, 5, [0.0, 0.25, 0.5, 0.75, 1.0]),
        (-0.02, 0.9, 5, [0.0, 0.25, 0.5, 0.75]),
        (0.0, 3064.75, 4, [0.0, 1000.0, 2000.0, 3000.0]),
        (0.0, 0.36, 4, [0.0, 0.1, 0.2, 0.3]),
        (20_000.0, 900_000.0, 5, [200_000.0, 400_000.0, 600_000.0, 800_000.0]),
    ],
)
def test_ticks_are_round_and_inside_the_range(low, high, count, expected):
    ticks = nice_ticks(low, high, count)
    np.testing.assert_allclose(ticks, expected)
    assert not any(tick == 0 and np.signbit(tick) for tick in ticks), "no negative zero label"


def test_an_empty_range_gives_one_tick():
    np.testing.assert_array_equal(nice_ticks(3.0, 3.0), [3.0])


def test_tick_labels_have_the_decimals_the_ticks_need_in_the_readers_language():
    # bqplot guesses one format for the first range and keeps it: 0.25 came out as "0.3"
    assert tick_labels(nice_ticks(0.0, 1.0), "fr") == {
        "0": "0,00", "0.25": "0,25", "0.5": "0,50", "0.75": "0,75", "1": "1,00"
    }  # fmt: skip
    assert tick_labels(np.array([0.0, 0.25]), "en")["0.25"] == "0.25"
    assert tick_labels(np.array([200_000.0, 400_000.0]), "fr") == {
        "200000": "200\u202f000", "400000": "400\u202f000"
    }  # fmt: skip
    assert tick_decimals(np.array([0.0, 0.1, 0.2])) == 1
    assert tick_decimals(np.array([10.0, 20.0])) == 0


@pytest.mark.parametrize(
    ("value", "text"),
    [(0.25, "0.25"), (200_000.0, "200000"), (-3.0, "-3"), (1e-5, "0.00001"), (5e-7, "5e-7"),
     (0.1 + 0.2, "0.30000000000000004")],
)  # fmt: skip
def test_tick_keys_are_numbers_written_as_javascript_writes_them(value, text):
    assert js_number_text(value) == text


def test_an_arrow_points_to_a_client_beyond_the_chart():
    inside = ((0.0, 1.0), (0.0, 1.0))
    assert off_scale_arrow(0.5, 0.5, *inside) == ""
    assert off_scale_arrow(1.0, 0.0, *inside) == ""  # on the edge is inside
    assert off_scale_arrow(3.0, 0.5, *inside) == "→"
    assert off_scale_arrow(-3.0, 0.5, *inside) == "←"
    assert off_scale_arrow(0.5, 9.0, *inside) == "↑"
    assert off_scale_arrow(3.0, -1.0, *inside) == "↘"


def test_search_text_is_folded_without_accents_or_case():
    assert fold_text("Âge du client") == "age du client"
    assert fold_text("  NIVEAU D'ÉTUDES ") == "niveau d'etudes"
    assert fold_text("Œuvre") == "oeuvre"
    assert "age" in fold_text("Âge de la voiture")
