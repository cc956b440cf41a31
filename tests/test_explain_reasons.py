"""Plain-language reasons and their one-sentence summary, in French and English."""

import numpy as np
import pytest

from credit_scoring.explain.reasons import summarize_reasons, top_reasons
from credit_scoring.i18n import missing_translations

CATALOG = {
    "groups": {},
    "features": [
        {"name": "AGE_YEARS", "label_fr": "Âge du client", "label_en": "Client's age",
         "unit": "years", "decimals": 0, "source": "application", "group": "identity",
         "kind": "numeric"},
        {"name": "EXT_SCORES_MEAN", "label_fr": "Score externe moyen",
         "label_en": "Mean external score", "unit": "score", "decimals": 2,
         "source": "application", "group": "external_scores", "kind": "numeric"},
        {"name": "AMT_CREDIT", "label_fr": "Montant du crédit", "label_en": "Credit amount",
         "unit": "amount", "decimals": 0, "source": "application", "group": "credit_requested",
         "kind": "numeric"},
    ],
}  # fmt: skip
NAMES = ["AGE_YEARS", "EXT_SCORES_MEAN", "AMT_CREDIT"]
VALUES = {"AGE_YEARS": 24.0, "EXT_SCORES_MEAN": 0.21, "AMT_CREDIT": 450000.0}


def test_top_reasons_by_absolute_contribution_with_words_and_formatted_values():
    reasons = top_reasons(np.array([0.3, 0.8, -0.5]), NAMES, VALUES, CATALOG, n=2, lang="en")
    assert [r.feature for r in reasons] == ["EXT_SCORES_MEAN", "AMT_CREDIT"]
    assert reasons[0].label == "Mean external score"
    assert reasons[0].value == "0.21"
    assert reasons[0].direction == "increases_risk"
    assert reasons[1].value == "450,000"
    assert reasons[1].contribution == pytest.approx(-0.5)
    assert reasons[1].direction == "decreases_risk"
    french = top_reasons([0.3, 0.8, -0.5], NAMES, list(VALUES.values()), CATALOG, n=3, lang="fr")
    assert [r.value for r in french] == ["0,21", "450\u202f000", "24 ans"]  # Babel: U+202F


def test_features_without_contribution_are_never_reasons():
    reasons = top_reasons([0.0, 0.4, 0.0], NAMES, VALUES, CATALOG, n=3, lang="en")
    assert [r.feature for r in reasons] == ["EXT_SCORES_MEAN"]


def test_summary_names_what_pushed_the_decision_and_what_pulled_the_other_way():
    reasons = top_reasons([0.3, 0.8, -0.5], NAMES, VALUES, CATALOG, n=3, lang="en")
    text = summarize_reasons(reasons, "refused", "en")
    assert text == (
        "Credit refused: the estimated risk of default is raised mostly by Mean external score "
        "(0.21) and Client's age (24 years). On the other hand, Credit amount (450,000) speaks "
        "in the client's favour."
    )
    french = summarize_reasons(
        top_reasons([0.3, 0.8, -0.5], NAMES, VALUES, CATALOG, n=3, lang="fr"), "granted", "fr"
    )
    assert french.startswith("Crédit accordé : le risque de défaut estimé est surtout diminué par")
    assert "Montant du crédit (450\u202f000)" in french
    assert "À surveiller : Score externe moyen (0,21) augmente le risque." in french


def test_summary_without_a_dominant_reason_and_bad_inputs():
    assert summarize_reasons([], "granted", "en").startswith("Credit granted: no single element")
    with pytest.raises(ValueError, match="granted"):
        summarize_reasons([], "maybe", "en")
    with pytest.raises(ValueError, match="3 contributions for 2"):
        top_reasons([0.1, 0.2, 0.3], NAMES[:2], VALUES, CATALOG)


def test_every_word_exists_in_both_languages():
    assert missing_translations() == {}
