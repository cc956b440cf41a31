"""Principal reasons: at most four, the client's own risk-increasing contributions, grouped by
stable codes, in both languages."""

import numpy as np
import pandas as pd
import pytest

from credit_scoring.explain.principal_reasons import (
    MAX_PRINCIPAL_REASONS,
    principal_reasons,
    reason_code,
)
from credit_scoring.i18n import LANGUAGES

CATALOG = {
    "groups": {},
    "features": [
        {"name": name, "label_fr": f"{name} fr", "label_en": f"{name} en", "unit": "number",
         "decimals": 2, "source": "application", "group": group, "kind": "numeric"}
        for name, group in [
            ("EXT_SOURCE_1", "external_scores"), ("EXT_SCORES_MEAN", "external_scores"),
            ("INST_LATE_SHARE", "payment_behaviour"),
            ("PREV_REFUSED_SHARE", "previous_applications"),
            ("BUREAU_LATE_MONTHS", "bureau"), ("ANNUITY_TO_INCOME", "income"),
            ("AGE_YEARS", "identity"), ("CNT_CHILDREN", "family"),
        ]
    ],
}  # fmt: skip
NAMES = [entry["name"] for entry in CATALOG["features"]]
VALUES = dict.fromkeys(NAMES, 0.5)


def test_features_saying_the_same_thing_make_one_reason():
    contributions = np.array([0.2, 0.3, 0.1, 0.0, 0.0, 0.0, 0.0, -0.4])
    reasons = principal_reasons(contributions, NAMES, VALUES, CATALOG, "en")
    assert [reason.code for reason in reasons] == ["EXTERNAL_SCORES", "PAYMENT_INCIDENTS"]
    assert reasons[0].contribution == pytest.approx(0.5)
    assert reasons[0].features == ("EXT_SCORES_MEAN", "EXT_SOURCE_1")  # strongest first
    assert reasons[0].label == "EXT_SCORES_MEAN en"
    assert reasons[0].text.startswith("Unfavourable external scores (EXT_SCORES_MEAN en: 0.50)")


def test_at_most_four_ranked_by_their_weight_and_only_risk_raising_ones():
    contributions = np.array([0.1, 0.0, 0.6, 0.5, 0.4, 0.3, 0.2, -1.0])
    reasons = principal_reasons(contributions, NAMES, VALUES, CATALOG, "fr", limit=10)
    assert len(reasons) == MAX_PRINCIPAL_REASONS
    assert [reason.code for reason in reasons] == [
        "PAYMENT_INCIDENTS", "REFUSED_APPLICATIONS", "BUREAU_INCIDENTS", "REPAYMENT_CAPACITY",
    ]  # fmt: skip
    weights = [reason.contribution for reason in reasons]
    assert weights == sorted(weights, reverse=True)
    assert all(reason.contribution > 0 for reason in reasons)


def test_nothing_raising_the_risk_gives_no_reason():
    assert principal_reasons(-np.ones(len(NAMES)), NAMES, VALUES, CATALOG, "fr") == []


def test_every_code_has_words_in_every_language():
    contributions = np.linspace(0.1, 0.8, len(NAMES))
    for lang in LANGUAGES:
        reasons = principal_reasons(contributions, NAMES, VALUES, CATALOG, lang)
        assert len({reason.text for reason in reasons}) == len(reasons)
        assert all(reason.text and "reason_code." not in reason.text for reason in reasons)


def test_unmatched_features_fall_back_to_their_group():
    assert reason_code("CNT_CHILDREN", "family") == "GROUP_family"
    assert reason_code("EXT_SOURCE_3", "external_scores") == "EXTERNAL_SCORES"


def test_the_reasons_are_the_clients_own_largest_risk_increasing_contributions(
    pipeline_artifacts_dir,
):
    """On the pipeline's artifacts: for every refused client, each reason's weight is the sum of
    the client's positive contributions of its features, and no code left out weighs more."""
    from credit_scoring.scoring import Scorer

    scorer = Scorer.from_artifacts(pipeline_artifacts_dir)
    contributions = np.load(pipeline_artifacts_dir / "contributions.npy")
    features = pd.read_parquet(pipeline_artifacts_dir / "features.parquet")
    scores = pd.read_parquet(pipeline_artifacts_dir / "scores.parquet")
    groups = {entry["name"]: entry["group"] for entry in scorer.catalog["features"]}
    refused = np.flatnonzero(scores["decision"] == "refused")[:50]
    assert len(refused)
    for row in refused:
        reasons = scorer.principal_reasons(contributions[row], features.iloc[row], "fr")
        assert 1 <= len(reasons) <= MAX_PRINCIPAL_REASONS
        sums: dict[str, float] = {}
        for index, name in enumerate(scorer.feature_names):
            if contributions[row, index] > 0:
                code = reason_code(name, groups.get(name))
                sums[code] = sums.get(code, 0.0) + float(contributions[row, index])
        expected = sorted(sums, key=lambda code: -sums[code])[: len(reasons)]
        assert [reason.code for reason in reasons] == expected
        for reason in reasons:
            assert reason.contribution == pytest.approx(sums[reason.code], rel=1e-6)
