"""Scoring a folder of applications with the trained artifacts (``credit-scoring score``).

New applications (application_test format, with whatever side tables exist) go through the very
same feature code as training (credit_scoring.features.build_features), are aligned to the
model's feature list and scored by the Scorer (scoring/scorer.py): calibrated, decided at the
business threshold, and explained by their top reasons. A past client (an applicant of the
training data) gets their out-of-fold score, as on the dashboard.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from credit_scoring.data.schema import APPLICANT_KEY, TABLES, TARGET
from credit_scoring.errors import DataError
from credit_scoring.explain.principal_reasons import MAX_PRINCIPAL_REASONS
from credit_scoring.explain.reasons import summarize_reasons
from credit_scoring.i18n import check_language
from credit_scoring.model.training import NON_FEATURE_COLUMNS
from credit_scoring.scoring.scorer import Scorer

NEW_APPLICATIONS = "application_test"
OUTPUT_SUFFIXES = (".csv", ".parquet")


def align_features(
    frame: pd.DataFrame,
    model_features: list[str],
    training_columns: list[str],
    catalog: Mapping,
    absent_tables: set[str],
) -> pd.DataFrame:
    """The model's input columns of ``frame``, in the model's order.

    A feature that comes from a side table absent from the new data is missing by design (an
    applicant without history there) and is filled with NaN. Any other missing column, or a
    column the training features did not have, means the feature code differs from the one that
    trained the model: DataError.
    """
    sources = {entry["name"]: entry.get("source") for entry in catalog.get("features", [])}
    produced = [name for name in frame.columns if name not in NON_FEATURE_COLUMNS]
    extra = sorted(set(produced) - set(training_columns))
    if extra:
        raise DataError(
            f"the features built from the new data have column(s) the model was not trained "
            f"with: {', '.join(extra[:10])}. The feature code changed since training: rerun "
            "the pipeline to retrain, then score again"
        )
    missing = [name for name in model_features if name not in frame.columns]
    unexplained = [name for name in missing if sources.get(name) not in absent_tables]
    if unexplained:
        raise DataError(
            f"the features built from the new data lack column(s) the model needs: "
            f"{', '.join(unexplained[:10])}. Check that the new files follow the Kaggle format, "
            "or rerun the pipeline if the feature code changed"
        )
    aligned = frame.reindex(columns=[APPLICANT_KEY, *model_features])
    return aligned


def score_applications(
    artifacts_dir: Path | str | Scorer,
    tables: Mapping[str, pd.DataFrame],
    top_reasons: int = 3,
    lang: str = "fr",
) -> pd.DataFrame:
    """Score the applications of ``tables`` (the Kaggle tables by name: application_test, or
    application_train whose TARGET is then ignored, plus any side tables).

    ``artifacts_dir`` is an artifacts folder (verified against its manifest) or a Scorer.
    Returns one row per applicant: SK_ID_CURR, raw_score, default_probability, decision,
    risk_band, model ("final", or "fold_<k>" for a past client scored out-of-fold),
    principal_reason_<i>_code / principal_reason_<i> (i = 1..4, the grouped reasons raising the
    risk), reason_<i> / reason_<i>_feature / reason_<i>_contribution for the ``top_reasons``
    largest contributions, and a one-sentence summary.
    """
    from credit_scoring.features import build_features

    check_language(lang)
    scorer = (
        artifacts_dir if isinstance(artifacts_dir, Scorer) else Scorer.from_artifacts(artifacts_dir)
    )
    application_name = NEW_APPLICATIONS if NEW_APPLICATIONS in tables else "application_train"
    if application_name not in tables:
        raise DataError(
            "no applications to score: give application_test.csv (the Kaggle format of new "
            "applications) in the data folder"
        )
    applications = tables[application_name].drop(columns=[TARGET], errors="ignore")
    # Whatever table they came from, the rows go to the feature code as new applications.
    feature_tables = {
        name: frame
        for name, frame in tables.items()
        if name not in ("application_train", NEW_APPLICATIONS)
    }
    feature_tables[NEW_APPLICATIONS] = applications
    absent = {name for name in TABLES if name not in feature_tables}
    frame = build_features(feature_tables).frame
    aligned = align_features(
        frame, scorer.feature_names, scorer.feature_columns, scorer.catalog, absent
    )
    scored = scorer.score(aligned, explain=True)
    result = scored.table().drop(columns="base_value", errors="ignore")
    result["model"] = scored.models
    reason_columns = _reason_columns(scorer, scored, aligned, top_reasons, lang)
    return pd.concat([result, reason_columns], axis=1)


def _reason_columns(scorer: Scorer, scored, aligned, count: int, lang: str) -> pd.DataFrame:
    """Per applicant: the principal reasons raising the risk (code and sentence, at most four),
    the ``count`` largest contributions either way, and a one-sentence summary."""
    rows = []
    values = aligned[scorer.feature_names]
    for position in range(len(aligned)):
        client_values = values.iloc[position]
        contributions = scored.contributions[position]
        row = {}
        principal = scorer.principal_reasons(contributions, client_values, lang)
        for rank in range(1, MAX_PRINCIPAL_REASONS + 1):
            reason = principal[rank - 1] if rank <= len(principal) else None
            row[f"principal_reason_{rank}_code"] = reason.code if reason else ""
            row[f"principal_reason_{rank}"] = reason.text if reason else ""
        reasons = scorer.reasons(contributions, client_values, count, lang) if count else []
        for rank in range(1, count + 1):
            reason = reasons[rank - 1] if rank <= len(reasons) else None
            row[f"reason_{rank}"] = f"{reason.label}: {reason.value}" if reason else ""
            row[f"reason_{rank}_feature"] = reason.feature if reason else ""
            row[f"reason_{rank}_contribution"] = reason.contribution if reason else np.nan
        row["summary"] = summarize_reasons(
            scorer.reasons(contributions, client_values, 3, lang), scored.decisions[position], lang
        )
        rows.append(row)
    return pd.DataFrame(rows)


def check_new_data(tables) -> None:
    """Validate new data like training data, except that application_train may be absent (new
    applications need no training table); DataError listing the problems found."""
    from credit_scoring.data.validation import validate_tables

    report = validate_tables(tables)
    errors = [finding for finding in report.errors if finding.table != "application_train"]
    if errors:
        raise DataError(
            f"The new data has {len(errors)} error(s):\n"
            + "\n".join(finding.format() for finding in errors)
        )


def score_folder(
    artifacts_dir: Path | str,
    data_dir: Path | str,
    out_path: Path | str,
    top_reasons: int = 3,
    lang: str = "fr",
) -> pd.DataFrame:
    """Score application_test.csv of ``data_dir`` (with the side tables found there) and write
    the result to ``out_path`` (.csv or .parquet)."""
    from credit_scoring.data import load_tables

    out_path = Path(out_path)
    if out_path.suffix.lower() not in OUTPUT_SUFFIXES:
        raise DataError(f"cannot write {out_path}: give an output file ending in .csv or .parquet")
    data_dir = Path(data_dir)
    names = [name for name in TABLES if name != "application_train"]
    tables = load_tables(data_dir, tables=names, validate=False)
    if NEW_APPLICATIONS not in tables:
        raise DataError(
            f"{data_dir} holds no application_test.csv: put the new applications there in the "
            "Kaggle application_test format"
        )
    check_new_data(tables)
    scored = score_applications(artifacts_dir, dict(tables.items()), top_reasons, lang)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    if out_path.suffix.lower() == ".csv":
        scored.to_csv(out_path, index=False)
    else:
        scored.to_parquet(out_path, index=False)
    return scored
