"""Round axis ticks for the comparison charts."""

from __future__ import annotations

import numpy as np
import pytest

from credit_scoring.dashboard.axes import nice_ticks


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
    assert not np.signbit(ticks).any() or low < 0, "no negative zero label"


def test_an_empty_range_gives_one_tick():
    np.testing.assert_array_equal(nice_ticks(3.0, 3.0), [3.0])
