"""`credit-scoring score`: new applications through the same feature code, no train/serve skew."""

import shutil

import numpy as np
import pandas as pd
import pytest

from credit_scoring.cli import main
from credit_scoring.data import load_tables
from credit_scoring.errors import DataError
from credit_scoring.model.training import load_model, raw_scores
from credit_scoring.scoring.batch import score_applications, score_folder

pytestmark = pytest.mark.slow


def test_past_clients_get_the_out_of_fold_score_the_page_shows(
    pipeline_artifacts_dir, synthetic_data_dir
):
    """One number per client: `score` on training applicants gives scores.parquet's numbers
    (their fold model), never the final model that learned their outcome."""
    tables = load_tables(synthetic_data_dir)
    train_rows = dict(tables.items())
    train_rows.pop("application_test")
    scored = score_applications(pipeline_artifacts_dir, train_rows, top_reasons=2, lang="en")
    page = pd.read_parquet(pipeline_artifacts_dir / "scores.parquet")
    page = page[page["SPLIT"] == "train"].set_index("SK_ID_CURR")
    mine = scored.set_index("SK_ID_CURR").loc[page.index]
    assert mine["default_probability"].to_numpy() == pytest.approx(
        page["default_probability"].to_numpy(), abs=1e-9
    )
    assert (mine["decision"] == page["decision"]).all()
    assert mine["model"].str.fullmatch(r"fold_\d").all()
    features = pd.read_parquet(pipeline_artifacts_dir / "features.parquet")
    training = features[features["SPLIT"] == "train"]
    final = raw_scores(load_model(pipeline_artifacts_dir / "model.cbm"), training)
    assert not np.allclose(mine["raw_score"].to_numpy(), final)


def test_unseen_applications_get_probability_decision_and_reasons(
    pipeline_artifacts_dir, synthetic_data_dir, tmp_path
):
    out = tmp_path / "scored.csv"
    assert main(["score", "--artifacts", str(pipeline_artifacts_dir),
                 "--data", str(synthetic_data_dir), "--out", str(out)]) == 0  # fmt: skip
    scored = pd.read_csv(out)
    test_ids = pd.read_csv(synthetic_data_dir / "application_test.csv", usecols=["SK_ID_CURR"])
    assert sorted(scored["SK_ID_CURR"]) == sorted(test_ids["SK_ID_CURR"])
    assert scored["default_probability"].between(0, 1).all()
    assert set(scored["decision"]) <= {"granted", "refused"}
    assert (scored["reason_1"].str.len() > 0).all()
    assert scored["summary"].str.startswith("Crédit").all()  # French by default
    # the same applicants as scored by the pipeline (final model, same features)
    pipeline = pd.read_parquet(pipeline_artifacts_dir / "scores.parquet")
    pipeline = pipeline[pipeline["SPLIT"] == "test"].set_index("SK_ID_CURR")
    mine = scored.set_index("SK_ID_CURR").loc[pipeline.index]
    assert mine["default_probability"].to_numpy() == pytest.approx(
        pipeline["default_probability"].to_numpy(), abs=1e-6
    )
    assert (mine["decision"] == pipeline["decision"]).all()
    assert (mine["model"] == "final").all()


def test_a_folder_with_a_missing_side_table_is_scored(
    pipeline_artifacts_dir, synthetic_data_dir, tmp_path
):
    folder = tmp_path / "new"
    folder.mkdir()
    for name in ("application_test", "previous_application", "installments_payments"):
        shutil.copy(synthetic_data_dir / f"{name}.csv", folder)
    scored = score_folder(pipeline_artifacts_dir, folder, tmp_path / "out.parquet", top_reasons=1)
    assert (tmp_path / "out.parquet").is_file()
    assert len(scored) == len(pd.read_csv(folder / "application_test.csv"))
    assert np.isfinite(scored["default_probability"]).all()
    assert {"reason_1", "reason_1_feature", "reason_1_contribution", "summary"} <= set(scored)


