"""The synthetic generator: Kaggle format, determinism, relational integrity, realistic rates."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from credit_scoring.cli import main
from credit_scoring.data import schema
from credit_scoring.data.synthetic import BLOCK_SIZE, generate_dataset
from credit_scoring.errors import DataError

PLACEHOLDER = schema.DAYS_PLACEHOLDER


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """5,000 applicants (about 700,000 side-table rows), with the counts generate_dataset gave."""
    out = tmp_path_factory.mktemp("generated") / "raw"
    counts = generate_dataset(out, n_applicants=5_000, seed=11)
    return out, counts


@pytest.fixture(scope="module")
def tables(generated):
    """The generated tables read as text-free pandas frames (numbers as numbers)."""
    out, _ = generated
    return {name: pd.read_csv(out / f"{name}.csv", low_memory=False) for name in schema.TABLES}


@pytest.fixture(scope="module")
def applications(tables):
    return pd.concat([tables["application_train"], tables["application_test"]])


def _file_bytes(folder):
    return {name: (folder / f"{name}.csv").read_bytes() for name in schema.TABLES}


def test_same_seed_gives_identical_files_and_another_seed_different_ones(tmp_path):
    first = generate_dataset(tmp_path / "a", n_applicants=400, seed=3)
    second = generate_dataset(tmp_path / "b", n_applicants=400, seed=3)
    third = generate_dataset(tmp_path / "c", n_applicants=400, seed=4)
    assert first == second
    assert _file_bytes(tmp_path / "a") == _file_bytes(tmp_path / "b")
    different = _file_bytes(tmp_path / "c")
    for name, content in _file_bytes(tmp_path / "a").items():
        assert content != different[name], name
    assert third["application_train"] + third["application_test"] == 400


def test_counts_match_the_files_and_kaggle_split(generated, tables):
    _, counts = generated
    assert list(counts) == list(schema.TABLES)
    for name, frame in tables.items():
        assert counts[name] == len(frame), name
    assert counts["application_train"] + counts["application_test"] == 5_000
    assert counts["application_test"] == round(5_000 * 48_744 / 356_255)


def test_headers_are_byte_identical_to_the_real_sample(generated, sample_dir):
    out, _ = generated
    for name in schema.TABLES:
        with (
            open(out / f"{name}.csv", "rb") as synthetic,
            open(sample_dir / f"{name}.csv", "rb") as real,
        ):
            assert synthetic.readline() == real.readline(), name


def test_headers_follow_the_schema(generated):
    out, _ = generated
    for name, spec in schema.TABLES.items():
        with open(out / f"{name}.csv", encoding="utf-8") as handle:
            assert handle.readline().rstrip("\n").split(",") == list(spec.columns), name


def test_values_are_written_in_kaggle_formats(generated):
    out, _ = generated
    integer = re.compile(r"^-?\d+$")
    decimal = re.compile(r"^-?\d+\.\d+(e-?\d+)?$")
    for name in ("application_train", "bureau", "previous_application", "installments_payments"):
        text = pd.read_csv(out / f"{name}.csv", dtype=str, keep_default_na=False, nrows=3_000)
        for column, kind in schema.TABLES[name].columns.items():
            values = text[column]
            if kind in schema.NON_NULLABLE_KINDS:
                assert values.str.match(integer).all(), (name, column)
            elif kind in (schema.AMOUNT, schema.FLOAT):
                filled = values[values != ""]
                assert filled.str.match(decimal).all(), (name, column, filled.head(3).tolist())
            assert not values.isin(["nan", "NaN", "None", "<NA>"]).any(), (name, column)
    # Kaggle writes 135000.0, not 135000 or 1.35e5.
    income = pd.read_csv(out / "application_train.csv", dtype=str, usecols=["AMT_INCOME_TOTAL"])
    assert income["AMT_INCOME_TOTAL"].str.endswith(".0").mean() > 0.99


def test_category_spellings_match_the_real_sample(tables, sample_dir):
    real = pd.read_csv(sample_dir / "application_train.csv", low_memory=False)
    synthetic = tables["application_train"]
    for column in synthetic.select_dtypes(exclude="number").columns:
        synthetic_share = synthetic[column].value_counts(normalize=True)
        real_share = real[column].value_counts(normalize=True)
        # Every common level on either side exists on the other, spelled the same.
        assert set(synthetic_share[synthetic_share > 0.01].index) <= set(real_share.index), column
        assert set(real_share[real_share > 0.01].index) <= set(synthetic_share.index), column


def test_every_child_key_has_its_parent(tables):
    applicants = pd.concat(
        [tables["application_train"]["SK_ID_CURR"], tables["application_test"]["SK_ID_CURR"]]
    )
    assert applicants.is_unique
    bureau, previous = tables["bureau"], tables["previous_application"]
    assert bureau["SK_ID_BUREAU"].is_unique and previous["SK_ID_PREV"].is_unique
    assert bureau["SK_ID_CURR"].isin(applicants).all()
    assert tables["bureau_balance"]["SK_ID_BUREAU"].isin(bureau["SK_ID_BUREAU"]).all()
    assert not tables["bureau_balance"].duplicated(["SK_ID_BUREAU", "MONTHS_BALANCE"]).any()
    assert previous["SK_ID_CURR"].isin(applicants).all()
    owner = previous.set_index("SK_ID_PREV")["SK_ID_CURR"]
    for name in ("POS_CASH_balance", "installments_payments", "credit_card_balance"):
        child = tables[name]
        assert child["SK_ID_PREV"].isin(owner.index).all(), name
        # The applicant on a monthly row is the one who made the previous application.
        assert (child["SK_ID_PREV"].map(owner) == child["SK_ID_CURR"]).all(), name


def test_ids_start_where_kaggle_ids_start(tables, applications):
    assert applications["SK_ID_CURR"].min() >= 100_002
    assert tables["bureau"]["SK_ID_BUREAU"].min() >= 5_000_000
    assert tables["previous_application"]["SK_ID_PREV"].min() >= 1_000_000


def test_ids_stay_unique_across_blocks(tmp_path):
    out = tmp_path / "raw"
    generate_dataset(out, n_applicants=BLOCK_SIZE + 300, seed=5)
    bureau = pd.read_csv(out / "bureau.csv", usecols=["SK_ID_CURR", "SK_ID_BUREAU"])
    previous = pd.read_csv(out / "previous_application.csv", usecols=["SK_ID_CURR", "SK_ID_PREV"])
    assert bureau["SK_ID_BUREAU"].is_unique and previous["SK_ID_PREV"].is_unique
    last_block = pd.read_csv(out / "application_train.csv", usecols=["SK_ID_CURR"])["SK_ID_CURR"]
    # The applicants of the second block have a history too.
    assert bureau["SK_ID_CURR"].max() > last_block.sort_values().iloc[-200]


def test_application_rates_are_realistic(tables, applications):
    train = tables["application_train"]
    assert 0.065 <= train["TARGET"].mean() <= 0.095
    assert set(train["TARGET"].unique()) == {0, 1}
    age_years = -applications["DAYS_BIRTH"] / 365.25
    assert age_years.min() >= 20 and age_years.max() < 70
    pensioners = (applications["DAYS_EMPLOYED"] == PLACEHOLDER).mean()
    assert 0.14 <= pensioners <= 0.22
    assert (
        applications.loc[applications["DAYS_EMPLOYED"] != PLACEHOLDER, "DAYS_EMPLOYED"] < 0
    ).all()
    missing = train.isna().mean()
    assert 60 <= (missing > 0).sum() <= 72
    assert 0.50 <= missing["EXT_SOURCE_1"] <= 0.62
    assert 0.16 <= missing["EXT_SOURCE_3"] <= 0.24
    assert missing["EXT_SOURCE_2"] < 0.01
    assert 0.26 <= missing["OCCUPATION_TYPE"] <= 0.36
    assert 0.64 <= missing["COMMONAREA_AVG"] <= 0.75
    building = [c for c in train.columns if c.endswith(("_AVG", "_MODE", "_MEDI"))]
    assert 0.5 <= missing[building].mean() <= 0.66
    goods_ratio = (train["AMT_GOODS_PRICE"] / train["AMT_CREDIT"]).median()
    assert 0.85 <= goods_ratio <= 0.95
    term = (train["AMT_CREDIT"] / train["AMT_ANNUITY"]).median()
    assert 15 <= term <= 30
    assert 100_000 <= train["AMT_INCOME_TOTAL"].median() <= 200_000
    assert train["ORGANIZATION_TYPE"].eq("XNA").equals(train["DAYS_EMPLOYED"].eq(PLACEHOLDER))


def test_side_tables_have_kaggle_proportions(tables, applications):
    applicants = len(applications)
    bureau_per = tables["bureau"].groupby("SK_ID_CURR").size()
    assert 4.8 <= bureau_per.mean() <= 6.4
    assert 0.10 <= 1 - len(bureau_per) / applicants <= 0.18
    previous_per = tables["previous_application"].groupby("SK_ID_CURR").size()
    assert 0.03 <= 1 - len(previous_per) / applicants <= 0.08
    assert 4.0 <= len(tables["previous_application"]) / applicants <= 5.5
    assert 60 <= len(tables["bureau_balance"]) / applicants <= 95
    assert 22 <= len(tables["POS_CASH_balance"]) / applicants <= 34
    assert 30 <= len(tables["installments_payments"]) / applicants <= 46
    assert 8 <= len(tables["credit_card_balance"]) / applicants <= 14


def test_days_and_months_are_negative_and_consistent(tables):
    previous = tables["previous_application"]
    assert (previous["DAYS_DECISION"] < 0).all()
    for column in schema.PLACEHOLDER_DAY_COLUMNS["previous_application"]:
        values = previous[column].dropna()
        assert (values == PLACEHOLDER).any(), column
        if column != "DAYS_LAST_DUE_1ST_VERSION":  # the planned end may lie in the future
            assert ((values < 0) | (values == PLACEHOLDER)).all(), column
    approved = previous["NAME_CONTRACT_STATUS"] == "Approved"
    assert previous.loc[approved, "DAYS_FIRST_DUE"].notna().all()
    assert previous.loc[~approved, "DAYS_FIRST_DUE"].isna().all()
    assert (tables["bureau"]["DAYS_CREDIT"] <= 0).all()
    assert (tables["bureau_balance"]["MONTHS_BALANCE"].between(-96, 0)).all()
    for name in ("POS_CASH_balance", "credit_card_balance"):
        assert tables[name]["MONTHS_BALANCE"].between(-96, -1).all(), name
    instalments = tables["installments_payments"]
    assert (instalments["DAYS_INSTALMENT"] < 0).all()
    paid = instalments.dropna(subset=["DAYS_ENTRY_PAYMENT"])
    assert (paid["DAYS_ENTRY_PAYMENT"] < 0).all()
    # Most payments are on time or early; some are late.
    delay = paid["DAYS_ENTRY_PAYMENT"] - paid["DAYS_INSTALMENT"]
    assert 0.02 <= (delay > 0).mean() <= 0.2
    bureau = tables["bureau"]
    closed = bureau[bureau["CREDIT_ACTIVE"] == "Closed"]
    assert (closed["DAYS_ENDDATE_FACT"] >= closed["DAYS_CREDIT"]).all()
    assert bureau.loc[bureau["CREDIT_ACTIVE"] == "Active", "DAYS_ENDDATE_FACT"].isna().all()


def test_placeholder_levels_are_present(tables):
    previous = tables["previous_application"]
    assert (previous["NAME_CASH_LOAN_PURPOSE"] == "XAP").any()
    assert (previous["NAME_CASH_LOAN_PURPOSE"] == "XNA").any()
    assert (previous["CODE_REJECT_REASON"] == "XAP").mean() > 0.7
    refused = previous["NAME_CONTRACT_STATUS"] == "Refused"
    assert (previous.loc[refused, "CODE_REJECT_REASON"] != "XAP").all()


def test_hidden_risk_leaves_traces_across_tables(tables):
    train = tables["application_train"]
    target = train.set_index("SK_ID_CURR")["TARGET"]
    ext = train.dropna(subset=["EXT_SOURCE_3"])
    assert roc_auc_score(ext["TARGET"], -ext["EXT_SOURCE_3"]) > 0.6
    assert roc_auc_score(train["TARGET"], train["DAYS_BIRTH"]) > 0.52  # younger: riskier

    def rate_by_target(frame, values):
        linked = frame["SK_ID_CURR"].map(target)
        known = linked.notna()
        return values[known].groupby(linked[known]).mean()

    previous = tables["previous_application"]
    refused = rate_by_target(previous, previous["NAME_CONTRACT_STATUS"].eq("Refused"))
    assert refused[1] > refused[0] * 1.2
    instalments = tables["installments_payments"]
    late = rate_by_target(
        instalments, instalments["DAYS_ENTRY_PAYMENT"] > instalments["DAYS_INSTALMENT"]
    )
    assert late[1] > late[0] * 1.2
    bureau = tables["bureau"]
    overdue = rate_by_target(bureau, bureau["AMT_CREDIT_MAX_OVERDUE"].fillna(0) > 0)
    assert overdue[1] > overdue[0] * 1.2


def test_loader_and_validator_accept_generated_data(generated):
    from credit_scoring.data.loading import load_tables
    from credit_scoring.data.validation import validate_source

    out, counts = generated
    report = validate_source(out)
    assert report.ok, report.format()
    assert report.errors == []
    loaded = load_tables(out)
    assert {name: len(loaded[name]) for name in schema.TABLES} == counts


def test_cli_generate_writes_the_files(tmp_path, capsys):
    out = tmp_path / "cli"
    assert main(["generate", "--out", str(out), "--applicants", "300", "--seed", "9"]) == 0
    printed = capsys.readouterr().out
    assert "application_train.csv" in printed and "credit_card_balance.csv" in printed
    assert {path.name for path in out.glob("*.csv")} == {f"{name}.csv" for name in schema.TABLES}
    assert not list(out.glob(".*")), "no scratch files are left behind"


def test_cli_generate_reports_a_bad_count(tmp_path, capsys):
    assert main(["generate", "--out", str(tmp_path), "--applicants", "0"]) == 2
    error = capsys.readouterr().err
    assert "n_applicants must be at least 1" in error
    assert "Traceback" not in error


@pytest.mark.parametrize("count", [0, -5])
def test_fewer_than_one_applicant_is_refused(tmp_path, count):
    with pytest.raises(DataError, match="at least 1"):
        generate_dataset(tmp_path, n_applicants=count)


def test_bad_test_fraction_is_refused(tmp_path):
    with pytest.raises(DataError, match="test_fraction"):
        generate_dataset(tmp_path, n_applicants=10, test_fraction=1.5)


def test_unwritable_folder_gives_a_clear_error(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(DataError, match="Cannot write the synthetic data"):
        generate_dataset(blocker / "raw", n_applicants=10)
    with pytest.raises(DataError, match="it is a file, not a folder"):
        generate_dataset(blocker, n_applicants=10)


def test_one_applicant_is_enough(tmp_path):
    counts = generate_dataset(tmp_path, n_applicants=1, seed=1)
    assert counts["application_train"] + counts["application_test"] == 1
    train = pd.read_csv(tmp_path / "application_train.csv")
    assert len(train) == counts["application_train"]
    assert np.all(train.columns == list(schema.APPLICATION_TRAIN_COLUMNS))
