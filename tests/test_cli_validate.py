"""`credit-scoring validate DIR`: the printed report and the exit codes 0, 1 and 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

# Shared tiny-table writer (tests/ is on sys.path under pytest's default import mode).
from possible_tables import write_tiny_dataset

from credit_scoring.cli import main

CONSOLE_SCRIPT = Path(sys.executable).with_name("credit-scoring")


def _break_target(folder: Path) -> None:
    path = folder / "application_train.csv"
    lines = path.read_text().splitlines()
    lines[2] = lines[2].replace("100003,0,", "100003,5,", 1)
    path.write_text("\n".join(lines) + "\n")


def test_valid_folder_exits_0_and_prints_the_report(tmp_path, capsys):
    data = write_tiny_dataset(tmp_path / "raw")
    assert main(["validate", str(data)]) == 0
    out = capsys.readouterr().out
    assert f"Home Credit data in {data}: VALID" in out
    assert "application_train.csv" in out and "4 rows" in out
    assert "DAYS_EMPLOYED" in out  # the placeholder is noted


def test_folder_with_errors_exits_1_and_names_file_column_and_line(tmp_path, capsys):
    data = write_tiny_dataset(tmp_path / "raw")
    _break_target(data)
    assert main(["validate", str(data)]) == 1
    out = capsys.readouterr().out
    assert "INVALID (1 errors)" in out
    assert "application_train.csv, column TARGET" in out and "[line 3]" in out


def test_missing_application_train_exits_1(tmp_path, capsys):
    data = write_tiny_dataset(tmp_path / "raw")
    (data / "application_train.csv").unlink()
    assert main(["validate", str(data)]) == 1
    out = capsys.readouterr().out
    assert "application_train.csv: required file is missing" in out


def test_missing_folder_exits_2_with_one_line(tmp_path, capsys):
    missing = tmp_path / "nowhere"
    assert main(["validate", str(missing)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert captured.err.startswith("error: ") and str(missing) in captured.err
    assert "credit-scoring generate" in captured.err


def test_the_console_script(tmp_path):
    data = write_tiny_dataset(tmp_path / "raw")
    valid = subprocess.run(
        [str(CONSOLE_SCRIPT), "validate", str(data)], capture_output=True, text=True
    )
    assert valid.returncode == 0, valid.stderr
    assert "VALID" in valid.stdout
    _break_target(data)
    invalid = subprocess.run(
        [str(CONSOLE_SCRIPT), "validate", str(data)], capture_output=True, text=True
    )
    assert invalid.returncode == 1 and "TARGET" in invalid.stdout
    absent = subprocess.run(
        [str(CONSOLE_SCRIPT), "validate", str(tmp_path / "nowhere")],
        capture_output=True,
        text=True,
    )
    assert absent.returncode == 2 and "does not exist" in absent.stderr
    assert "Traceback" not in absent.stderr


def test_the_real_sample_is_reported_valid(sample_dir, capsys):
    assert main(["validate", str(sample_dir)]) == 0
    out = capsys.readouterr().out
    assert f"Home Credit data in {sample_dir}: VALID" in out
    with open(sample_dir / "application_train.csv", "rb") as file:
        train_rows = sum(1 for _ in file) - 1
    assert f"{train_rows:,} rows" in out
    table_lines = out.splitlines()[2:10]
    assert not any(line.rstrip().endswith("missing") for line in table_lines)
    assert "ERROR" not in out


def test_an_application_file_without_rows_and_impossible_values_exit_1(tmp_path, capsys):
    data = write_tiny_dataset(tmp_path / "raw")
    path = data / "application_train.csv"
    lines = path.read_text().splitlines()
    header = lines[0].split(",")
    cells = lines[2].split(",")
    cells[header.index("AMT_INCOME_TOTAL")] = "-1000.0"
    lines[2] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n")
    assert main(["validate", str(data)]) == 1
    out = capsys.readouterr().out
    assert "application_train.csv, column AMT_INCOME_TOTAL" in out and "[line 3]" in out
    path.write_text(lines[0] + "\n")
    assert main(["validate", str(data)]) == 1
    assert "application_train.csv: the file has a header and no rows" in capsys.readouterr().out
