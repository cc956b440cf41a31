"""Progress of the long steps: a bar in a terminal, plain lines elsewhere, nothing with --quiet."""

import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest
from helpers import toy_feature_frame

from credit_scoring.errors import CreditScoringError
from credit_scoring.model.training import TrainingParameters, cross_validate, model_feature_names
from credit_scoring.progress import (
    PROGRESS_VARIABLE,
    progress,
    progress_mode,
    progress_setting,
    track,
)

CLI = Path(sys.executable).parent / "credit-scoring"


def test_lines_mode_writes_plain_lines_with_the_first_and_last_state(capsys):
    with progress(5, "counting", "item", mode="lines") as bar:
        for _ in range(5):
            bar.update(1)
    err = capsys.readouterr().err
    assert "\r" not in err
    lines = err.splitlines()
    # The first state, then (updates come faster than the line interval) only the last one.
    assert len(lines) == 2
    assert lines[0].startswith("counting:   0%") and "0/5" in lines[0]
    assert lines[-1].startswith("counting: 100%") and "5/5" in lines[-1]


def test_track_shows_the_item_being_worked_on(capsys, monkeypatch):
    monkeypatch.setenv(PROGRESS_VARIABLE, "lines")
    assert list(track(["bureau", "installments"], "tables", "table")) == ["bureau", "installments"]
    last = capsys.readouterr().err.splitlines()[-1]
    assert "2/2" in last and "installments" in last


def test_off_mode_and_the_environment_setting(capsys, monkeypatch):
    monkeypatch.setenv(PROGRESS_VARIABLE, "off")
    assert progress_mode() == "off"
    with progress(3, "silent") as bar:
        bar.update(3)
    assert capsys.readouterr().err == ""
    monkeypatch.setenv(PROGRESS_VARIABLE, "loud")
    with pytest.raises(CreditScoringError, match="bar, lines, off"):
        progress_mode()
    monkeypatch.delenv(PROGRESS_VARIABLE)
    # pytest's captured stderr is not a terminal: plain lines.
    assert progress_mode() == "lines"
    with progress_setting("bar"):
        assert os.environ[PROGRESS_VARIABLE] == "bar"
    assert PROGRESS_VARIABLE not in os.environ


def test_each_fold_reports_its_trees_and_validation_metric(capsys, monkeypatch):
    monkeypatch.setenv(PROGRESS_VARIABLE, "lines")
    frame = toy_feature_frame(1_500, 100, seed=4)
    parameters = TrainingParameters(iterations=60, folds=2, early_stopping_rounds=10, device="cpu")
    cv = cross_validate(frame, model_feature_names(frame), parameters)
    err = capsys.readouterr().err
    for fold, trees in enumerate(cv.tree_counts, start=1):
        last = [line for line in err.splitlines() if line.startswith(f"fold {fold}/2")][-1]
        assert "tree" in last and "best validation log-loss" in last
        assert f"at tree {trees}" in last


def run_in_terminal(command: list[str]) -> tuple[int, str]:
    """Run ``command`` with a pseudo-terminal as its stdout and stderr; its exit code and output."""
    controller, terminal = pty.openpty()
    # A terminal of 100 columns and 30 rows (a fresh pseudo-terminal has no size).
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    process = subprocess.Popen(command, stdout=terminal, stderr=terminal, close_fds=True)
    os.close(terminal)
    chunks = []
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # the terminal closed: the process is done
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(controller)
    return process.wait(timeout=120), b"".join(chunks).decode("utf-8", "replace")


def test_generate_draws_a_bar_in_a_terminal_and_lines_in_a_log(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != PROGRESS_VARIABLE}
    code, shown = run_in_terminal(
        [str(CLI), "generate", "--out", str(tmp_path / "a"), "--applicants", "300"]
    )
    assert code == 0
    assert "synthetic histories" in shown and "\r" in shown.replace("\r\n", "")
    logged = subprocess.run(
        [str(CLI), "generate", "--out", str(tmp_path / "b"), "--applicants", "300"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    assert "\r" not in logged.stderr
    assert "synthetic histories: 100%" in logged.stderr and "300/300" in logged.stderr
    quiet = subprocess.run(
        [str(CLI), "generate", "--out", str(tmp_path / "c"), "--applicants", "300", "--quiet"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    assert quiet.stderr == ""
    assert "rows" in quiet.stdout  # the summary still comes


def test_a_client_on_the_page_is_scored_without_progress_a_population_with_it(
    pipeline_artifacts_dir, capsys, monkeypatch
):
    from credit_scoring.artifacts import read_features
    from credit_scoring.scoring import Scorer

    monkeypatch.setenv(PROGRESS_VARIABLE, "lines")
    scorer = Scorer.from_artifacts(pipeline_artifacts_dir)
    frame = read_features(pipeline_artifacts_dir)
    scorer.score(frame.iloc[[0]], explain=True)  # a dashboard callback
    assert capsys.readouterr().err == ""
    scorer.score(frame, explain=True, show_progress=True)  # the explain step, `score`
    last = capsys.readouterr().err.splitlines()[-1]
    assert last.startswith("explanations: 100%") and f"{len(frame)}/{len(frame)}" in last