def test_clear_errors_for_a_bad_output_name_or_no_applications(
    pipeline_artifacts_dir, synthetic_data_dir, tmp_path
):
    with pytest.raises(DataError, match=".csv or .parquet"):
        score_folder(pipeline_artifacts_dir, synthetic_data_dir, tmp_path / "out.xlsx")
    empty = tmp_path / "empty"
    empty.mkdir()
    shutil.copy(synthetic_data_dir / "bureau.csv", empty)
    with pytest.raises(DataError, match="application_test"):
        score_folder(pipeline_artifacts_dir, empty, tmp_path / "out.csv")
    with pytest.raises(DataError, match="no applications to score"):
        score_applications(
            pipeline_artifacts_dir, dict(load_tables(empty, ["bureau"], validate=False).items())
        )


def test_features_the_model_never_saw_are_refused(pipeline_artifacts_dir, synthetic_data_dir):
    from credit_scoring.scoring.batch import align_features

    frame = pd.DataFrame({"SK_ID_CURR": [1], "NEW_FEATURE": [1.0]})
    with pytest.raises(DataError, match="NEW_FEATURE"):
        align_features(frame, ["A"], ["A"], {"features": []}, set())
    with pytest.raises(DataError, match="lack column"):
        align_features(frame.drop(columns="NEW_FEATURE"), ["A"], ["A"], {"features": []}, set())
    aligned = align_features(
        frame.drop(columns="NEW_FEATURE"),
        ["A"],
        ["A"],
        {"features": [{"name": "A", "source": "bureau"}]},
        {"bureau"},
    )
    assert aligned["A"].isna().all()


# --------------------------------------------------------------------------- the inputs (issue 13)


def _set_cells(path, changes: dict[int, dict[str, str]]) -> None:
    """Rewrite cells of a CSV file: {data row position (0-based): {column: text}}."""
    import csv

    with open(path, newline="") as file:
        lines = list(csv.reader(file))
    header = lines[0]
    for position, cells in changes.items():
        for column, text in cells.items():
            lines[position + 1][header.index(column)] = text
    with open(path, "w", newline="") as file:
        csv.writer(file, lineterminator="\n").writerows(lines)


@pytest.fixture
def new_folder(synthetic_data_dir, tmp_path):
    folder = tmp_path / "new"
    folder.mkdir()
    for path in synthetic_data_dir.glob("*.csv"):
        if path.name != "application_train.csv":
            shutil.copy(path, folder)
    return folder


def test_impossible_values_refuse_their_row_only_and_implausible_ones_are_flagged(
    pipeline_artifacts_dir, new_folder, tmp_path, capsys
):
    """A negative income, 2.7 children (an integer column), 1e30 children: not scored, with the
    reason; a contract type never seen and a credit of 1e30: scored, with a warning; the other
    applicants scored exactly as before."""
    _set_cells(
        new_folder / "application_test.csv",
        {
            0: {"AMT_INCOME_TOTAL": "-5000.0"},
            1: {"CNT_CHILDREN": "2.7"},
            2: {"CNT_CHILDREN": "1e30"},
            3: {"NAME_CONTRACT_TYPE": "Mortgage"},
            4: {"AMT_CREDIT": "1e30"},
        },
    )
    out = tmp_path / "scored.csv"
    assert main(["score", "--artifacts", str(pipeline_artifacts_dir), "--data",
                 str(new_folder), "--out", str(out), "--lang", "en"]) == 0  # fmt: skip
    printed = capsys.readouterr()
    assert "3 application(s) not scored" in printed.err
    assert "2 application(s) scored with a warning" in printed.err
    scored = pd.read_csv(out, keep_default_na=False, na_values={"default_probability": [""]})
    ids = pd.read_csv(new_folder / "application_test.csv", usecols=["SK_ID_CURR"])["SK_ID_CURR"]
    assert scored["SK_ID_CURR"].tolist() == ids.tolist()  # every applicant, in the file's order
    refused = scored.iloc[:3]
    assert (refused["decision"] == "not_scored").all()
    assert refused["default_probability"].isna().all()
    assert refused["error_codes"].tolist() == [
        "AMT_INCOME_TOTAL:amount_not_positive",
        "CNT_CHILDREN:count_not_whole",
        "CNT_CHILDREN:too_large",
    ]
    assert "-5,000 is not possible" in refused["errors"].iloc[0]
    assert refused["summary"].str.startswith("not scored: ").all()
    flagged = scored.iloc[3:5]
    assert flagged["decision"].isin(["granted", "refused"]).all()
    assert flagged["warning_codes"].tolist() == [
        "NAME_CONTRACT_TYPE:unseen_level",
        "AMT_CREDIT:above_training_range",
    ]
    assert (flagged["errors"] == "").all()
    rest = scored.iloc[5:].set_index("SK_ID_CURR")
    assert (rest["errors"] == "").all() and (rest["decision"] != "not_scored").all()
    pipeline = pd.read_parquet(pipeline_artifacts_dir / "scores.parquet").set_index("SK_ID_CURR")
    assert rest["default_probability"].to_numpy() == pytest.approx(
        pipeline.loc[rest.index, "default_probability"].to_numpy(), abs=1e-6
    )


