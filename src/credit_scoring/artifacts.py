"""Names and layout of the pipeline's artifacts: the contract between pipeline and dashboard.

Everything lives in one artifacts folder (default ``artifacts/``). Rows of every per-applicant
artifact are in the same order as ``features.parquet``: training applicants first, then new
(test) applicants, each part sorted by SK_ID_CURR.

features.parquet
    SK_ID_CURR (int32), SPLIT ("train" | "test"), TARGET (float32, NaN for test rows),
    then one column per feature (numeric: float32; categorical: pandas category / str).
feature_catalog.json
    {"groups": {group_id: {"fr": label, "en": label}}, "features": [entry, ...]} where each entry is
    {"name", "label_fr", "label_en", "unit", "decimals", "source", "group", "kind"}.
    unit: years | months | days | amount | ratio | percentage | score | count | flag | category
    | number;
    kind: numeric | categorical; source: the Kaggle table (or "application" for derived ones).
applications.parquet
    The raw application rows (train and test, Kaggle columns, plus SPLIT) that the features were
    built from: the what-if panel and the client card read them; the dashboard never reads CSVs.
model.cbm
    The final CatBoost model: by default the average of the fold models (one model holding their
    trees, its raw score the mean of theirs); with final_model="refit", a model fit on all
    training applicants.
fold_models/fold_<k>.cbm
    The cross-validation fold models: the explain step scores and explains each training
    applicant with the model that did not see it (out-of-fold).
metrics.json, threshold.json
    Cross-validated metrics; {"threshold", "cost_false_negative", "cost_false_positive", ...}.
oof.parquet
    SK_ID_CURR, fold, TARGET, raw_score, oof_probability for every training applicant.
calibration.json
    How raw model scores become displayed probabilities (method and its parameters).
scores.parquet
    SK_ID_CURR, SPLIT, TARGET, raw_score (log-odds), base_value, default_probability (calibrated),
    decision ("granted" | "refused"),
    risk_band ("very_low" | "low" | "medium" | "high" | "very_high").
    Training applicants are scored by the fold model that did not see them (out-of-fold).
contributions.npy + contributions.json
    float32 matrix (applicants x model features) of SHAP values in log-odds, so that
    base_value + row sum == raw_score; the json holds the model feature names in column order.
global_importance.json
    [{"feature", "mean_abs_contribution"}] sorted by decreasing importance.
population_summaries.json
    Per feature, the whole population: histogram bins with counts and default rates (numeric)
    or levels with counts and default rates (categorical).
client_table.arrow, applications.arrow
    The per-client tables the dashboard reads, as uncompressed Arrow IPC files that every
    dashboard kernel memory-maps (one shared copy in the page cache): features, scores and
    outcome by column (text as int16 codes), and the raw application rows
    (see credit_scoring.explain.client_tables).
similar_clients.npz
    The standardized neighbour space: ids, matrix (float32), feature names, means and scales;
    the dashboard builds a KD-tree over it to find the k most similar known-outcome clients.
application_reference.json
    The training ranges and levels of the application columns (scoring/inputs.py), written by
    the explain step from the training rows of applications.parquet: per numeric column
    {min, max, p0.1, p99.9, low, high} ([low, high] the plausible range), per text column the
    levels seen. ``score`` and the what-if flag values outside them; older artifacts lack it.
familiarity.parquet + familiarity.json
    Unfamiliar clients (explain/familiarity.py): per applicant, SK_ID_CURR, neighbour_distance
    (mean distance to the k nearest known-outcome clients, leave-one-out for them),
    far_from_known_clients, outside_range_features, unfamiliar, reason; the json holds k and the
    thresholds (99th percentile of the training distances, 0.5th-99.5th percentile ranges).
monitoring.json
    The latest drift monitoring of new applicants (monitor/, `credit-scoring monitor`): verdict,
    alerts, PSI and test of the score and every feature. Written after the pipeline (not in the
    manifest).
manifest.json
    What produced the artifacts: data source, row counts, parameters, package version,
    SHA-256 of each file. The dashboard refuses artifacts that do not match it.
report/
    The executed notebooks (and their HTML export): the run's report.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from credit_scoring.errors import ArtifactError

FEATURES = "features.parquet"
FEATURE_CATALOG = "feature_catalog.json"
APPLICATIONS = "applications.parquet"
MODEL = "model.cbm"
METRICS = "metrics.json"
THRESHOLD = "threshold.json"
OOF = "oof.parquet"
CALIBRATION = "calibration.json"
SCORES = "scores.parquet"
CONTRIBUTIONS = "contributions.npy"
CONTRIBUTIONS_META = "contributions.json"
GLOBAL_IMPORTANCE = "global_importance.json"
POPULATION_SUMMARIES = "population_summaries.json"
SIMILAR_CLIENTS = "similar_clients.npz"
CLIENT_TABLE = "client_table.arrow"
APPLICATIONS_TABLE = "applications.arrow"
APPLICATION_REFERENCE = "application_reference.json"
FAMILIARITY = "familiarity.parquet"
FAMILIARITY_THRESHOLDS = "familiarity.json"
MONITORING = "monitoring.json"
MODEL_CARD = "model_card.md"
MANIFEST = "manifest.json"
REPORT_DIR = "report"

SPLIT = "SPLIT"
TRAIN = "train"
TEST = "test"

#: How to build missing artifacts, said in every error about them.
TO_BUILD = "run `make artifacts` (or `credit-scoring pipeline`) to build the artifacts"

#: Repository root when running from a checkout (used for defaults only).
PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_ARTIFACTS_DIR = PROJECT_ROOT / "artifacts"
DEFAULT_DATA_DIR = PROJECT_ROOT / "data" / "raw"


def read_json_artifact(artifacts_dir: Path | str, name: str, to_build: str = TO_BUILD):
    """One JSON artifact. ArtifactError, saying how to build it, when it is missing or corrupt."""
    path = Path(artifacts_dir) / name
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ArtifactError(f"{name} is missing from {path.parent}: {to_build}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ArtifactError(f"{path} is not valid JSON ({error}): {to_build} again") from None


def json_safe(value):
    """``value`` with NaN/inf floats replaced by None and numpy scalars by Python ones, so that
    the JSON written is valid."""
    if isinstance(value, Mapping):
        return {str(key): json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(item) for item in value]
    if isinstance(value, np.ndarray):
        return json_safe(value.tolist())
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


def write_json_artifact(
    artifacts_dir: Path | str, name: str, content, indent: int | None = 1
) -> Path:
    """Write one JSON artifact (UTF-8, valid JSON: NaN becomes null); returns its path."""
    path = Path(artifacts_dir) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(json_safe(content), indent=indent, ensure_ascii=False, allow_nan=False)
    path.write_text(text + "\n", encoding="utf-8")
    return path


def read_parquet_artifact(
    artifacts_dir: Path | str,
    name: str,
    columns: Sequence[str] | None = None,
    to_build: str = TO_BUILD,
):
    """One parquet artifact as a DataFrame; ArtifactError, saying how to build it, when it is
    missing, unreadable or lacks a requested column."""
    import pandas as pd
    import pyarrow

    path = Path(artifacts_dir) / name
    if not path.is_file():
        raise ArtifactError(f"{name} is missing from {path.parent}: {to_build}")
    try:
        return pd.read_parquet(path, columns=list(columns) if columns is not None else None)
    except (pyarrow.ArrowException, OSError, KeyError, ValueError) as error:
        raise ArtifactError(f"{path} cannot be read ({error}): {to_build} again") from None


def read_features(artifacts_dir: Path | str, columns: Sequence[str] | None = None):
    """features.parquet (see the contract above); ArtifactError when the features step did not
    run."""
    return read_parquet_artifact(
        artifacts_dir,
        FEATURES,
        columns,
        "run the features step first (notebooks/01_features.ipynb or "
        "`credit-scoring pipeline --steps features`)",
    )
