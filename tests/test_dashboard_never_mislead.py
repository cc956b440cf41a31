"""Dashboard panels that must never mislead (issue 13): one number per client said in words, a
threshold slider that is a full simulation (decision, risk band, sentence, filters), messages in
the current language, honest chart signs, and navigation and search that do what people expect.

Runs on the artifacts of the real pipeline (2,000 synthetic applicants), without a browser.
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers import row_with, show, text_of

from credit_scoring.dashboard import formatting as fmt
from credit_scoring.dashboard.app import DashboardApp
from credit_scoring.dashboard.data import DashboardData
from credit_scoring.i18n import translate


@pytest.fixture(scope="module")
def data(pipeline_artifacts_dir) -> DashboardData:
    return DashboardData(pipeline_artifacts_dir)


@pytest.fixture()
def app(data) -> DashboardApp:
    return DashboardApp(data, lang="fr")


def below_average_granted_row(data: DashboardData) -> int:
    """A past client granted at the model's threshold whose risk is below the average client's."""
    average = data.calibration(data.base_value)
    rows = np.flatnonzero(
        (data.probability < average) & (data.probability >= 0.02) & (data.decision == "granted")
    )
    return int(rows[0])


def test_score_panel_says_which_model_gave_the_number(app, data):
    past = int(np.flatnonzero(data.is_historical)[0])
    new = int(np.flatnonzero(~data.is_historical.astype(bool))[0])
    show(app, past)
    assert data.scorer.folds_of([data.client_ids[past]])[0] >= 0  # scored out-of-fold
    assert "un modèle qui n'a pas vu ce client (client historique)" in app.score.summary.value
    show(app, new)
    assert data.scorer.folds_of([data.client_ids[new]])[0] == -1
    assert "le modèle final (nouveau client)" in app.score.summary.value
    app.state.lang = "en"
    assert "by the final model (new client)" in app.score.summary.value


def test_a_moved_slider_moves_the_risk_band_and_says_it_is_a_simulation(app, data):
    row = row_with(data, "granted")
    show(app, row)
    assert "cs-simulation" not in app.score.summary.value
    simulated = max(0.01, float(data.probability[row]) - 0.005)
    app.score.threshold_slider.value = simulated
    band = data.risk_band_of(row, simulated)
    assert band != data.risk_band_of(row)  # refused now, so a higher band than at the model's
    shown = text_of(app.score.summary.value)
    assert f"Niveau de risque :  {translate('risk_band.' + band, 'fr')}" in shown
    assert "cs-simulation" in app.score.summary.value
    assert "Simulation : seuil de refus à" in shown and "Crédit accordé" in shown  # model's
    app.score.reset_threshold()
    assert "cs-simulation" not in app.score.summary.value
    assert translate("risk_band." + data.risk_band_of(row), "fr") in text_of(
        app.score.summary.value
    )


def test_decision_and_band_filters_follow_the_simulated_threshold(app, data):
    app.state.set_filter("decision", "refused")
    at_model = np.flatnonzero(data.probability >= data.threshold)
    np.testing.assert_array_equal(app.picker.filtered_rows, at_model)
    app.state.group_mode = "filtered"
    simulated = round(float(data.threshold) / 2, 3)
    shown = app.state.client_id
    app.state.threshold = simulated
    refused = np.flatnonzero(data.probability >= simulated)
    assert len(refused) > len(at_model)
    np.testing.assert_array_equal(app.picker.filtered_rows, refused)
    assert fmt.count(len(refused), "fr") in app.picker.count.value
    assert len(app.compare.rows) == len(refused)  # the comparison group follows too
    assert app.state.client_id == shown, "moving the slider keeps the client"
    assert "seuil simulé" in app.picker.threshold_note.value
    app.state.set_filter("decision", None)
    app.state.set_filter("risk_band", "very_low")
    expected = [r for r in range(data.n_clients) if data.risk_band_of(r, simulated) == "very_low"]
    np.testing.assert_array_equal(app.picker.filtered_rows, expected)
    app.score.reset_threshold()
    at_model_band = [r for r in range(data.n_clients) if data.risk_band_of(r) == "very_low"]
    np.testing.assert_array_equal(app.picker.filtered_rows, at_model_band)
    assert "seuil simulé" not in app.picker.threshold_note.value


def test_refusal_at_a_simulated_threshold_is_not_blamed_on_the_client(app, data):
    row = below_average_granted_row(data)
    show(app, row)
    app.state.threshold = max(0.01, float(data.probability[row]) - 0.005)
    assert app.score.shown_decision() == "refused"
    summary = text_of(app.why.summary.value)
    assert "Crédit refusé" in summary
    assert "surtout augmenté" not in summary
    assert "plus bas que celui du client moyen" in summary
    assert "seuil simulé" in summary and "le crédit serait accordé" in summary
    app.state.lang = "en"
    summary = text_of(app.why.summary.value)
    assert "lower than the average client" in summary and "mostly raised" not in summary


def test_messages_on_screen_follow_the_language_switch(app, data):
    unknown = int(data.client_ids.max()) + 1
    app.picker.select(str(unknown))
    assert "n'existe pas" in app.picker.message.value
    app.state.set_filter("SPLIT", "new")
    app.state.set_filter("risk_band", "very_high")
    app.state.set_filter("decision", "granted")
    app.state.group_mode = "filtered"
    assert "Aucun client" in app.compare.message.value
    app.state.lang = "en"
    assert "does not exist" not in app.picker.message.value  # the newer message replaced it
    assert translate("error.empty_filter", "en") in app.picker.message.value
    assert translate("error.empty_group_filtered", "en") in app.compare.message.value
    app.picker.clear_filters()
    app.picker.select(str(unknown))
    app.state.lang = "fr"
    assert f"« {unknown} » n'existe pas" in app.picker.message.value


def test_scatter_ticks_are_labelled_with_their_own_decimals_after_a_feature_change(app, data):
    first, *others = app.compare.numeric_names
    for feature in [first, *others[:6]]:
        app.state.feature = feature
        for axis in (app.compare.x_axis, app.compare.y_axis):
            ticks = np.asarray(axis.tick_values, dtype=float)
            labels = axis.tick_labels
            assert len(labels) == len(ticks)
            for tick in ticks:
                key = str(int(tick)) if float(tick).is_integer() else repr(float(tick))
                text = labels[key].replace("\u202f", "").replace("\u00a0", "")
                assert float(text.replace(",", ".").replace("\u2212", "-")) == pytest.approx(tick)


def test_a_client_beyond_the_scatter_scale_is_drawn_with_a_sign(app, data):
    feature, second = app.state.feature, app.state.second_feature
    values, seconds = data.numeric[feature], data.numeric[second]
    # a group of middling values: the scatter's scales are drawn for it, others lie beyond
    low, high = np.nanquantile(values, [0.25, 0.75])
    app.state.brush(np.flatnonzero((values >= low) & (values <= high) & ~np.isnan(seconds)))
    compare = app.compare
    beyond = np.flatnonzero((values > compare.x_scale.max) & ~np.isnan(seconds))
    show(app, int(beyond[0]))
    assert compare.client_point.x[0] == pytest.approx(compare.x_scale.max)
    sign = compare.client_off_scale_text()
    assert "hors échelle" in sign and sign[0] in "→↗↘"
    assert data.label(feature, "fr") in compare.off_scale_note.value
    below = np.flatnonzero((values < compare.x_scale.min) & ~np.isnan(seconds))
    show(app, int(below[0]))
    assert compare.client_off_scale_text()[0] in "←↖↙"
    inside = np.flatnonzero(
        (values >= compare.x_scale.min) & (values <= compare.x_scale.max)
        & (seconds >= compare.y_scale.min) & (seconds <= compare.y_scale.max)
    )  # fmt: skip
    show(app, int(inside[0]))
    assert compare.client_off_scale_text() == "" and compare.off_scale_note.value == ""


def test_clicking_the_same_waterfall_bar_again_compares_on_it_again(app, data):
    show(app, row_with(data, "refused"))
    feature = app.why.steps[2].key
    app.why.select_bar(feature)
    assert app.state.feature == feature
    other = next(name for name in app.compare.feature_names if name != feature)
    app.compare.feature_choice.value = other  # the comparison's own choice
    assert app.state.feature == other
    app.why.select_bar(feature)  # the same bar again
    assert app.state.feature == feature
    # clicked twice in a row: the feature stays compared and the panel says so
    app.why.click_bar(feature)
    app.why.click_bar(feature)
    assert app.state.feature == feature
    assert list(app.why.bars.selected) == [2]
    assert "comparé sur" in app.why.message.value


def test_previous_and_next_stop_at_the_ends_of_the_list(app, data):
    app.state.set_filter("SPLIT", "new")
    rows = app.picker.filtered_rows
    show(app, int(rows[-1]))
    assert app.picker.next_button.disabled and not app.picker.previous_button.disabled
    app.picker.step(+1)
    assert app.state.client_id == int(data.client_ids[rows[-1]]), "no wrap-around to the first"
    assert "dernier client" in app.picker.message.value
    show(app, int(rows[0]))
    assert app.picker.previous_button.disabled and not app.picker.next_button.disabled
    app.picker.step(-1)
    assert app.state.client_id == int(data.client_ids[rows[0]])
    assert "premier client" in app.picker.message.value
    app.picker.step(+1)
    assert app.state.client_id == int(data.client_ids[rows[1]])
    assert app.picker.message.value == ""


def test_field_search_ignores_accents_and_case(app, data):
    app.info.group_choice.value = ""
    age_label = next(
        data.label(name, "fr")
        for name in data.feature_names
        if data.label(name, "fr").startswith("Âge")
    )
    for typed in ("age", "AGE", "âge", "  Âge "):
        app.info.search.value = typed
        assert age_label in [label for label, _ in app.info.shown_rows()], typed
    app.info.search.value = "etudes"
    assert any("études" in label for label, _ in app.info.shown_rows())
    app.info.search.value = ""


def test_a_client_beyond_the_histograms_bins_is_not_said_to_be_in_the_edge_range(app, data):
    app.state.group_mode = "all"
    feature = app.state.feature
    edges = app.compare.distribution.edges
    values = data.numeric[feature]
    beyond = np.flatnonzero(values > edges[-1])
    assert len(beyond), "the bins cover the 99.5 % quantile: someone lies beyond"
    show(app, int(beyond[0]))
    text = app.compare.position_info.value
    assert "au-delà des tranches dessinées" in text and "sont dans la tranche" not in text
    inside = np.flatnonzero((values > edges[1]) & (values < edges[-2]))
    show(app, int(inside[0]))
    assert "au-delà" not in app.compare.position_info.value