def test_missing_side_tables_are_a_warning_in_the_output_and_on_the_console(
    pipeline_artifacts_dir, new_folder, tmp_path, capsys
):
    (new_folder / "bureau.csv").unlink()
    (new_folder / "credit_card_balance.csv").unlink()
    out = tmp_path / "scored.parquet"
    assert main(["score", "--artifacts", str(pipeline_artifacts_dir), "--data",
                 str(new_folder), "--out", str(out), "--lang", "en"]) == 0  # fmt: skip
    err = capsys.readouterr().err.splitlines()
    warning_lines = [line for line in err if "side tables missing" in line]
    assert len(warning_lines) == 1
    assert "bureau, credit_card_balance" in warning_lines[0]
    scored = pd.read_parquet(out)
    # bureau_balance is there, but reaches applicants only through bureau
    codes = "missing_side_tables:bureau,credit_card_balance,bureau_balance"
    assert scored["warning_codes"].str.endswith(codes).all()
    said = "side tables missing: bureau, credit_card_balance (bureau_balance cannot be used "
    assert scored["warnings"].str.contains(said, regex=False).all()
    assert scored["decision"].isin(["granted", "refused"]).all()


def test_artifacts_without_training_ranges_score_with_a_warning(
    pipeline_artifacts_dir, new_folder, tmp_path
):
    """Artifacts built before application_reference.json existed: scored, impossible values
    still refused, and every row says the range checks were not made."""
    from credit_scoring.pipeline import write_run_manifest

    older = tmp_path / "older"
    shutil.copytree(pipeline_artifacts_dir, older)
    (older / "application_reference.json").unlink()
    write_run_manifest(older, "data", {})
    _set_cells(new_folder / "application_test.csv", {0: {"AMT_CREDIT": "0"}})
    scored = score_folder(older, new_folder, tmp_path / "out.csv", lang="fr")
    assert (scored["warning_codes"] == "no_application_reference").all()  # no range checks
    assert "application_reference.json" in scored["warnings"].iloc[1]
    assert scored["decision"].iloc[0] == "not_scored"
    assert scored["decision"].iloc[1:].isin(["granted", "refused"]).all()


def test_an_application_file_without_rows_is_refused(pipeline_artifacts_dir, new_folder, tmp_path):
    path = new_folder / "application_test.csv"
    path.write_text(path.read_text().splitlines()[0] + "\n")
    with pytest.raises(DataError, match="header and no rows"):
        score_folder(pipeline_artifacts_dir, new_folder, tmp_path / "out.csv")
