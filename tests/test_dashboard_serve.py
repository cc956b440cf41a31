"""Serving the dashboard: the Voilà command line, its environment, the errors a user can cause."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from credit_scoring.cli import main
from credit_scoring.dashboard.serve import (
    ARTIFACTS_ENV,
    DASHBOARD_NOTEBOOK,
    dashboard_environment,
    free_port,
    serve_dashboard,
    start_voila,
    voila_command,
)
from credit_scoring.errors import ArtifactError, CreditScoringError


def test_voila_is_configured_for_a_fast_first_render_and_no_tracebacks():
    command = voila_command(DASHBOARD_NOTEBOOK, 8899, "127.0.0.1", pool_size=2)
    assert "--preheat_kernel=True" in command
    assert "--pool_size=2" in command
    assert "--show_tracebacks=False" in command
    assert "--strip_sources=True" in command
    assert "--port=8899" in command and "--Voila.ip=127.0.0.1" in command
    assert "--no-browser" in command


def test_the_artifacts_folder_reaches_the_kernels(tmp_path):
    environment = dashboard_environment(tmp_path, "en")
    assert environment[ARTIFACTS_ENV] == str(tmp_path.resolve())
    assert environment["CREDIT_SCORING_LANG"] == "en"
    with pytest.raises(CreditScoringError, match="unknown language"):
        dashboard_environment(tmp_path, "de")


def test_the_notebook_only_builds_the_app_and_has_no_outputs():
    notebook = nbformat.read(DASHBOARD_NOTEBOOK, as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert "parameters" in code[0].metadata.get("tags", [])
    assert ARTIFACTS_ENV in code[0].source and '"../artifacts"' in code[0].source
    assert any("build_app(" in cell.source for cell in code)
    assert all(not cell.get("outputs") and cell.get("execution_count") is None for cell in code)


def test_missing_artifacts_folder_is_a_clear_error(tmp_path):
    missing = tmp_path / "nowhere"
    with pytest.raises(ArtifactError, match="make artifacts"):
        start_voila(missing, free_port())
    with pytest.raises(ArtifactError):
        serve_dashboard(missing, port=free_port())


def test_cli_dashboard_on_missing_artifacts_exits_2(tmp_path, capsys):
    code = main(["dashboard", "--artifacts", str(tmp_path / "nowhere"), "--port", "1"])
    assert code == 2
    assert "error:" in capsys.readouterr().err


def test_dashboard_words_exist_in_both_languages():
    root = Path(__file__).resolve().parents[1] / "src/credit_scoring/i18n"
    words = {
        lang: json.loads((root / lang / "dashboard.json").read_text(encoding="utf-8"))
        for lang in ("fr", "en")
    }
    assert set(words["fr"]) == set(words["en"])
    assert words["fr"]["decision.granted_long"] == "Crédit accordé"
    assert words["fr"]["decision.refused_long"] == "Crédit refusé"


def test_every_level_of_the_real_kaggle_sample_has_words(sample_dir):
    import re

    import pandas as pd

    from credit_scoring.dashboard.data import level_text

    applications = pd.read_csv(sample_dir / "application_train.csv")
    for column in applications.select_dtypes(exclude="number").columns:
        for level in applications[column].dropna().unique():
            if level in ("XNA", "XAP"):
                continue  # placeholders: shown as "not provided"
            french = level_text(column, level, "fr")
            english = level_text(column, level, "en")
            known_words = french != level or english != level or re.fullmatch(r"[A-Z][a-z]+", level)
            assert known_words, f"{column} = {level!r} has no words"
