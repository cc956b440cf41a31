"""Loading the Kaggle tables: tiny hand-made CSVs, zip archives, and the real sample."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from possible_tables import write_table, write_tiny_dataset

from credit_scoring.data import (
    SIDE_TABLES,
    TABLES,
    LoadedTables,
    load_table,
    load_tables,
)
from credit_scoring.data.schema import (
    CATEGORY,
    DAYS_PLACEHOLDER,
    KAGGLE_ARCHIVE,
)
from credit_scoring.errors import DataError


@pytest.fixture
def tiny_dir(tmp_path: Path) -> Path:
    return write_tiny_dataset(tmp_path / "raw")


def test_tiny_tables_load_with_lean_dtypes_and_values_as_in_the_files(tiny_dir):
    tables = load_tables(tiny_dir)
    assert isinstance(tables, LoadedTables)
    assert set(tables) == set(TABLES) and tables.missing == ()
    assert tables.source == tiny_dir
    train = tables["application_train"]
    assert list(train.columns) == list(TABLES["application_train"].columns)
    assert train["SK_ID_CURR"].dtype == np.int32
    assert train["TARGET"].dtype == np.int8
    assert train["DAYS_EMPLOYED"].dtype == np.int32
    assert train["AMT_CREDIT"].dtype == np.float64
    assert train["EXT_SOURCE_1"].dtype == np.float32
    assert isinstance(train["ORGANIZATION_TYPE"].dtype, pd.CategoricalDtype)
    assert train["SK_ID_CURR"].tolist() == [100002, 100003, 100004, 100006]
    assert train["TARGET"].tolist() == [1, 0, 0, 0]
    assert train["AMT_CREDIT"].iloc[0] == 406597.5
    # Quirks stay as in the file: the placeholder, XNA as a level, empty cells as NaN.
    assert train["DAYS_EMPLOYED"].tolist() == [-100, DAYS_PLACEHOLDER, -100, -100]
    assert "XNA" in train["ORGANIZATION_TYPE"].cat.categories
    assert train["ORGANIZATION_TYPE"].iloc[2] == "XNA"
    assert np.isnan(train["EXT_SOURCE_1"].iloc[0]) and train["EXT_SOURCE_1"].iloc[1] == 0.5
    assert pd.isna(train["NAME_TYPE_SUITE"].iloc[3])
    assert sorted(train["CODE_GENDER"].cat.categories) == ["A", "M"]
    previous = tables["previous_application"]
    assert previous["DAYS_FIRST_DRAWING"].dtype == np.float32
    assert previous["DAYS_FIRST_DRAWING"].iloc[1] == DAYS_PLACEHOLDER
    assert previous["CODE_REJECT_REASON"].iloc[0] == "XAP"
    bureau = tables["bureau"]
    assert np.isnan(bureau["AMT_ANNUITY"].iloc[1])
    # The applicant without history is there, with no side-table row.
    assert 100006 not in set(bureau["SK_ID_CURR"]) | set(previous["SK_ID_CURR"])
    assert tables.report is not None and tables.report.ok


def test_only_empty_cells_are_missing_values(tmp_path):
    write_table(tmp_path, "bureau_balance", [{"SK_ID_BUREAU": "1", "MONTHS_BALANCE": "0"}])
    path = tmp_path / "bureau_balance.csv"
    path.write_text(path.read_text() + "2,-1,NA\n3,-2,\n")
    frame = load_table(tmp_path, "bureau_balance")
    assert frame["STATUS"].iloc[1] == "NA"
    assert pd.isna(frame["STATUS"].iloc[2])


def test_load_table_reads_chosen_columns_in_order(tiny_dir):
    frame = load_table(tiny_dir, "application_train", columns=["TARGET", "SK_ID_CURR"])
    assert list(frame.columns) == ["TARGET", "SK_ID_CURR"]
    assert frame["SK_ID_CURR"].tolist() == [100002, 100003, 100004, 100006]


def test_crlf_line_endings_are_read(tmp_path):
    (tmp_path / "bureau_balance.csv").write_bytes(
        b"SK_ID_BUREAU,MONTHS_BALANCE,STATUS\r\n7,0,C\r\n7,-1,X\r\n"
    )
    frame = load_table(tmp_path, "bureau_balance")
    assert frame["MONTHS_BALANCE"].tolist() == [0, -1]
    assert frame["STATUS"].tolist() == ["C", "X"]


def test_missing_side_tables_are_listed_and_loading_goes_on(tiny_dir):
    (tiny_dir / "bureau_balance.csv").unlink()
    (tiny_dir / "application_test.csv").unlink()
    tables = load_tables(tiny_dir)
    assert set(tables.missing) == {"bureau_balance", "application_test"}
    assert "bureau_balance" not in tables and "bureau" in tables
    assert len(tables["bureau"]) == 3
    with pytest.raises(KeyError, match="bureau_balance is missing") as raised:
        tables["bureau_balance"]
    assert isinstance(raised.value, DataError)
    assert str(raised.value).startswith("bureau_balance is missing")
    assert tables.get("bureau_balance") is None
    assert {finding.table for finding in tables.report.warnings} >= {"bureau_balance"}


def test_missing_application_train_raises_a_data_error_saying_what_to_do(tiny_dir):
    (tiny_dir / "application_train.csv").unlink()
    with pytest.raises(DataError) as raised:
        load_tables(tiny_dir)
    message = str(raised.value)
    assert "application_train.csv" in message
    assert str(tiny_dir) in message
    assert "credit-scoring generate" in message and "Kaggle" in message


def test_a_source_that_does_not_exist_raises_a_data_error(tmp_path):
    with pytest.raises(DataError, match="does not exist"):
        load_tables(tmp_path / "nowhere")
    with pytest.raises(DataError, match="does not exist"):
        load_table(tmp_path / "nowhere", "bureau")


def test_a_plain_file_is_not_a_source(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("hello")
    with pytest.raises(DataError, match="neither a folder nor a zip"):
        load_tables(path)


def test_unknown_table_and_unknown_column_are_data_errors(tiny_dir):
    with pytest.raises(DataError, match="Unknown table 'bureaux'"):
        load_table(tiny_dir, "bureaux")
    with pytest.raises(DataError, match="no column NOT_A_COLUMN"):
        load_table(tiny_dir, "bureau", columns=["NOT_A_COLUMN"])


def test_load_table_names_a_misspelled_column(tmp_path):
    header = ["SK_ID_BUREAU", "MONTHS_BALANCES", "STATUS"]
    write_table(tmp_path, "bureau_balance", [{"SK_ID_BUREAU": "1"}], header=header)
    with pytest.raises(DataError) as raised:
        load_table(tmp_path, "bureau_balance")
    assert "MONTHS_BALANCE (the file has MONTHS_BALANCES: rename it)" in str(raised.value)


def test_load_table_points_at_a_value_of_the_wrong_type(tmp_path):
    write_table(
        tmp_path,
        "bureau_balance",
        [
            {"SK_ID_BUREAU": "1", "MONTHS_BALANCE": "0"},
            {"SK_ID_BUREAU": "1", "MONTHS_BALANCE": "x"},
        ],
    )
    with pytest.raises(DataError) as raised:
        load_table(tmp_path, "bureau_balance")
    message = str(raised.value)
    assert "bureau_balance.csv" in message and "MONTHS_BALANCE" in message
    assert "line 3" in message and "credit-scoring validate" in message


def test_validated_loading_lists_the_errors(tiny_dir):
    path = tiny_dir / "application_train.csv"
    lines = path.read_text().splitlines()
    lines[2] = lines[2].replace("100003,0,", "100003,2,", 1)
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataError) as raised:
        load_tables(tiny_dir)
    message = str(raised.value)
    assert "1 error(s)" in message and "TARGET" in message and "line 3" in message
    # Without validation, the same files load (TARGET 2 is a valid int8).
    assert load_tables(tiny_dir, validate=False)["application_train"]["TARGET"].tolist()[1] == 2


def test_load_tables_without_validation_has_no_report(tiny_dir):
    tables = load_tables(tiny_dir, tables=["application_train", "bureau"], validate=False)
    assert set(tables) == {"application_train", "bureau"}
    assert tables.report is None


def _zip_folder(folder: Path, archive: Path, prefix: str = "") -> Path:
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as opened:
        for path in sorted(folder.glob("*.csv")):
            opened.write(path, prefix + path.name)
    return archive


def _assert_same_tables(loaded: LoadedTables, expected: LoadedTables) -> None:
    assert set(loaded) == set(expected)
    for name in expected:
        pd.testing.assert_frame_equal(loaded[name], expected[name])


def test_reading_from_the_kaggle_archive_with_a_subfolder(tiny_dir, tmp_path):
    archive = _zip_folder(tiny_dir, tmp_path / KAGGLE_ARCHIVE, prefix="home-credit/")
    from_zip = load_tables(archive)
    _assert_same_tables(from_zip, load_tables(tiny_dir))
    assert from_zip.source == archive
    bureau = load_table(archive, "bureau", columns=["SK_ID_BUREAU"])
    assert bureau["SK_ID_BUREAU"].tolist() == [5000001, 5000002, 5000003]


def test_reading_a_folder_that_holds_the_kaggle_archive(tiny_dir, tmp_path):
    download = tmp_path / "download"
    download.mkdir()
    _zip_folder(tiny_dir, download / KAGGLE_ARCHIVE)
    _assert_same_tables(load_tables(download), load_tables(tiny_dir))


def test_reading_individually_zipped_csv_files(tiny_dir, tmp_path):
    zipped = tmp_path / "zipped"
    zipped.mkdir()
    for path in tiny_dir.glob("*.csv"):
        with zipfile.ZipFile(zipped / (path.name + ".zip"), "w") as opened:
            opened.write(path, path.name)
    _assert_same_tables(load_tables(zipped), load_tables(tiny_dir))
    # ... and zipped CSVs inside the Kaggle archive.
    archive = _zip_folder(zipped, tmp_path / KAGGLE_ARCHIVE)
    with zipfile.ZipFile(archive, "a") as opened:
        for path in zipped.glob("*.zip"):
            opened.write(path, path.name)
    _assert_same_tables(load_tables(archive), load_tables(tiny_dir))


def test_an_archive_without_application_train_says_where_it_looked(tiny_dir, tmp_path):
    (tiny_dir / "application_train.csv").unlink()
    archive = _zip_folder(tiny_dir, tmp_path / KAGGLE_ARCHIVE)
    with pytest.raises(DataError, match="application_train.csv in the archive"):
        load_tables(archive)


def test_a_broken_zip_is_a_data_error(tmp_path):
    (tmp_path / "bureau.csv.zip").write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(DataError, match="not a readable zip"):
        load_table(tmp_path, "bureau")


def _line_count(path: Path) -> int:
    with open(path, "rb") as file:
        return sum(1 for _ in file) - 1


def test_the_real_sample_loads_with_the_schema_dtypes(sample_dir):
    tables = load_tables(sample_dir)
    assert tables.missing == ()
    assert tables.report.ok, tables.report.format()
    for name, spec in TABLES.items():
        frame = tables[name]
        assert len(frame) == _line_count(sample_dir / spec.file_name)
        assert list(frame.columns) == list(spec.columns)
        for column, kind in spec.columns.items():
            if kind == CATEGORY:
                assert isinstance(frame[column].dtype, pd.CategoricalDtype), (name, column)
            else:
                assert frame[column].dtype == spec.dtypes()[column], (name, column)
    train = tables["application_train"]
    assert set(train["TARGET"].unique()) == {0, 1}
    assert (train["DAYS_EMPLOYED"] == DAYS_PLACEHOLDER).any()
    assert "XNA" in train["ORGANIZATION_TYPE"].cat.categories
    assert train["EXT_SOURCE_1"].isna().any()
    assert {name for name in SIDE_TABLES} <= set(tables)


def test_the_real_sample_reads_the_same_from_a_zip(sample_dir, tmp_path):
    archive = _zip_folder(sample_dir, tmp_path / KAGGLE_ARCHIVE, prefix="data/")
    tables = ["application_train", "bureau_balance"]
    _assert_same_tables(load_tables(archive, tables=tables), load_tables(sample_dir, tables=tables))


def test_a_semicolon_separated_file_gets_a_hint_about_the_separator(tiny_dir):
    """A file saved by a French-locale spreadsheet (';' between values, ',' as decimal mark)."""
    from credit_scoring.data import validate_source

    path = tiny_dir / "application_train.csv"
    lines = path.read_text().splitlines()
    path.write_text("\n".join(line.replace(",", ";") for line in lines) + "\n")
    with pytest.raises(DataError, match="separated by semicolons") as error:
        load_tables(tiny_dir, validate=False)
    assert "commas" in str(error.value)
    with pytest.raises(DataError, match="separated by semicolons"):
        load_tables(tiny_dir)
    report = validate_source(tiny_dir)
    errors = report.for_table("application_train")
    assert len(errors) == 1 and "separated by semicolons" in errors[0].message
    with_decimal_commas = [lines[0].replace(",", ";")]
    with_decimal_commas += [line.replace(",", ";").replace(".", ",") for line in lines[1:]]
    path.write_text("\n".join(with_decimal_commas) + "\n")
    assert "separated by semicolons" in validate_source(tiny_dir).errors[0].message
