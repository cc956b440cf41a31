"""The dashboard's pure parts on small arrays, without artifacts: the comparison statistics,
the page's number formats, and the links between the controls and the state."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
import pytest

from credit_scoring.dashboard import formatting as fmt
from credit_scoring.dashboard.axes import clamp, gauge_top, tenths, unique_labels, value_range
from credit_scoring.dashboard.comparison import (
    DEFAULTED,
    REPAID,
    UNKNOWN,
    Distribution,
    bar_of,
    default_rate,
    drawn_rate_bars,
    group_key,
    group_rows,
    inside_rectangle,
    level_counts,
    numeric_counts,
    rates,
    robust_edges,
    scatter_points,
    scatter_sample,
)
from credit_scoring.dashboard.explanation import (
    WaterfallStep,
    decision_summary,
    distance_words,
    shorten,
    simulation_sentence,
    step_text,
    top_features,
    waterfall_series,
)
from credit_scoring.dashboard.state import DashboardState, FilterLink, link_selection, paused
from credit_scoring.errors import EmptyGroupError
from credit_scoring.explain.reasons import DECREASES_RISK, INCREASES_RISK, Reason

NAN = float("nan")


# ----- comparison statistics ---------------------------------------------------------------------
def test_numeric_counts_split_known_outcomes_and_clip_to_the_edges():
    edges = np.array([0.0, 1.0, 2.0, 3.0])
    values = np.array([0.5, 0.7, 1.5, 2.5, 9.0, -4.0, NAN])
    target = np.array([1.0, 0.0, NAN, 1.0, 1.0, 0.0, 1.0])
    counts, known, defaults = numeric_counts(values, target, edges)
    # -4 counts in the first bar, 9 in the last, the missing value nowhere
    np.testing.assert_array_equal(counts, [3, 1, 2])
    np.testing.assert_array_equal(known, [3, 0, 2])
    np.testing.assert_array_equal(defaults, [1, 0, 2])
    np.testing.assert_allclose(rates(defaults, known), [1 / 3, NAN, 1.0])


def test_level_counts_leave_missing_codes_out():
    codes = np.array([0, 2, 2, -1, 1, 2])
    target = np.array([0.0, 1.0, NAN, 1.0, 0.0, 0.0])
    counts, known, defaults = level_counts(codes, 4, target)
    np.testing.assert_array_equal(counts, [1, 1, 3, 0])
    np.testing.assert_array_equal(known, [1, 1, 2, 0])
    np.testing.assert_array_equal(defaults, [0, 0, 1, 0])


def test_robust_edges_give_one_bar_per_whole_number_or_even_bins():
    children = np.array([0, 0, 1, 2, 2, 3, NAN])
    np.testing.assert_array_equal(robust_edges(children), [-0.5, 0.5, 1.5, 2.5, 3.5])
    spread = np.linspace(0.0, 100.0, 1001)
    edges = robust_edges(spread, bins=4)
    assert len(edges) == 5
    assert edges[0] == pytest.approx(0.5) and edges[-1] == pytest.approx(99.5)
    np.testing.assert_array_equal(robust_edges(np.array([NAN, NAN])), [0.0, 1.0])
    single = robust_edges(np.array([0.3, 0.3]))  # one value, not whole: a unit around it
    assert len(single) == 16 and (single[0], single[-1]) == pytest.approx((-0.2, 0.8))


@pytest.mark.parametrize(
    ("value", "bar"), [(0.0, 0), (0.99, 0), (1.0, 1), (2.5, 2), (3.0, 2), (-7.0, 0), (70.0, 2)]
)
def test_bar_of_a_value(value, bar):
    assert bar_of(value, np.array([0.0, 1.0, 2.0, 3.0])) == bar


def test_bar_of_a_missing_value_is_none():
    assert bar_of(NAN, np.array([0.0, 1.0])) is None


def test_rates_are_drawn_only_for_bars_with_enough_known_outcomes():
    found = Distribution(
        labels=["a", "b", "c"],
        edges=None,
        counts=np.array([50, 50, 50]),
        default_rates=np.array([0.1, 0.2, NAN]),
        client_bar=None,
        client_value=None,
        tick_labels=["a", "b", "c"],
        known_counts=np.array([10, 9, 0]),
    )
    assert drawn_rate_bars(found) == [0]
    assert drawn_rate_bars(found, minimum=5) == [0, 1]


def test_default_rate_counts_known_outcomes_only():
    assert default_rate(np.array([1.0, 0.0, NAN, 0.0])) == pytest.approx(1 / 3)
    assert np.isnan(default_rate(np.array([NAN, NAN])))


class TinyData:
    """The few lookups group_rows makes, on 10 clients."""

    n_clients = 10

    def filter_rows(self, filters):
        return np.array([1, 3, 5]) if filters else np.arange(10)

    def row_of(self, client_id):
        return client_id - 100

    def similar_rows(self, row, k):
        return np.array([r for r in range(10) if r != row][:k])


def test_group_rows_for_each_mode():
    data = TinyData()
    np.testing.assert_array_equal(group_rows(data, "all"), np.arange(10))
    np.testing.assert_array_equal(group_rows(data, "filtered", filters={"X": "a"}), [1, 3, 5])
    np.testing.assert_array_equal(
        group_rows(data, "similar", client_id=100, k_similar=3), [1, 2, 3]
    )
    np.testing.assert_array_equal(group_rows(data, "brushed", brushed_rows=[4, 6]), [4, 6])
    for mode, options in (("brushed", {}), ("similar", {"client_id": None})):
        with pytest.raises(EmptyGroupError):
            group_rows(data, mode, **options)


def test_group_key_tells_groups_apart_and_none_for_similar_clients():
    rows = np.array([1, 2])
    assert group_key("all") == group_key("all")
    assert group_key("filtered", {"A": "x", "B": "y"}) == group_key(
        "filtered", {"B": "y", "A": "x"}
    )
    assert group_key("filtered", {"A": "x"}) != group_key("filtered", {"A": "z"})
    assert group_key("brushed", brushed_rows=rows) != group_key("brushed", brushed_rows=rows.copy())
    assert group_key("similar") is None


def test_a_group_filtered_on_the_decision_follows_the_threshold():
    on_decision = {"decision": "refused"}
    assert group_key("filtered", on_decision, threshold=0.08) != group_key(
        "filtered", on_decision, threshold=0.04
    )
    assert group_key("filtered", {"risk_band": "low"}, threshold=0.08) != group_key(
        "filtered", {"risk_band": "low"}, threshold=0.04
    )
    # other filters do not depend on the threshold: the group is reused
    assert group_key("filtered", {"SPLIT": "new"}, threshold=0.08) == group_key(
        "filtered", {"SPLIT": "new"}, threshold=0.04
    )


def reason(label: str, contribution: float) -> Reason:
    direction = INCREASES_RISK if contribution > 0 else DECREASES_RISK
    return Reason(label.upper(), label, "1", contribution, direction)


def test_a_refusal_below_the_average_risk_names_what_lowers_the_risk():
    reasons = [reason("Revenu", -0.6), reason("Âge", 0.2), reason("Dette", -0.1)]
    text = decision_summary(reasons, probability=0.04, average=0.06, threshold=0.03, lang="fr")
    assert text.startswith("Crédit refusé")
    assert "surtout augmenté" not in text and "Âge" not in text
    assert "plus bas que celui du client moyen (6,0" in text
    assert "surtout diminué par Revenu (1) et Dette (1)" in text
    # above the average and refused: the usual sentence, the risk raised by what raises it
    usual = decision_summary(reasons[1:2], 0.09, average=0.06, threshold=0.08, lang="fr")
    assert "surtout augmenté par Âge (1)" in usual
    # granted although above the average: said so, with what raises the risk
    granted = decision_summary(reasons, probability=0.07, average=0.06, threshold=0.08, lang="en")
    assert granted.startswith("Credit granted") and "higher than the average" in granted
    assert "mostly raised by Âge (1)" in granted


def test_a_simulated_threshold_is_said_with_the_models_decision():
    assert simulation_sentence(0.05, 0.08, 0.08, "fr") == ""
    differs = simulation_sentence(0.05, 0.03, 0.08, "fr")
    assert "seuil simulé (3,0" in differs and "le crédit serait accordé" in differs
    same = simulation_sentence(0.05, 0.06, 0.08, "en")
    assert "same (granted)" in same


def test_scatter_sample_is_bounded_stable_and_from_the_group():
    rows = np.arange(100, 5100)
    sample = scatter_sample(rows, size=300)
    assert len(sample) == 300 and len(set(sample)) == 300
    assert np.isin(sample, rows).all() and (np.diff(sample) > 0).all()
    np.testing.assert_array_equal(sample, scatter_sample(rows, size=300))
    small = np.array([3, 1, 2])
    np.testing.assert_array_equal(scatter_sample(small, size=300), small)


def test_scatter_points_drop_missing_values_and_code_outcomes():
    x = np.array([1.0, NAN, 3.0, 4.0])
    y = np.array([1.0, 2.0, 3.0, NAN])
    target = np.array([1.0, 0.0, NAN, 0.0])
    xs, ys, outcome = scatter_points(x, y, target)
    np.testing.assert_array_equal(xs, [1.0, 3.0])
    np.testing.assert_array_equal(ys, [1.0, 3.0])
    np.testing.assert_array_equal(outcome, [DEFAULTED, UNKNOWN])
    _, _, outcome = scatter_points(np.array([0.0]), np.array([0.0]), np.array([0.0]))
    assert list(outcome) == [REPAID]


def test_inside_rectangle_includes_bounds_in_any_order():
    x = np.array([0.0, 1.0, 2.0, 3.0])
    y = np.array([0.0, 1.0, 1.0, 1.0])
    mask = inside_rectangle(x, y, (2.0, 1.0), (0.5, 1.0))
    np.testing.assert_array_equal(mask, [False, True, True, False])


def test_axes_helpers():
    assert unique_labels(["a", "b", "a", "a"]) == ["a", "b", "a\u200b", "a\u200b\u200b"]
    assert clamp(5.0, 0.0, 1.0) == 1.0 and clamp(-5.0, 0.0, 1.0) == 0.0
    assert value_range(np.array([2.0, 2.0])) == (1.5, 2.5)
    assert value_range(np.array([])) == (0.0, 1.0)


@pytest.mark.parametrize(
    ("probability", "threshold", "top"),
    [(0.04, 0.08, 0.4), (0.3, 0.08, 0.5), (0.08, 0.45, 0.7), (0.9, 0.5, 1.0)],
)
def test_the_gauge_leaves_room_for_the_client_and_the_threshold(probability, threshold, top):
    assert gauge_top(probability, threshold) == pytest.approx(top)
    assert tenths(top)[-1] == pytest.approx(top) and tenths(top)[1] == pytest.approx(0.1)


# ----- explanation -------------------------------------------------------------------------------
def test_top_features_are_the_largest_in_size_without_zeros():
    assert top_features(np.array([0.1, -0.5, 0.0, 0.3]), 3) == [1, 3, 0]
    assert top_features(np.array([0.0, 0.2, 0.0]), 3) == [1]


def test_step_text_is_a_probability_for_totals_and_signed_points_for_steps():
    assert step_text(WaterfallStep("__start__", "", 0.0, 0.046), "fr") == "4,6\u00a0%"
    assert step_text(WaterfallStep("X", "", 0.05, 0.064), "fr") == "+1,4 pt"
    assert step_text(WaterfallStep("X", "", 0.064, 0.059), "en") == "\u22120.5 pt"
    assert shorten("x" * 50) == "x" * 39 + "…" and shorten("short") == "short"


# ----- formatting --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("lang", "percent", "count", "points", "pair"),
    [
        ("fr", "12,3\u00a0%", "17\u202f264", "3,2", "Âge : 30"),
        ("en", "12.3%", "17,264", "3.2", "Âge: 30"),
    ],
)
def test_the_page_writes_numbers_in_the_language(lang, percent, count, points, pair):
    assert fmt.percent(0.1234, lang) == percent
    assert fmt.count(17_264, lang) == count
    assert fmt.points(-0.032, lang) == points
    assert fmt.label_value("Âge", "30", lang) == pair


def test_signed_points_and_escape():
    assert fmt.signed_points(0.014, "fr") == "+1,4 pt"
    assert fmt.signed_points(-0.005, "en") == "\u22120.5 pt"
    assert fmt.signed_points(0.0, "fr") == "+0,0 pt"
    assert fmt.escape('<b a="1">&</b>') == "&lt;b a=&quot;1&quot;&gt;&amp;&lt;/b&gt;"


def test_no_hand_made_number_style_is_left_in_the_dashboard():
    from pathlib import Path

    import credit_scoring.dashboard as package

    folder = Path(package.__file__).parent
    for path in folder.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        for pattern in ('.replace(".", ",")', ".replace('.', ',')", "\\u00a0%", ':,}"'):
            assert pattern not in text, f"{path.name} formats numbers by hand: {pattern}"


# ----- links between controls and the state ------------------------------------------------------
def test_a_linked_selection_follows_the_state_and_ignores_unknown_values():
    state = DashboardState(feature="b")
    choice = widgets.Dropdown(options=[("A", "a"), ("B", "b")])
    link_selection(state, "feature", choice)
    assert choice.value == "b"
    choice.value = "a"
    assert state.feature == "a"
    state.feature = "b"
    assert choice.value == "b"
    state.feature = "unknown"  # the panel drawing it says what is wrong; the widget stays
    assert choice.value == "b" and state.feature == "unknown"


def test_relabelling_paused_links_leaves_the_state_alone():
    state = DashboardState(group_mode="similar")
    choice = widgets.ToggleButtons(options=[("All", "all"), ("Similar", "similar")])
    links = [link_selection(state, "group_mode", choice)]
    changes: list = []
    state.observe(changes.append, "group_mode")
    with paused(links):
        choice.options = [("Tous", "all"), ("Semblables", "similar")]
        assert choice.value == "all"  # ipywidgets moved it to the first option
    assert changes == [] and state.group_mode == "similar"
    assert choice.value == "similar" and choice.label == "Semblables"
    choice.value = "all"  # linked again
    assert state.group_mode == "all"


def test_a_filter_link_keeps_one_entry_of_the_filters():
    state = DashboardState(filters={"OTHER": "x"})
    dropdown = widgets.Dropdown(options=[("Any", ""), ("Women", "F"), ("Men", "M")])
    FilterLink(state, "CODE_GENDER", dropdown)
    dropdown.value = "F"
    assert state.filters == {"OTHER": "x", "CODE_GENDER": "F"}
    state.set_filter("CODE_GENDER", "M")
    assert dropdown.value == "M"
    state.filters = {}
    assert dropdown.value == ""
    dropdown.value = "M"
    dropdown.value = ""
    assert state.filters == {}


def test_waterfall_series_stack_an_offset_and_one_coloured_part_per_step():
    steps = [
        WaterfallStep("__start__", "", 0.0, 0.05),
        WaterfallStep("A", "", 0.05, 0.08),  # raises by 3 points
        WaterfallStep("B", "", 0.08, 0.06),  # lowers by 2 points
        WaterfallStep("__end__", "", 0.0, 0.06),
    ]
    offsets, raises, lowers, totals = waterfall_series(steps)
    np.testing.assert_allclose(offsets, [0.0, 0.05, 0.06, 0.0])
    np.testing.assert_allclose(raises, [0.0, 0.03, 0.0, 0.0])
    np.testing.assert_allclose(lowers, [0.0, 0.0, 0.02, 0.0])
    np.testing.assert_allclose(totals, [0.05, 0.0, 0.0, 0.06])


@pytest.mark.parametrize(
    ("probability", "side", "margin", "points"),
    [
        (0.043, "below", "clear", "3,7"),
        (0.09, "above", "close", "1,0"),
        (0.30, "above", "far", "22,0"),
        (0.080, "above", "close", "0,0"),
    ],
)
def test_distance_to_the_threshold_in_words(probability, side, margin, points):
    from credit_scoring.i18n import translate

    expected = translate(
        f"score.distance_{side}",
        "fr",
        points=points,
        margin=translate(f"score.margin_{margin}", "fr"),
    )
    assert distance_words(probability, 0.08, "fr") == expected
