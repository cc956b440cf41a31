"""The Scorer: the one path from application rows to probability, decision, risk band and reasons.

The explain step (scores.parquet), ``credit-scoring score``, the dashboard's what-if and recourse
all go through it, so that a number shown on the page is the number the command prints.

Which model scores a client (one number per client): an applicant of the training data is scored
by the cross-validation fold model that did not see them (their out-of-fold score, the one the
threshold was chosen on and the model's quality measured on); any other applicant by the final
model (the average of the fold models, or a model refit on every training applicant). Scoring a
past client with the final model would grade them with models that learned their own outcome.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from catboost import CatBoostClassifier

from credit_scoring.artifacts import (
    CALIBRATION,
    FEATURE_CATALOG,
    METRICS,
    MODEL,
    OOF,
    THRESHOLD,
    TO_BUILD,
    read_json_artifact,
    read_parquet_artifact,
)
from credit_scoring.data.schema import APPLICANT_KEY
from credit_scoring.errors import ArtifactError, DataError
from credit_scoring.explain.contributions import explain_applicants
from credit_scoring.explain.principal_reasons import PrincipalReason, principal_reasons
from credit_scoring.explain.reasons import Reason, top_reasons
from credit_scoring.model.calibration import apply_calibration
from credit_scoring.model.threshold import decide, risk_bands
from credit_scoring.model.training import (
    load_fold_models,
    load_model,
    make_pool,
    model_features,
)
from credit_scoring.scoring.inputs import read_application_reference

#: The model that scored a row: "final", or "fold_<k>" for a past client scored out-of-fold.
FINAL_MODEL = "final"


@dataclass(frozen=True)
class Scored:
    """Scores of a batch of rows (one entry per row, in the order given).

    ``contributions`` (rows x ``feature_names``, log-odds, base + row sum == raw score) is None
    when the batch was scored without explanations.
    """

    ids: np.ndarray
    raw_scores: np.ndarray
    base_values: np.ndarray | None
    probabilities: np.ndarray
    decisions: np.ndarray
    risk_bands: np.ndarray
    folds: np.ndarray  # fold of the model used, -1 for the final model
    contributions: np.ndarray | None
    feature_names: list[str]

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def models(self) -> np.ndarray:
        """The model that scored each row: "final" or "fold_<k>"."""
        return np.where(self.folds < 0, FINAL_MODEL, np.char.add("fold_", self.folds.astype(str)))

    def table(self) -> pd.DataFrame:
        """SK_ID_CURR, raw_score, base_value, default_probability, decision, risk_band."""
        columns = {APPLICANT_KEY: self.ids, "raw_score": self.raw_scores}
        if self.base_values is not None:
            columns["base_value"] = self.base_values
        columns |= {
            "default_probability": self.probabilities,
            "decision": self.decisions,
            "risk_band": self.risk_bands,
        }
        return pd.DataFrame(columns)


class Scorer:
    """The trained model with everything that turns its output into a decision.

    Parameters
    ----------
    final_model:
        CatBoost model fit on every training applicant (scores new applicants).
    calibration, threshold:
        calibration.json's content; the business threshold (refused at or above it).
    catalog:
        feature_catalog.json's content (labels and formats of the reasons).
    feature_columns:
        every feature column the training features had (to detect feature-code changes).
    fold_models, fold_of:
        the cross-validation models and the fold of each past client (SK_ID_CURR → fold);
        without them every row is scored by the final model.
    application_reference:
        application_reference.json's content, the training ranges and levels new application
        values are checked against (scoring/inputs.py); None for artifacts that predate it.
    """

    def __init__(
        self,
        final_model: CatBoostClassifier,
        calibration: Mapping,
        threshold: float,
        catalog: Mapping,
        feature_columns: Sequence[str] | None = None,
        fold_models: Sequence[CatBoostClassifier] = (),
        fold_of: pd.Series | None = None,
        application_reference: Mapping | None = None,
    ) -> None:
        self.final_model = final_model
        self.calibration = dict(calibration)
        self.threshold = float(threshold)
        self.catalog = catalog
        self.feature_names, self.categorical = model_features(final_model)
        self.feature_columns = list(feature_columns or self.feature_names)
        self.fold_models = list(fold_models)
        self.fold_of = fold_of if fold_of is not None else pd.Series(dtype=np.int64)
        self.application_reference = application_reference
        apply_calibration(self.calibration, [0.0])  # an unknown method fails now, not later

    @classmethod
    def from_artifacts(
        cls, artifacts_dir: Path | str, verify: bool = True, out_of_fold: bool = True
    ) -> Scorer:
        """The Scorer of an artifacts folder.

        ``verify`` checks every file against manifest.json first (a corrupt or foreign model is
        an ArtifactError, never a crash); the explain step, which runs before the manifest is
        written, passes False. ``out_of_fold`` loads the fold models for past clients.
        """
        artifacts_dir = Path(artifacts_dir)
        if verify:
            from credit_scoring.manifest import verify_artifacts

            verify_artifacts(artifacts_dir)
        metrics = read_json_artifact(artifacts_dir, METRICS)
        fold_models, fold_of = [], None
        if out_of_fold:
            folds = int(metrics["cross_validation"]["folds"])
            fold_models = load_fold_models(artifacts_dir, folds)
            oof = read_parquet_artifact(artifacts_dir, OOF, [APPLICANT_KEY, "fold"])
            fold_of = pd.Series(
                oof["fold"].to_numpy(np.int64), index=oof[APPLICANT_KEY].to_numpy(np.int64)
            )
        return cls(
            final_model=load_model(artifacts_dir / MODEL),
            calibration=read_json_artifact(artifacts_dir, CALIBRATION),
            threshold=float(read_json_artifact(artifacts_dir, THRESHOLD)["threshold"]),
            catalog=read_json_artifact(artifacts_dir, FEATURE_CATALOG),
            feature_columns=metrics.get("feature_columns"),
            fold_models=fold_models,
            fold_of=fold_of,
            application_reference=read_application_reference(artifacts_dir),
        )

    # ----- from raw score to decision ---------------------------------------------------------
    def probability(self, raw_scores) -> np.ndarray:
        """Displayed default probabilities of raw scores (log-odds), calibrated."""
        return apply_calibration(self.calibration, np.atleast_1d(raw_scores))

    def decide(self, probabilities, threshold: float | None = None) -> np.ndarray:
        """ "granted" / "refused" at ``threshold`` (the model's own by default)."""
        return decide(probabilities, self.threshold if threshold is None else threshold)

    def risk_band(self, probabilities, threshold: float | None = None) -> np.ndarray:
        """Risk bands, cut relative to ``threshold`` (the model's own by default)."""
        return risk_bands(probabilities, self.threshold if threshold is None else threshold)

    # ----- which model ----------------------------------------------------------------------
    def folds_of(self, ids) -> np.ndarray:
        """The fold of each applicant id: its fold for a past client, -1 (final model) else."""
        ids = np.asarray(ids, dtype=np.int64)
        if not self.fold_models or self.fold_of.empty:
            return np.full(len(ids), -1, dtype=np.int64)
        folds = self.fold_of.reindex(ids).to_numpy(dtype=np.float64)
        return np.nan_to_num(folds, nan=-1).astype(np.int64)

    # ----- scoring --------------------------------------------------------------------------
    def score(
        self,
        frame: pd.DataFrame,
        explain: bool = True,
        folds: np.ndarray | None = None,
        show_progress: bool = False,
    ) -> Scored:
        """Score the rows of a feature frame (SK_ID_CURR and the model's feature columns).

        Each row goes to its model (``folds`` per row, default: from its id); with ``explain``
        the SHAP contributions come too, from the same model (their progress shown with
        ``show_progress``: a population, not a client on the page).
        """
        ids = frame[APPLICANT_KEY].to_numpy()
        folds = self.folds_of(ids) if folds is None else np.asarray(folds, dtype=np.int64)
        base_values = contributions = None
        if explain:
            explanations = explain_applicants(
                frame, folds >= 0, folds, self.fold_models, self.final_model, show_progress
            )
            raw = explanations.raw_scores
            base_values = explanations.base_values
            contributions = explanations.contributions
        else:
            raw = np.empty(len(frame), dtype=np.float64)
            for fold in np.unique(folds):
                rows = folds == fold
                model = self.final_model if fold < 0 else self.fold_models[int(fold)]
                raw[rows] = model.predict(
                    make_pool(frame[rows], self.feature_names, self.categorical),
                    prediction_type="RawFormulaVal",
                )
        probabilities = self.probability(raw)
        return Scored(
            ids=ids,
            raw_scores=np.asarray(raw, dtype=np.float64),
            base_values=base_values,
            probabilities=probabilities,
            decisions=self.decide(probabilities),
            risk_bands=self.risk_band(probabilities),
            folds=folds,
            contributions=contributions,
            feature_names=self.feature_names,
        )

    def edited_features(
        self,
        application: pd.DataFrame,
        stored_features: Mapping[str, object],
        edits: Sequence[Mapping[str, float]],
    ) -> pd.DataFrame:
        """Feature rows of one client's application with each set of ``edits`` applied.

        ``application`` is the client's raw application row (Kaggle columns, one row);
        ``stored_features`` their feature values by name (side-table features are kept as they
        are: an edit of the application cannot change the client's history). The application's
        own features are rebuilt by the pipeline's feature code, one row per edit set.
        """
        from credit_scoring.features import build_application_features

        if len(application) != 1:
            raise ValueError(f"one application row expected, got {len(application)}")
        rows = application.loc[application.index.repeat(len(edits))].reset_index(drop=True)
        for column in {column for changes in edits for column in changes}:
            if column not in rows.columns:
                raise DataError(f"{column} is not a column of the application")
            values = rows[column].to_numpy(dtype=np.float64, na_value=np.nan, copy=True)
            for position, changes in enumerate(edits):
                if column in changes:
                    values[position] = float(changes[column])
            if pd.api.types.is_integer_dtype(rows[column].dtype):
                if not np.all(np.isnan(values) | (values == np.round(values))):
                    raise DataError(f"{column} must be a whole number")
                limits = np.iinfo(rows[column].dtype)
                if np.any(~np.isnan(values) & ((values < limits.min) | (values > limits.max))):
                    # a cast would wrap around silently (1e30 children -> -2,147,483,648)
                    raise DataError(f"{column} is too large: give a possible value")
                if not np.isnan(values).any():
                    values = values.astype(rows[column].dtype)
            rows[column] = values
        rebuilt = build_application_features(rows)
        if rebuilt.index.name == APPLICANT_KEY:
            rebuilt = rebuilt.reset_index()
        rebuilt = rebuilt.reset_index(drop=True)
        columns = {}
        for name in self.feature_names:
            if name in rebuilt.columns:
                columns[name] = rebuilt[name].to_numpy()
            else:
                columns[name] = np.repeat(
                    np.asarray([stored_features.get(name)], dtype=object), len(edits)
                )
        frame = pd.DataFrame(columns)
        frame.insert(0, APPLICANT_KEY, rows[APPLICANT_KEY].to_numpy(np.int64))
        return frame

    def score_edits(
        self,
        application: pd.DataFrame,
        stored_features: Mapping[str, object],
        edits: Sequence[Mapping[str, float]],
        explain: bool = False,
    ) -> tuple[Scored, pd.DataFrame]:
        """Score one client's application under each set of edits (raw Kaggle columns → new
        values), by the client's own model; returns the scores and the feature rows."""
        frame = self.edited_features(application, stored_features, edits)
        return self.score(frame, explain=explain), frame

    # ----- reasons --------------------------------------------------------------------------
    def principal_reasons(
        self,
        contributions_row,
        feature_values: Mapping[str, object] | pd.Series,
        lang: str = "fr",
    ) -> list[PrincipalReason]:
        """The principal reasons raising the risk of one row (at most four, with codes)."""
        return principal_reasons(
            contributions_row, self.feature_names, feature_values, self.catalog, lang
        )

    def reasons(
        self,
        contributions_row,
        feature_values: Mapping[str, object] | pd.Series,
        n: int = 4,
        lang: str = "fr",
    ) -> list[Reason]:
        """The ``n`` largest contributions of one row as plain-language reasons."""
        return top_reasons(
            contributions_row, self.feature_names, feature_values, self.catalog, n, lang
        )


def client_record(artifacts_dir: Path | str, client_id: int) -> tuple[pd.DataFrame, dict]:
    """One client's raw application row (applications.parquet) and feature values
    (features.parquet) from the artifacts; UnknownClientError when the id is not there."""
    from credit_scoring.artifacts import APPLICATIONS, FEATURES
    from credit_scoring.errors import UnknownClientError

    try:
        client_id = int(client_id)
    except (TypeError, ValueError):
        raise UnknownClientError(f"'{client_id}' is not a client number (SK_ID_CURR)") from None
    artifacts_dir = Path(artifacts_dir)
    found = {}
    for name in (APPLICATIONS, FEATURES):
        path = artifacts_dir / name
        if not path.is_file():
            raise ArtifactError(f"{name} is missing from {artifacts_dir}: {TO_BUILD}")
        found[name] = pd.read_parquet(path, filters=[(APPLICANT_KEY, "==", client_id)])
    if found[FEATURES].empty or found[APPLICATIONS].empty:
        raise UnknownClientError(
            f"client {client_id} is not in the artifacts of {artifacts_dir}: check the number"
        )
    features = found[FEATURES].iloc[0]
    stored = {name: (None if pd.isna(value) else value) for name, value in features.items()}
    return found[APPLICATIONS].iloc[[0]].reset_index(drop=True), stored
