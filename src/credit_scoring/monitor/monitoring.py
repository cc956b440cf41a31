"""Monitoring new applicants against the training population (``credit-scoring monitor``).

The new applicants (application_test.csv of a folder, with whatever side tables it has) go
through the same feature code as training and the same Scorer; every feature and the score are
then compared with the training applicants of the artifacts (features.parquet rows with SPLIT ==
"train", and their out-of-fold default probabilities of scores.parquet). See drift.py for the
measures and why PSI, not a test, decides.

Verdicts. Each variable: its PSI band. Overall: "significant" when the score or one of the
``top_count`` most important features (global_importance.json) drifts significantly: the alert,
on which the command exits with code 3 so that a scheduler can act; "moderate" when any
variable drifts (moderately, or significantly outside the score and the top features); "stable"
when none does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from credit_scoring.artifacts import (
    FEATURE_CATALOG,
    FEATURES,
    GLOBAL_IMPORTANCE,
    MONITORING,
    SCORES,
    SPLIT,
    TRAIN,
    read_json_artifact,
    read_parquet_artifact,
    write_json_artifact,
)
from credit_scoring.data.schema import APPLICANT_KEY, TABLES, TARGET
from credit_scoring.errors import ArtifactError, DataError
from credit_scoring.monitor.drift import VariableDrift, variable_drift, worst_verdict

#: Exit code of ``credit-scoring monitor`` when the score or a top feature drifts significantly.
EXIT_DRIFT = 3
DEFAULT_TOP_COUNT = 20
SCORE = "default_probability"
NEW_APPLICATIONS = "application_test"
#: Under this many new applicants the verdicts are shown with a warning (PSI is noisy).
SMALL_BATCH = 500


@dataclass
class MonitoringResult:
    """The comparison of a batch of new applicants with the training population."""

    features: list[VariableDrift]
    #: The default probability's drift (None when no scores were compared).
    score: VariableDrift | None
    top_features: list[str]
    training_applicants: int
    new_applicants: int
    refusal_rate_train: float | None = None
    refusal_rate_new: float | None = None
    data_source: str = ""
    artifacts: str = ""
    created_at: str = field(
        default_factory=lambda: dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    )

    @property
    def watched(self) -> list[VariableDrift]:
        """The score and the top features: the variables that raise the alert."""
        top = set(self.top_features)
        score = [self.score] if self.score is not None else []
        return [*score, *(item for item in self.features if item.name in top)]

    @property
    def alerts(self) -> list[str]:
        """Names of the watched variables that drift significantly (the score first)."""
        return [item.name for item in self.watched if item.verdict == "significant"]

    @property
    def verdict(self) -> str:
        """Overall verdict: significant (alert), moderate or stable (see the module doc)."""
        if self.alerts:
            return "significant"
        moved = worst_verdict(item.verdict for item in [*self.watched, *self.features])
        return "stable" if moved == "stable" else "moderate"

    @property
    def exit_code(self) -> int:
        """3 (EXIT_DRIFT) on an alert, else 0."""
        return EXIT_DRIFT if self.alerts else 0

    @property
    def small_batch(self) -> bool:
        """Whether the batch is too small for the PSI bands to be trusted."""
        return self.new_applicants < SMALL_BATCH

    def table(self) -> pd.DataFrame:
        """One row per feature (and the score first), most drifted first: name, kind, psi,
        verdict, test, p_value, missing rates, unseen levels, whether it is a top feature."""
        top = {name: rank for rank, name in enumerate(self.top_features, start=1)}
        rows = []
        score = [self.score] if self.score is not None else []
        for item in [*score, *self.features]:
            rows.append(
                {
                    "name": item.name,
                    "kind": "score" if item is self.score else item.kind,
                    "importance_rank": top.get(item.name),
                    "psi": item.psi,
                    "verdict": item.verdict,
                    "test": item.test,
                    "test_statistic": item.test_statistic,
                    "p_value": item.p_value,
                    "missing_rate_train": item.missing_rate_train,
                    "missing_rate_new": item.missing_rate_new,
                    "missing_rate_change": item.missing_rate_change,
                    "unseen_levels": ", ".join(item.unseen_levels),
                    "unseen_share": item.unseen_share,
                    "mean_train": item.mean_train,
                    "mean_new": item.mean_new,
                }
            )
        table = pd.DataFrame(rows)
        score_row, rest = table.iloc[: len(score)], table.iloc[len(score) :]
        rest = rest.sort_values("psi", ascending=False, kind="stable")
        return pd.concat([score_row, rest], ignore_index=True)

    def summary(self) -> dict:
        """The headline numbers (what the dashboard's population section shows)."""
        counts = {verdict: 0 for verdict in ("stable", "moderate", "significant")}
        for item in self.features:
            counts[item.verdict] += 1
        return {
            "verdict": self.verdict,
            "alert": bool(self.alerts),
            "alerts": self.alerts,
            "score_psi": self.score.psi if self.score is not None else None,
            "score_verdict": self.score.verdict if self.score is not None else None,
            "features_by_verdict": counts,
            "training_applicants": self.training_applicants,
            "new_applicants": self.new_applicants,
            "small_batch": self.small_batch,
            "refusal_rate_train": self.refusal_rate_train,
            "refusal_rate_new": self.refusal_rate_new,
        }

    def to_dict(self) -> dict:
        """monitoring.json's content."""
        return {
            "created_at": self.created_at,
            "artifacts": self.artifacts,
            "data_source": self.data_source,
            "summary": self.summary(),
            "method": {
                "decides": "population stability index (PSI) bands: < 0.1 stable, "
                "0.1-0.25 moderate, > 0.25 significant",
                "reported_tests": "two-sample Kolmogorov-Smirnov (numbers), chi-square "
                "(categories); with large batches they flag negligible shifts, so they do "
                "not decide",
                "alert": f"the score or one of the {len(self.top_features)} most important "
                "features drifts significantly (exit code 3)",
            },
            "top_features": self.top_features,
            "score": self.score.to_dict() if self.score is not None else None,
            "features": [item.to_dict() for item in self.features],
        }


def compare_populations(
    train_features: pd.DataFrame,
    new_features: pd.DataFrame,
    feature_names: Sequence[str],
    categorical: Sequence[str],
    train_scores=None,
    new_scores=None,
    top_features: Sequence[str] = (),
) -> MonitoringResult:
    """Drift of every feature of ``feature_names`` and of the score between the training rows and
    the new rows (frames with those columns; scores are default probabilities, or None to
    compare the features only)."""
    categorical = set(categorical)
    missing = [name for name in feature_names if name not in new_features]
    if missing:
        raise DataError(
            f"the new applicants lack feature column(s) {', '.join(missing[:10])}: build their "
            "features with the same feature code as the training data"
        )
    drifts = [
        variable_drift(name, train_features[name], new_features[name], name in categorical)
        for name in feature_names
    ]
    score = None
    if train_scores is not None and new_scores is not None:
        score = variable_drift(SCORE, train_scores, new_scores, categorical=False)
    present = set(feature_names)
    return MonitoringResult(
        features=drifts,
        score=score,
        top_features=[name for name in top_features if name in present],
        training_applicants=len(train_features),
        new_applicants=len(new_features),
    )


def load_new_applicants(data_dir: Path | str):
    """The new applicants' tables of a folder: application_test.csv (required) and whatever side
    tables are there, checked like ``credit-scoring score`` checks them. DataError otherwise."""
    from credit_scoring.data import load_tables
    from credit_scoring.scoring.batch import check_new_data

    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise DataError(
            f"{data_dir} is not a folder: give --data a folder holding application_test.csv "
            "(the new applicants, Kaggle format) and their side tables"
        )
    names = [name for name in TABLES if name != "application_train"]
    tables = load_tables(data_dir, tables=names, validate=False)
    if NEW_APPLICATIONS not in tables:
        raise DataError(
            f"{data_dir} holds no application_test.csv: put the new applicants there in the "
            "Kaggle application_test format"
        )
    check_new_data(tables)
    return tables


def _training_population(artifacts_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    to_build = f"run the pipeline first (`credit-scoring pipeline --artifacts {artifacts_dir}`)"
    features = read_parquet_artifact(artifacts_dir, FEATURES, to_build=to_build)
    features = features[features[SPLIT] == TRAIN].reset_index(drop=True)
    columns = [APPLICANT_KEY, SPLIT, SCORE, "decision"]
    scores = read_parquet_artifact(artifacts_dir, SCORES, columns, to_build)
    scores = scores[scores[SPLIT] == TRAIN]
    if features.empty or scores.empty:
        raise ArtifactError(
            f"the artifacts in {artifacts_dir} hold no training applicant to compare with: "
            "rebuild them from data with application_train.csv"
        )
    return features, scores


def score_new_features(artifacts_dir: Path, frame: pd.DataFrame, absent: set[str]):
    """Default probabilities and decisions of new applicants' feature rows, through the Scorer
    (the one scoring path), by the cross-validation fold models in turn.

    Like with like: the training population's scores are out-of-fold (each by a fold model that
    did not see it), so each new applicant is scored by one fold model too (row i by fold
    i mod folds). The final model, fit on more data, spreads its scores differently: on the
    tests' tiny artifacts its scores of an unshifted batch differ from the out-of-fold ones by
    a PSI of 0.39, a false alarm. Without fold models, the final model scores them.
    """
    from credit_scoring.scoring.batch import align_features
    from credit_scoring.scoring.scorer import Scorer

    scorer = Scorer.from_artifacts(artifacts_dir, out_of_fold=True)
    aligned = align_features(
        frame, scorer.feature_names, scorer.feature_columns, scorer.catalog, absent
    )
    folds = len(scorer.fold_models)
    rows = np.arange(len(aligned))
    assigned = rows % folds if folds else np.full(len(aligned), -1)
    scored = scorer.score(aligned, explain=False, folds=assigned)
    return scored.probabilities, scored.decisions


def monitor_new_applicants(
    artifacts_dir: Path | str,
    data_dir: Path | str,
    top_count: int = DEFAULT_TOP_COUNT,
) -> MonitoringResult:
    """Compare the new applicants of ``data_dir`` (application_test.csv and its side tables) with
    the training population of ``artifacts_dir``: every feature and the score."""
    from credit_scoring.features import build_features

    artifacts_dir = Path(artifacts_dir)
    train_features, train_scores = _training_population(artifacts_dir)
    tables = load_new_applicants(data_dir)
    feature_tables = dict(tables.items())
    feature_tables[NEW_APPLICATIONS] = feature_tables[NEW_APPLICATIONS].drop(
        columns=[TARGET], errors="ignore"
    )
    absent = {name for name in TABLES if name not in feature_tables}
    new_features = build_features(feature_tables).frame
    probabilities, decisions = score_new_features(artifacts_dir, new_features, absent)

    catalog = read_json_artifact(artifacts_dir, FEATURE_CATALOG)
    importance = read_json_artifact(artifacts_dir, GLOBAL_IMPORTANCE)
    entries = [entry for entry in catalog.get("features", []) if entry["name"] in train_features]
    names = [entry["name"] for entry in entries]
    categorical = [entry["name"] for entry in entries if entry.get("kind") == "categorical"]
    # A side table absent from the new data gives no column: its features count as missing.
    new_features = new_features.reindex(columns=[APPLICANT_KEY, *names])
    top = [item["feature"] for item in importance][:top_count]
    result = compare_populations(
        train_features,
        new_features,
        names,
        categorical,
        train_scores[SCORE].to_numpy(np.float64),
        probabilities,
        top,
    )
    result.refusal_rate_train = float(np.mean(train_scores["decision"].to_numpy() == "refused"))
    result.refusal_rate_new = float(np.mean(np.asarray(decisions) == "refused"))
    result.artifacts = str(artifacts_dir)
    result.data_source = str(data_dir)
    return result


def write_monitoring_json(result: MonitoringResult, path: Path | str) -> Path:
    """Write monitoring.json (valid JSON: NaN as null)."""
    path = Path(path)
    return write_json_artifact(path.parent, path.name, result.to_dict())


def read_monitoring(folder: Path | str) -> Mapping:
    """The latest monitoring.json of a folder (ArtifactError saying how to build it)."""
    return read_json_artifact(
        folder, MONITORING, "run `credit-scoring monitor --artifacts DIR --data NEW_DIR`"
    )
