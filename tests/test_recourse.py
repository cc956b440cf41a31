"""What would change the decision: feasible, within the lender's bounds, and true when applied
through the what-if path or `credit-scoring score`."""

import json
import shutil

import pandas as pd
import pytest

from credit_scoring.cli import main
from credit_scoring.errors import DataError, UnknownClientError
from credit_scoring.scoring import Scorer
from credit_scoring.scoring.batch import score_folder
from credit_scoring.scoring.recourse import (
    NEGOTIABLE_COLUMNS,
    RecourseBounds,
    annuity,
    find_recourse,
    implied_term,
    recourse_for_client,
)
from credit_scoring.scoring.scorer import client_record


def test_the_lenders_arithmetic():
    # 12 monthly instalments of an amount at 0% are amount / 12
    assert annuity(12_000, 12, 0.0) == pytest.approx(1_000)
    instalment = float(annuity(225_000, 20, 0.10))
    assert implied_term(225_000, instalment, 0.10) == pytest.approx(20)
    assert implied_term(225_000, 1.0, 0.10) is None  # never repays the interest
    assert implied_term(225_000, float("nan"), 0.10) is None


def test_bounds_that_make_no_sense_are_refused():
    with pytest.raises(DataError, match="min_term_months"):
        RecourseBounds(min_term_months=30, max_term_months=12)
    with pytest.raises(DataError, match="annual_rate"):
        RecourseBounds(annual_rate=1.5)


@pytest.fixture(scope="module")
def scorer(pipeline_artifacts_dir):
    return Scorer.from_artifacts(pipeline_artifacts_dir)


@pytest.fixture(scope="module")
def recourses(pipeline_artifacts_dir, scorer):
    """Recourse of the first 60 refused and 10 granted clients of the artifacts."""
    scores = pd.read_parquet(pipeline_artifacts_dir / "scores.parquet")
    ids = list(scores.loc[scores["decision"] == "refused", "SK_ID_CURR"][:60])
    ids += list(scores.loc[scores["decision"] == "granted", "SK_ID_CURR"][:10])
    return {
        int(client): recourse_for_client(pipeline_artifacts_dir, client, scorer=scorer)
        for client in ids
    }


def test_a_refused_client_gets_changes_that_really_flip_the_decision(
    pipeline_artifacts_dir, scorer, recourses
):
    refused = [r for r in recourses.values() if r.decision == "refused" and r.options]
    assert refused, "no refused demo client has a feasible change"
    for recourse in refused:
        application, stored = client_record(pipeline_artifacts_dir, recourse.client_id)
        amount = float(application["AMT_CREDIT"].iloc[0])
        for option in recourse.options:
            assert set(option.changes) <= set(NEGOTIABLE_COLUMNS)  # nothing else ever moves
            # the what-if path (Scorer.score_edits) lands on the other side of the threshold
            scored, _ = scorer.score_edits(application, stored, [option.changes])
            assert scored.probabilities[0] == pytest.approx(option.default_probability)
            assert scored.probabilities[0] < recourse.threshold <= recourse.default_probability
            assert option.decision == "granted"
            new_amount = option.changes.get("AMT_CREDIT", amount)
            bounds = recourse.bounds
            assert new_amount >= max(bounds.min_amount, bounds.min_amount_share * amount) - 1e-6
            assert new_amount <= amount
            if option.kind in ("term", "amount_and_term"):
                assert option.after["term_months"] <= bounds.max_term_months + 1e-6
                assert option.after["term_months"] > option.before["term_months"]


def test_a_granted_client_is_told_how_much_more_could_be_lent(recourses):
    granted = [r for r in recourses.values() if r.decision == "granted"]
    assert granted
    for recourse in granted:
        for option in recourse.options:
            assert option.kind == "more_amount"
            assert option.changes["AMT_CREDIT"] > option.before["amount"]
            assert option.changes["AMT_CREDIT"] <= 2 * option.before["amount"]
            assert option.default_probability < recourse.threshold


def test_nothing_works_gives_the_honest_message(pipeline_artifacts_dir, scorer, recourses):
    refused = next(r for r in recourses.values() if r.decision == "refused")
    application, stored = client_record(pipeline_artifacts_dir, refused.client_id)
    # no smaller amount, no longer term: nothing is feasible
    frozen = RecourseBounds(min_amount_share=1.0, min_term_months=1, max_term_months=1)
    recourse = find_recourse(scorer, application, stored, frozen)
    assert recourse.options == []
    assert "Aucun changement" in recourse.text("fr")
    assert "No change" in recourse.text("en")


def test_the_json_changes_scored_by_the_score_command_give_the_same_result(
    pipeline_artifacts_dir, synthetic_data_dir, recourses, tmp_path
):
    recourse = next(r for r in recourses.values() if r.decision == "refused" and r.options)
    option = recourse.options[0]
    folder = tmp_path / "new"
    folder.mkdir()
    train = pd.read_csv(synthetic_data_dir / "application_train.csv")
    row = train[train["SK_ID_CURR"] == recourse.client_id].drop(columns="TARGET")
    for column, value in option.changes.items():
        row[column] = value
    row.to_csv(folder / "application_test.csv", index=False)
    for side in synthetic_data_dir.glob("*.csv"):
        if not side.name.startswith("application_"):
            shutil.copy(side, folder)
    scored = score_folder(pipeline_artifacts_dir, folder, tmp_path / "out.csv")
    assert scored["default_probability"].iloc[0] == pytest.approx(option.default_probability)
    assert scored["decision"].iloc[0] == option.decision


def test_the_command_prints_json_and_refuses_an_unknown_client(
    pipeline_artifacts_dir, recourses, capsys
):
    client = next(iter(recourses))
    code = main(["recourse", "--artifacts", str(pipeline_artifacts_dir), "--client",
                 str(client), "--format", "json", "--lang", "en"])  # fmt: skip
    assert code == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["client"] == client
    assert printed["decision"] == recourses[client].decision
    assert printed["default_probability"] == pytest.approx(recourses[client].default_probability)
    assert all({"changes", "default_probability", "decision", "text"} <= set(option)
               for option in printed["options"])  # fmt: skip
    code = main(["recourse", "--artifacts", str(pipeline_artifacts_dir), "--client", "1"])
    assert code == 2
    assert "not in the artifacts" in capsys.readouterr().err
    with pytest.raises(UnknownClientError):
        client_record(pipeline_artifacts_dir, "abc")


def test_the_command_takes_the_lenders_bounds_and_refuses_impossible_ones(
    pipeline_artifacts_dir, recourses, capsys
):
    refused = next(r for r in recourses.values() if r.decision == "refused")
    base = ["recourse", "--artifacts", str(pipeline_artifacts_dir), "--client",
            str(refused.client_id), "--format", "json"]  # fmt: skip
    assert main([*base, "--min-term", "30", "--max-term", "12"]) == 2
    assert "min_term_months" in capsys.readouterr().err
    # a rate of 0 and a longest term of 6 months: no longer term can be proposed
    assert main([*base, "--annual-rate", "0", "--min-term", "1", "--max-term", "6"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["bounds"]["annual_rate"] == 0 and printed["bounds"]["max_term_months"] == 6
    assert all(option["after"]["term_months"] <= 6 + 1e-6
               for option in printed["options"] if "term" in option["kind"])  # fmt: skip
