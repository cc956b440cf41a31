"""Scoring a folder of applications with the trained artifacts (``credit-scoring score``).

New applications (application_test format, with whatever side tables exist) go through the very
same feature code as training (credit_scoring.features.build_features), are aligned to the
model's feature list and scored by the Scorer (scoring/scorer.py): calibrated, decided at the
business threshold, and explained by their top reasons. A past client (an applicant of the
training data) gets their out-of-fold score, as on the dashboard.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from credit_scoring.data.schema import (
    APPLICANT_KEY,
    CATEGORY,
    FLAG,
    ID,
    INT,
    KIND_DTYPES,
    TABLES,
    TARGET,
)
from credit_scoring.data.validation import ANY_APPLICATION
from credit_scoring.errors import DataError
from credit_scoring.explain.principal_reasons import MAX_PRINCIPAL_REASONS
from credit_scoring.explain.reasons import summarize_reasons
from credit_scoring.i18n import check_language, translate
from credit_scoring.model.training import NON_FEATURE_COLUMNS
from credit_scoring.scoring.inputs import (
    NO_REFERENCE,
    InputFinding,
    check_applications,
    refused_rows,
)
from credit_scoring.scoring.scorer import Scorer

NEW_APPLICATIONS = "application_test"
OUTPUT_SUFFIXES = (".csv", ".parquet")
#: The decision of an application holding an impossible value: it is not scored.
NOT_SCORED = "not_scored"
#: The columns saying what was found about the inputs (see score_applications).
INPUT_COLUMNS = ("errors", "error_codes", "warnings", "warning_codes")


def feature_sources(catalog: Mapping) -> dict[str, str]:
    """The source table of each feature of a feature catalog (feature_catalog.json format)."""
    return {entry["name"]: entry.get("source") for entry in catalog.get("features", [])}


def untrained_tables(
    produced: Iterable[str],
    training_columns: Sequence[str],
    catalog: Mapping,
    new_sources: Mapping[str, str],
) -> dict[str, list[str]]:
    """Side tables absent from the training data but present now, with their new features.

    A feature built from the new data but unknown to the model is explained when its source table
    (``new_sources``, from the new data's catalog) gave no feature at all to the training columns
    (``catalog``, the artifacts' catalog): that table was missing when the model was trained, so
    the model cannot use it. Any other unknown feature means the feature code changed.
    """
    trained = set(training_columns)
    trained_sources = {
        source for name, source in feature_sources(catalog).items() if name in trained
    }
    found: dict[str, list[str]] = {}
    for name in produced:
        source = new_sources.get(name)
        if name in trained or name in NON_FEATURE_COLUMNS or source in (None, "application"):
            continue
        if source not in trained_sources:
            found.setdefault(source, []).append(name)
    return found


def _parents(table: str) -> set[str]:
    return {parent for _, parent in TABLES[table].parent_keys}


def unusable_tables(absent: Iterable[str]) -> set[str]:
    """Side tables that are there but cannot be used because every table linking their rows to
    an applicant is absent (bureau_balance reaches applicants only through bureau)."""
    absent = set(absent)
    unusable: set[str] = set()
    changed = True
    while changed:
        changed = False
        for name in TABLES:
            parents = _parents(name)
            if name in absent or name in unusable or not parents or ANY_APPLICATION in parents:
                continue
            if parents <= absent | unusable:
                unusable.add(name)
                changed = True
    return unusable


def align_features(
    frame: pd.DataFrame,
    model_features: list[str],
    training_columns: list[str],
    catalog: Mapping,
    absent_tables: set[str],
    new_sources: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """The model's input columns of ``frame``, in the model's order.

    A feature that comes from a side table absent from the new data is missing by design (an
    applicant without history there) and is filled with NaN. A feature of a side table that was
    absent from the training data (see :func:`untrained_tables`, given the new data's
    ``new_sources``) is left out: the model never learned it. Any other missing column, or a
    column the training features did not have, means the feature code differs from the one that
    trained the model: DataError.
    """
    sources = feature_sources(catalog)
    produced = [name for name in frame.columns if name not in NON_FEATURE_COLUMNS]
    unused = untrained_tables(produced, training_columns, catalog, new_sources or {})
    explained = {name for names in unused.values() for name in names}
    extra = sorted(set(produced) - set(training_columns) - explained)
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
    Returns one row per application, in the order given: SK_ID_CURR, raw_score,
    default_probability, decision, risk_band, model ("final", or "fold_<k>" for a past client
    scored out-of-fold), principal_reason_<i>_code / principal_reason_<i> (i = 1..4, the grouped
    reasons raising the risk), reason_<i> / reason_<i>_feature / reason_<i>_contribution for the
    ``top_reasons`` largest contributions, a one-sentence summary, then what was found about the
    inputs (scoring/inputs.py): ``errors`` / ``error_codes`` and ``warnings`` /
    ``warning_codes`` (messages in ``lang`` and machine codes "COLUMN:code", each joined by
    "; "). An application holding an impossible value (an income of 0 or less, 2.7 children...)
    is **not scored**: decision "not_scored", empty probability, its ``errors`` say why. An
    implausible value (far outside the training range, a level never seen), a side table absent
    from the data while the model uses it, or artifacts without training ranges give the row a
    warning, and the row is scored. ``.attrs["notes"]`` holds one-line notes for the whole batch.
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
    applications = applications.reset_index(drop=True)
    findings = check_applications(applications, scorer.application_reference)
    refused = refused_rows(findings)
    accepted = np.array([row not in refused for row in range(len(applications))], dtype=bool)

    # Whatever table they came from, the rows go to the feature code as new applications.
    feature_tables = {
        name: frame
        for name, frame in tables.items()
        if name not in ("application_train", NEW_APPLICATIONS)
    }
    feature_tables[NEW_APPLICATIONS] = _schema_types(applications[accepted].reset_index(drop=True))
    absent = {name for name in TABLES if name not in feature_tables}
    unusable = unusable_tables(absent)
    used_sources = {
        source
        for name, source in feature_sources(scorer.catalog).items()
        if name in scorer.feature_names
    }
    batch_codes, batch_messages = [], []
    missing_used = [name for name in TABLES if name in absent and name in used_sources]
    unusable_used = [name for name in TABLES if name in unusable and name in used_sources]
    if missing_used or unusable_used:
        batch_codes.append("missing_side_tables:" + ",".join(missing_used + unusable_used))
        tables_text = ", ".join(missing_used)
        if unusable_used:
            parents = sorted({parent for name in unusable_used for parent in _parents(name)})
            tables_text += " " + translate(
                "inputs.needs_parent",
                lang,
                tables=", ".join(unusable_used),
                parents=", ".join(parents),
            )
        batch_messages.append(translate("inputs.missing_side_tables", lang, tables=tables_text))
    if scorer.application_reference is None:
        batch_codes.append(NO_REFERENCE)
        batch_messages.append(translate(f"inputs.{NO_REFERENCE}", lang))

    if accepted.any():
        feature_set = build_features(feature_tables)
        frame = feature_set.frame
        new_sources = feature_sources(feature_set.catalog)
        unused = untrained_tables(
            frame.columns, scorer.feature_columns, scorer.catalog, new_sources
        )
        if unused:
            batch_codes.append("untrained_tables:" + ",".join(unused))
            batch_messages.append(
                translate("inputs.untrained_tables", lang, tables=", ".join(unused))
            )
        aligned = align_features(
            frame, scorer.feature_names, scorer.feature_columns, scorer.catalog,
            absent | unusable, new_sources,
        )  # fmt: skip
        scored = scorer.score(aligned, explain=True, show_progress=True)
        result = scored.table().drop(columns="base_value", errors="ignore")
        result["model"] = scored.models
        reason_columns = _reason_columns(scorer, scored, aligned, top_reasons, lang)
        result = pd.concat([result, reason_columns], axis=1)
    else:
        result = pd.DataFrame(columns=_output_columns(top_reasons))
    result = _in_application_order(result, applications, top_reasons)
    _add_input_columns(result, findings, batch_codes, batch_messages, lang)
    result.attrs["notes"] = _notes(result, findings, batch_messages)
    return result


def _schema_types(applications: pd.DataFrame) -> pd.DataFrame:
    """The whole-number columns kept as float64 for the row-by-row check back in their schema
    type (once the rows with impossible values are out, their values are whole)."""
    for column, kind in TABLES[NEW_APPLICATIONS].columns.items():
        if column not in applications.columns or kind not in (ID, FLAG, INT):
            continue
        values = applications[column]
        if values.dtype.kind == "f" and not values.isna().any():
            applications[column] = values.astype(KIND_DTYPES[kind])
    return applications


def _output_columns(count: int) -> list[str]:
    columns = [APPLICANT_KEY, "raw_score", "default_probability", "decision", "risk_band", "model"]
    for rank in range(1, MAX_PRINCIPAL_REASONS + 1):
        columns += [f"principal_reason_{rank}_code", f"principal_reason_{rank}"]
    for rank in range(1, count + 1):
        columns += [f"reason_{rank}", f"reason_{rank}_feature", f"reason_{rank}_contribution"]
    return [*columns, "summary"]


def _in_application_order(
    result: pd.DataFrame, applications: pd.DataFrame, count: int
) -> pd.DataFrame:
    """One row per application, in the order given; the refused rows empty but for their id and
    the decision "not_scored"."""
    ids = applications[APPLICANT_KEY].to_numpy(np.int64)
    result = result.set_index(result[APPLICANT_KEY].to_numpy(np.int64)).reindex(ids)
    result[APPLICANT_KEY] = ids
    text = [column for column in result.columns if result[column].dtype.kind not in "fiu"]
    text = [column for column in text if column != APPLICANT_KEY]
    numbers = ["raw_score", "default_probability"] + [
        f"reason_{rank}_contribution" for rank in range(1, count + 1)
    ]
    for column in result.columns:
        if column in numbers:
            result[column] = result[column].astype(np.float64)
        elif column in text:
            result[column] = result[column].fillna("").astype(str)
    not_scored = result["default_probability"].isna().to_numpy()
    result.loc[not_scored, "decision"] = NOT_SCORED
    return result.reset_index(drop=True)


def _add_input_columns(
    result: pd.DataFrame,
    findings: list[InputFinding],
    batch_codes: list[str],
    batch_messages: list[str],
    lang: str,
) -> None:
    """The errors and warnings columns, and the summary of the rows not scored."""
    columns = {name: [[] for _ in range(len(result))] for name in INPUT_COLUMNS}
    for finding in findings:
        kind = "error" if finding.is_error else "warning"
        columns[f"{kind}s"][finding.row].append(finding.message(lang))
        columns[f"{kind}_codes"][finding.row].append(f"{finding.column}:{finding.code}")
    for row in range(len(result)):
        columns["warnings"][row] += batch_messages
        columns["warning_codes"][row] += batch_codes
    for name, values in columns.items():
        result[name] = ["; ".join(value) for value in values]
    not_scored = (result["decision"] == NOT_SCORED).to_numpy()
    result.loc[not_scored, "summary"] = [
        translate("inputs.not_scored", lang, reasons=errors)
        for errors in result.loc[not_scored, "errors"]
    ]


def _notes(result: pd.DataFrame, findings: list[InputFinding], batch_messages: list[str]):
    """One line per thing the person running the batch must know, for the console."""
    notes = []
    not_scored = int((result["decision"] == NOT_SCORED).sum())
    if not_scored:
        notes.append(
            f"{not_scored:,} application(s) not scored: impossible values (see the errors column)"
        )
    refused = refused_rows(findings)
    flagged = {finding.row for finding in findings if finding.row not in refused}
    if flagged:
        notes.append(
            f"{len(flagged):,} application(s) scored with a warning: values far outside the "
            "training range or never seen in training (see the warnings column)"
        )
    notes += [f"every application: {message}" for message in batch_messages]
    return notes


#: Contributions the one-sentence summary speaks of (as on the dashboard).
SUMMARY_REASONS = 3


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
        # the largest contributions once: the listed ones and the summary's first three
        reasons = scorer.reasons(contributions, client_values, max(count, SUMMARY_REASONS), lang)
        for rank in range(1, count + 1):
            reason = reasons[rank - 1] if rank <= len(reasons) else None
            row[f"reason_{rank}"] = f"{reason.label}: {reason.value}" if reason else ""
            row[f"reason_{rank}_feature"] = reason.feature if reason else ""
            row[f"reason_{rank}_contribution"] = reason.contribution if reason else np.nan
        row["summary"] = summarize_reasons(
            reasons[:SUMMARY_REASONS], scored.decisions[position], lang
        )
        rows.append(row)
    return pd.DataFrame(rows)


def check_new_data(tables, per_row_columns: Iterable[str] = ()) -> None:
    """Validate new data like training data, except that application_train may be absent (new
    applications need no training table) and that impossible values, and the numbers of
    ``per_row_columns`` of application_test that are not of their column's type (2.7 children),
    are left to the row-by-row check of scoring (scoring/inputs.py: only those rows are refused);
    DataError listing the problems found."""
    from credit_scoring.data.validation import validate_tables

    per_row = set(per_row_columns)
    report = validate_tables(tables, check_values=False)
    errors = [
        finding
        for finding in report.errors
        if finding.table != "application_train"
        and not (finding.table == NEW_APPLICATIONS and finding.column in per_row)
    ]
    if errors:
        raise DataError(
            f"The new data has {len(errors)} error(s):\n"
            + "\n".join(finding.format() for finding in errors)
        )


def read_new_data(data_dir: Path | str):
    """The tables of a folder of new applications, validated (:func:`check_new_data`), with the
    schema's columns and types, except that the numeric columns of application_test holding
    numbers not of their type (2.7 children, a 1e30 count) are kept as float64 for scoring to
    refuse those rows only. DataError when application_test.csv is absent or a file is broken."""
    from credit_scoring.data.loading import LoadedTables, read_tables

    data_dir = Path(data_dir)
    names = [name for name in TABLES if name != "application_train"]
    loaded = read_tables(data_dir, names, for_validation=True)
    if NEW_APPLICATIONS not in loaded and NEW_APPLICATIONS not in loaded.unreadable:
        raise DataError(
            f"{data_dir} holds no application_test.csv: put the new applications there in the "
            "Kaggle application_test format"
        )
    frames = dict(loaded.items())
    per_row = []
    if NEW_APPLICATIONS in frames:
        applications = frames[NEW_APPLICATIONS].copy()
        for column, kind in TABLES[NEW_APPLICATIONS].columns.items():
            if column == APPLICANT_KEY or kind == CATEGORY or column not in applications:
                continue
            values = applications[column]
            if pd.api.types.is_numeric_dtype(values.dtype):
                continue
            numbers = pd.to_numeric(values, errors="coerce")
            if (numbers.isna() == values.isna()).all():  # numbers, just not of the column's type
                applications[column] = numbers.astype(np.float64)
                per_row.append(column)
        frames[NEW_APPLICATIONS] = applications
    checked = LoadedTables(frames, source=loaded.source, missing=loaded.missing)
    checked.unreadable = loaded.unreadable
    check_new_data(checked, per_row)
    return LoadedTables(
        {
            name: frame[[column for column in frame.columns if column in TABLES[name].columns]]
            for name, frame in frames.items()
        },
        source=loaded.source,
        missing=loaded.missing,
    )


def score_folder(
    artifacts_dir: Path | str,
    data_dir: Path | str,
    out_path: Path | str,
    top_reasons: int = 3,
    lang: str = "fr",
) -> pd.DataFrame:
    """Score application_test.csv of ``data_dir`` (with the side tables found there) and write
    the result to ``out_path`` (.csv or .parquet); see :func:`score_applications` for its
    columns (rows with impossible values are not scored, warnings are carried).

    The artifacts are verified against their manifest before anything else is read.
    """
    out_path = Path(out_path)
    if out_path.suffix.lower() not in OUTPUT_SUFFIXES:
        raise DataError(f"cannot write {out_path}: give an output file ending in .csv or .parquet")
    check_language(lang)
    scorer = Scorer.from_artifacts(artifacts_dir)  # verify=True: a corrupt model is never loaded
    tables = read_new_data(data_dir)
    scored = score_applications(scorer, dict(tables.items()), top_reasons, lang)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    if out_path.suffix.lower() == ".csv":
        scored.to_csv(out_path, index=False)
    else:
        scored.to_parquet(out_path, index=False)
    return scored
