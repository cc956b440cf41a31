"""Validation: each problem found with its file, column, lines and what to do."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

# Shared tiny-table writers (tests/ is on sys.path under pytest's default import mode).
from possible_tables import write_table, write_tiny_dataset

from credit_scoring.data import (
    TABLES,
    ValidationReport,
    load_tables,
    validate_source,
    validate_tables,
)
from credit_scoring.data.schema import DAYS_PLACEHOLDER
from credit_scoring.data.validation import ERROR, INFO, WARNING, Finding
from credit_scoring.errors import DataError


@pytest.fixture
def tiny_dir(tmp_path: Path) -> Path:
    return write_tiny_dataset(tmp_path / "raw")


def _replace_line(path: Path, line_number: int, old: str, new: str) -> None:
    """Edit one line of a CSV (1-based, header = line 1)."""
    lines = path.read_text().splitlines()
    assert old in lines[line_number - 1]
    lines[line_number - 1] = lines[line_number - 1].replace(old, new, 1)
    path.write_text("\n".join(lines) + "\n")


def _only(findings: list[Finding], table: str, column: str | None = None) -> Finding:
    chosen = [f for f in findings if f.table == table and (column is None or f.column == column)]
    assert len(chosen) == 1, [f.format() for f in findings]
    return chosen[0]


def test_the_tiny_dataset_is_valid_with_its_quirks_counted(tiny_dir):
    report = validate_source(tiny_dir)
    assert isinstance(report, ValidationReport)
    assert report.ok and report.errors == []
    assert report.row_counts["application_train"] == 4 and report.row_counts["bureau"] == 3
    placeholder = _only(report.infos, "application_train", "DAYS_EMPLOYED")
    assert placeholder.count == 1 and str(DAYS_PLACEHOLDER) in placeholder.message
    drawing = _only(report.infos, "previous_application", "DAYS_FIRST_DRAWING")
    assert drawing.count == 1
    levels = [f.message for f in report.infos if f.table == "previous_application"]
    assert any("XAP" in message and "CODE_REJECT_REASON 1" in message for message in levels)
    assert any(
        "XNA" in f.message and "ORGANIZATION_TYPE 1" in f.message
        for f in report.for_table("application_train")
    )


def test_missing_required_file_is_an_error_in_the_report(tiny_dir):
    (tiny_dir / "application_train.csv").unlink()
    report = validate_source(tiny_dir)
    assert not report.ok
    error = _only(report.errors, "application_train")
    assert "required file is missing" in error.message
    assert "credit-scoring generate" in error.action
    assert error.file == "application_train.csv"
    assert report.table_status("application_train") == "missing"
    # Side tables are still checked (bureau rows of applicants now unknown only by test file).
    assert report.row_counts["bureau"] == 3


def test_missing_side_table_is_a_warning(tiny_dir):
    (tiny_dir / "bureau.csv").unlink()
    report = validate_source(tiny_dir)
    assert report.ok
    warning = _only(report.warnings, "bureau")
    assert "missing" in warning.message and "goes on without" in warning.message
    # bureau_balance cannot be checked against a missing bureau: said, not an error.
    assert any("bureau.csv is missing" in f.message for f in report.for_table("bureau_balance"))


def test_misspelled_column_is_an_error_suggesting_the_expected_name(tiny_dir):
    path = tiny_dir / "bureau.csv"
    _replace_line(path, 1, "AMT_CREDIT_SUM_DEBT", "AMT_CREDIT_SUM_DEPT")
    report = validate_source(tiny_dir)
    error = _only(report.errors, "bureau", "AMT_CREDIT_SUM_DEBT")
    assert "missing" in error.message and "AMT_CREDIT_SUM_DEPT" in error.message
    assert "rename AMT_CREDIT_SUM_DEPT to AMT_CREDIT_SUM_DEBT" in error.action
    warning = _only(report.warnings, "bureau", "AMT_CREDIT_SUM_DEPT")
    assert "did you mean AMT_CREDIT_SUM_DEBT?" in warning.message
    with pytest.raises(DataError, match="AMT_CREDIT_SUM_DEBT"):
        load_tables(tiny_dir)


def test_missing_column_without_lookalike_and_extra_column(tmp_path):
    header = ["SK_ID_BUREAU", "STATUS", "COMMENT"]
    write_table(tmp_path, "application_train", [{"SK_ID_CURR": "1", "TARGET": "0"}])
    write_table(tmp_path, "bureau_balance", [{"SK_ID_BUREAU": "1", "COMMENT": "hi"}], header)
    report = validate_source(tmp_path)
    error = _only(report.errors, "bureau_balance", "MONTHS_BALANCE")
    assert error.message == "column MONTHS_BALANCE is missing"
    warning = _only(report.warnings, "bureau_balance", "COMMENT")
    assert warning.message == "unexpected column COMMENT"
    # A valid load drops the extra column.
    (tmp_path / "bureau_balance.csv").write_text(
        "SK_ID_BUREAU,MONTHS_BALANCE,STATUS,COMMENT\n1,0,C,hi\n"
    )
    assert list(load_tables(tmp_path)["bureau_balance"].columns) == list(
        TABLES["bureau_balance"].columns
    )


def test_value_of_the_wrong_type_gives_the_lines_and_an_example(tiny_dir):
    _replace_line(tiny_dir / "bureau.csv", 3, ",5000002,", ",5000002x,")
    _replace_line(tiny_dir / "bureau.csv", 4, "1000.0", "12k")
    report = validate_source(tiny_dir)
    id_error = _only(report.errors, "bureau", "SK_ID_BUREAU")
    assert id_error.rows == (3,) and id_error.count == 1
    assert "'5000002x'" in id_error.message and "whole numbers" in id_error.message
    amount_error = _only(report.errors, "bureau", "AMT_CREDIT_MAX_OVERDUE")
    assert amount_error.rows == (4,) and "'12k'" in amount_error.message
    assert "numbers (float64)" in amount_error.message
    text = report.format()
    assert "bureau.csv, column SK_ID_BUREAU" in text and "[line 3]" in text


def test_decimal_and_out_of_range_values_in_integer_columns(tmp_path):
    write_table(tmp_path, "application_train", [{"SK_ID_CURR": "1", "TARGET": "0"}])
    (tmp_path / "bureau_balance.csv").write_text(
        "SK_ID_BUREAU,MONTHS_BALANCE,STATUS\n1,0,C\n2,-1.5,C\n3,0,C\n99999999999,0,C\n"
    )
    report = validate_source(tmp_path)
    assert _only(report.errors, "bureau_balance", "MONTHS_BALANCE").rows == (3,)
    assert _only(report.errors, "bureau_balance", "SK_ID_BUREAU").rows == (5,)


def test_empty_cell_in_a_never_empty_column(tiny_dir):
    _replace_line(tiny_dir / "bureau_balance.csv", 3, "5000001,-1,", "5000001,,")
    report = validate_source(tiny_dir)
    error = _only(report.errors, "bureau_balance", "MONTHS_BALANCE")
    assert error.rows == (3,) and error.count == 1
    assert "empty cell" in error.message and "never empty" in error.message


def test_target_other_than_0_or_1(tiny_dir):
    _replace_line(tiny_dir / "application_train.csv", 4, "100004,0,", "100004,2,")
    _replace_line(tiny_dir / "application_train.csv", 5, "100006,0,", "100006,-1,")
    report = validate_source(tiny_dir)
    error = _only(report.errors, "application_train", "TARGET")
    assert error.rows == (4, 5) and error.count == 2
    assert "0 or 1" in error.message and "e.g. 2" in error.message


def test_duplicate_keys_give_the_repeated_lines(tiny_dir):
    _replace_line(tiny_dir / "bureau.csv", 4, "5000003", "5000001")
    _replace_line(tiny_dir / "bureau_balance.csv", 3, "5000001,-1,", "5000001,0,")
    _replace_line(tiny_dir / "application_train.csv", 5, "100006,", "100002,")
    report = validate_source(tiny_dir)
    bureau = _only(report.errors, "bureau", "SK_ID_BUREAU")
    assert bureau.rows == (4,) and "repeat" in bureau.message
    balance = _only(report.errors, "bureau_balance", "SK_ID_BUREAU + MONTHS_BALANCE")
    assert balance.rows == (3,)
    train = _only(report.errors, "application_train", "SK_ID_CURR")
    assert train.rows == (5,)


def test_applicants_in_both_train_and_test(tiny_dir):
    _replace_line(tiny_dir / "application_test.csv", 3, "100005", "100003")
    report = validate_source(tiny_dir)
    error = _only(report.errors, "application_test", "SK_ID_CURR")
    assert error.rows == (3,) and "SK_ID_CURR 100003" in error.message
    assert "application_train.csv" in error.message


def test_side_rows_without_parent_are_counted_warnings(tiny_dir):
    _replace_line(tiny_dir / "bureau.csv", 2, "100002,", "999999,")
    _replace_line(tiny_dir / "bureau_balance.csv", 4, "5000002,", "5000009,")
    report = validate_source(tiny_dir)
    assert report.ok
    bureau = _only(report.warnings, "bureau", "SK_ID_CURR")
    assert bureau.rows == (2,) and bureau.count == 1 and "33.3%" in bureau.message
    balance = _only(report.warnings, "bureau_balance", "SK_ID_BUREAU")
    assert balance.rows == (4,) and "no bureau row" in balance.message
    assert load_tables(tiny_dir).report.warnings  # loading goes on


def test_files_that_cannot_be_read_are_errors_not_crashes(tiny_dir):
    (tiny_dir / "bureau_balance.csv").write_text(
        "SK_ID_BUREAU,MONTHS_BALANCE,STATUS\n1,0,C,extra\n"
    )
    (tiny_dir / "credit_card_balance.csv").write_text("")
    report = validate_source(tiny_dir)
    balance = _only(report.errors, "bureau_balance")
    assert "cannot be read" in balance.message and "line 2: 4 fields" in balance.message
    card = _only(report.errors, "credit_card_balance")
    assert "empty" in card.message
    assert report.table_status("bureau_balance") == "unreadable"


def test_format_has_a_line_per_table_then_the_findings(tiny_dir):
    (tiny_dir / "POS_CASH_balance.csv").unlink()
    _replace_line(tiny_dir / "application_train.csv", 4, "100004,0,", "100004,7,")
    text = validate_source(tiny_dir).format()
    lines = text.splitlines()
    assert lines[0] == f"Home Credit data in {tiny_dir}: INVALID (1 errors)"
    table_lines = {line.split()[0]: line for line in lines[2:10]}
    assert set(table_lines) == {spec.file_name for spec in TABLES.values()}
    assert table_lines["application_train.csv"].split()[1:] == ["4", "rows", "1", "error"]
    assert table_lines["POS_CASH_balance.csv"].split()[1:] == ["-", "missing"]
    assert table_lines["bureau.csv"].split()[1:] == ["3", "rows", "ok"]
    assert "Errors (1):" in text and "Warnings (1):" in text and "Notes" in text
    assert text.index("Errors") < text.index("Warnings") < text.index("Notes")


def test_validate_tables_on_frames_in_memory():
    train = pd.DataFrame(
        {
            column: np.zeros(3, dtype=dtype) if dtype != "category" else pd.Categorical(["a"] * 3)
            for column, dtype in TABLES["application_train"].dtypes().items()
        }
    )
    train["SK_ID_CURR"] = np.array([1, 2, 3], dtype=np.int32)
    train["DAYS_BIRTH"] = pd.array(["-100", "ten", "-300"], dtype="str")
    train["CNT_CHILDREN"] = np.array([0.0, np.nan, 1.5])
    report = validate_tables({"application_train": train})
    assert _only(report.errors, "application_train", "DAYS_BIRTH").rows == (3,)
    assert len(report.for_table("application_train")) >= 2
    children = [f for f in report.errors if f.column == "CNT_CHILDREN"]
    assert {f.rows for f in children} == {(3,), (4,)}  # empty cell, then a decimal
    assert {f.level for f in report.findings} <= {ERROR, WARNING, INFO}
    assert report.row_counts["bureau"] is None


def test_the_real_sample_is_valid(sample_dir):
    report = validate_source(sample_dir)
    assert report.ok, report.format()
    assert all(count and count > 0 for count in report.row_counts.values())
    # It is a random sample: many side rows have no applicant, reported as counted warnings.
    orphans = _only(report.warnings, "bureau", "SK_ID_CURR")
    assert 0 < orphans.count < report.row_counts["bureau"]
    placeholder = _only(report.infos, "application_train", "DAYS_EMPLOYED")
    assert placeholder.count > 0


def test_the_synthetic_data_passes_the_same_checks(synthetic_data_dir):
    from credit_scoring.data import generate_dataset

    assert callable(generate_dataset)  # re-exported lazily by credit_scoring.data
    report = validate_source(synthetic_data_dir)
    assert report.ok, report.format()
    # No missing file or unexpected column; orphans would only be deliberate ones.
    assert [w.format() for w in report.warnings if "found in no" not in w.message] == []
    assert _only(report.infos, "application_train", "DAYS_EMPLOYED").count > 0
    tables = load_tables(synthetic_data_dir)
    for name, spec in TABLES.items():
        assert list(tables[name].columns) == list(spec.columns)


def test_parent_lookup_works_for_negative_huge_and_repeated_ids():
    from credit_scoring.data.validation import _is_member

    found = _is_member(np.array([1, 5, -3, 7]), np.array([5, -3, -3, 9]))
    assert found.tolist() == [False, True, True, False]
    found = _is_member(np.array([1, 5, 300_000_000]), np.array([5, 5, 1]))
    assert found.tolist() == [True, True, False]


def test_an_application_file_with_a_header_and_no_rows_is_refused(tiny_dir):
    for name in ("application_train", "application_test"):
        path = tiny_dir / f"{name}.csv"
        original = path.read_text()
        path.write_text(original.splitlines()[0] + "\n")
        report = validate_source(tiny_dir)
        error = _only(report.errors, name)
        assert "header and no rows" in error.message and error.action
        assert not report.ok
        path.write_text(original)
    assert validate_source(tiny_dir).ok


def test_impossible_application_values_are_errors_with_column_and_lines(tiny_dir):
    train = tiny_dir / "application_train.csv"
    header = train.read_text().splitlines()[0].split(",")
    lines = train.read_text().splitlines()

    def set_cell(line_number: int, column: str, value: str) -> None:
        cells = lines[line_number - 1].split(",")
        cells[header.index(column)] = value
        lines[line_number - 1] = ",".join(cells)

    set_cell(2, "AMT_INCOME_TOTAL", "-5000.0")
    set_cell(4, "AMT_INCOME_TOTAL", "0")
    set_cell(3, "AMT_CREDIT", "0.0")
    set_cell(3, "CNT_FAM_MEMBERS", "2.7")
    set_cell(5, "CNT_CHILDREN", "-1")
    set_cell(5, "DAYS_BIRTH", "120")
    set_cell(2, "FLAG_MOBIL", "7")
    train.write_text("\n".join(lines) + "\n")
    report = validate_source(tiny_dir)
    income = _only(report.errors, "application_train", "AMT_INCOME_TOTAL")
    assert income.rows == (2, 4) and income.count == 2
    assert "zero or negative" in income.message and "-5000.0" in income.message
    assert _only(report.errors, "application_train", "AMT_CREDIT").rows == (3,)
    family = _only(report.errors, "application_train", "CNT_FAM_MEMBERS")
    assert family.rows == (3,) and "not whole" in family.message
    children = _only(report.errors, "application_train", "CNT_CHILDREN")
    assert children.rows == (5,) and "negative" in children.message
    assert _only(report.errors, "application_train", "DAYS_BIRTH").rows == (5,)
    assert _only(report.errors, "application_train", "FLAG_MOBIL").rows == (2,)
    text = report.format()
    assert "application_train.csv, column AMT_INCOME_TOTAL" in text and "[lines 2, 4]" in text
    with pytest.raises(DataError, match="AMT_INCOME_TOTAL"):
        load_tables(tiny_dir)


def test_empty_cells_and_the_days_placeholder_are_not_impossible(tiny_dir):
    from credit_scoring.data.validation import impossible_values

    frame = load_tables(tiny_dir)["application_train"].copy(deep=True)
    frame.loc[0, "AMT_ANNUITY"] = np.nan
    frame.loc[1, "DAYS_EMPLOYED"] = DAYS_PLACEHOLDER
    assert list(impossible_values(frame, "application_train")) == []
    frame.loc[2, "CNT_FAM_MEMBERS"] = np.inf
    frame.loc[3, "AMT_REQ_CREDIT_BUREAU_YEAR"] = 1e30
    found = {(column, code) for column, code, _ in impossible_values(frame, "application_train")}
    assert found == {
        ("CNT_FAM_MEMBERS", "not_finite"),
        ("AMT_REQ_CREDIT_BUREAU_YEAR", "too_large"),
    }


def test_scoring_can_leave_impossible_values_to_its_row_by_row_check(tiny_dir):
    tables = load_tables(tiny_dir)
    test = tables["application_test"].copy()
    test.loc[0, "AMT_INCOME_TOTAL"] = -1.0
    frames = dict(tables.items()) | {"application_test": test}
    assert not validate_tables(frames).ok
    assert validate_tables(frames, check_values=False).ok
