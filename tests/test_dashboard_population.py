"""The manager's view of the population (model date, latest monitoring, score drift) and the
warning beside the score for a client unlike the training population."""

import numpy as np
import pytest

from credit_scoring.dashboard.app import DashboardApp
from credit_scoring.dashboard.data import DashboardData
from credit_scoring.dashboard.population import population_lines
from credit_scoring.i18n import translate

MANIFEST = {"created_at": "2026-11-20T09:00:00+00:00"}


def monitoring(verdict: str, created_at: str = "2026-11-27T10:00:00+00:00") -> dict:
    return {
        "created_at": created_at,
        "summary": {"verdict": verdict, "new_applicants": 48744, "score_psi": 0.312,
                    "score_verdict": verdict},
    }  # fmt: skip


def test_no_monitoring_yet_is_said_plainly():
    lines = population_lines(MANIFEST, None, "fr")
    assert lines[0] == ("text", "Modèle entraîné le 20 novembre 2026")
    assert lines[1] == ("text", translate("monitoring.none", "fr"))


def test_the_latest_verdict_and_the_score_drift_in_both_languages():
    lines = dict(enumerate(population_lines(MANIFEST, monitoring("significant"), "en")))
    assert "48,744" in lines[1][1] and "November 27, 2026" in lines[1][1]
    assert lines[2] == ("error", translate("monitoring.verdict.significant", "en"))
    assert "0.31" in lines[3][1]
    french = population_lines(MANIFEST, monitoring("stable"), "fr")
    assert ("info", translate("monitoring.verdict.stable", "fr")) in french
    assert any("0,31" in text for _, text in french)


def test_a_monitoring_older_than_the_model_is_flagged():
    old = monitoring("stable", created_at="2026-11-01T10:00:00+00:00")
    kinds = [kind for kind, _ in population_lines(MANIFEST, old, "fr")]
    assert "warning" in kinds
    fresh = [kind for kind, _ in population_lines(MANIFEST, monitoring("stable"), "fr")]
    assert "warning" not in fresh


@pytest.fixture(scope="module")
def data(pipeline_artifacts_dir) -> DashboardData:
    return DashboardData(pipeline_artifacts_dir)


def test_the_warning_shows_for_an_unfamiliar_client_only(data):
    app = DashboardApp(data, lang="fr")
    assert app.population.body.value  # the section is drawn (no monitoring yet: it says so)
    assert translate("monitoring.none", "fr") in app.population.body.value
    flagged = np.flatnonzero(data.unfamiliar)
    typical = np.flatnonzero(~data.unfamiliar)
    assert len(flagged) and len(typical)
    app.state.client_id = int(data.client_ids[flagged[0]])
    assert "cs-unfamiliar" in app.score.summary.value
    assert translate("familiarity.warning", "fr") in app.score.summary.value
    app.state.lang = "en"
    assert translate("familiarity.warning", "en") in app.score.summary.value
    app.state.client_id = int(data.client_ids[typical[0]])
    assert "cs-unfamiliar" not in app.score.summary.value
