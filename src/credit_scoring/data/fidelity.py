"""How close a synthetic Home Credit dataset is to a real one (e.g. the shared Kaggle sample).

``compare_with_real`` measures, for every application column, the missing rate on both sides and a
marginal distance (Kolmogorov-Smirnov statistic for numbers, total variation distance for
categories), the default rates, the side-table rows per applicant, and "train on synthetic, test
on real": a simple model fit on the synthetic applications ranks the real applicants, and its ROC
AUC says whether the synthetic data teaches the same lessons as the real data.

Both datasets are read through the data layer (:mod:`credit_scoring.data.reading`), so either may
be a folder of the Kaggle CSV files or the Kaggle archive, with the schema's types. By default the
synthetic side is the repository's ``data/raw`` (the embedded demo data, ``make data``) and the
real side ``data/kaggle`` (where to put the Kaggle files or ``home-credit-default-risk.zip``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score

from credit_scoring.artifacts import DEFAULT_DATA_DIR, PROJECT_ROOT
from credit_scoring.data import schema
from credit_scoring.data.reading import DataSource, TableFile, load_table
from credit_scoring.errors import DataError

#: Where the synthetic data is by default: the repository's data/raw (the embedded demo data).
DEFAULT_SYNTHETIC_DIR = DEFAULT_DATA_DIR
#: Where the real Kaggle files (or their zip archive) are looked for by default.
DEFAULT_REAL_DIR = PROJECT_ROOT / "data" / "kaggle"

#: The note attached to side-table counts: the real sample's side tables are random samples.
SAMPLED_SIDE_TABLES_NOTE = (
    "The real sample's side tables are random samples of Kaggle's tables, so their rows per "
    "applicant are not comparable with a complete (synthetic or Kaggle) dataset; the full "
    "Kaggle figure is given instead."
)

#: Rows per applicant in the complete Kaggle data (356,255 applicants).
KAGGLE_ROWS_PER_APPLICANT = {
    "bureau": 1_716_428 / 356_255,
    "bureau_balance": 27_299_925 / 356_255,
    "previous_application": 1_670_214 / 356_255,
    "POS_CASH_balance": 10_001_358 / 356_255,
    "installments_payments": 13_605_401 / 356_255,
    "credit_card_balance": 3_840_312 / 356_255,
}

#: Below this share of rows linked to a parent, a real side table is taken for a random sample.
_LINKED_THRESHOLD = 0.9


@dataclass
class FidelityReport:
    """The outcome of ``compare_with_real``: headline numbers and detail tables.

    Attributes
    ----------
    columns:
        One row per application column: kind, missing rate (synthetic, real, difference),
        distance (KS statistic or total variation distance) and which one it is.
    side_tables:
        One row per side table: rows and rows per applicant on both sides, the full-Kaggle figure,
        and whether the real side is a random sample (then not comparable).
    default_rate_synthetic, default_rate_real:
        Share of TARGET = 1 in each application_train.
    train_on_synthetic_auc:
        ROC AUC on the real applicants of a model trained on the synthetic applicants.
    real_external_scores_auc:
        ROC AUC of the real applicants' own external scores (mean of EXT_SOURCE_*), for scale.
    notes:
        What the reader should know to read the numbers.
    """

    columns: pd.DataFrame
    side_tables: pd.DataFrame
    default_rate_synthetic: float
    default_rate_real: float
    train_on_synthetic_auc: float
    real_external_scores_auc: float
    n_synthetic_applicants: int
    n_real_applicants: int
    notes: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, float | int]:
        """Headline numbers, one value each."""
        numeric = self.columns[self.columns["kind"] == "numeric"]
        categorical = self.columns[self.columns["kind"] == "categorical"]
        return {
            "synthetic_applicants": self.n_synthetic_applicants,
            "real_applicants": self.n_real_applicants,
            "default_rate_synthetic": self.default_rate_synthetic,
            "default_rate_real": self.default_rate_real,
            "columns_with_gaps_synthetic": int((self.columns["missing_synthetic"] > 0).sum()),
            "columns_with_gaps_real": int((self.columns["missing_real"] > 0).sum()),
            "mean_abs_missing_rate_difference": float(
                self.columns["missing_difference"].abs().mean()
            ),
            "median_ks_numeric": float(numeric["distance"].median()),
            "median_tvd_categorical": float(categorical["distance"].median()),
            "train_on_synthetic_test_on_real_auc": self.train_on_synthetic_auc,
            "real_external_scores_auc": self.real_external_scores_auc,
        }


def _source(folder: str | os.PathLike, side: str) -> DataSource:
    try:
        return DataSource(folder)
    except DataError as error:
        what = (
            "generate it with `make data` or `credit-scoring generate --out DIR`"
            if side == "synthetic"
            else f"put the Kaggle files (or {schema.KAGGLE_ARCHIVE}) in {DEFAULT_REAL_DIR} "
            "or give the folder that holds them"
        )
        raise DataError(
            f"The fidelity check needs the {side} data, and {folder} does not hold it: {what}."
        ) from error


def read_applications(
    source: str | os.PathLike | DataSource, columns: list[str] | None = None
) -> pd.DataFrame:
    """application_train of a folder or archive, through the data layer (the schema's types);
    DataError when it is missing or unreadable."""
    return load_table(source, "application_train", columns)


def ks_statistic(first: np.ndarray, second: np.ndarray) -> float:
    """Two-sample Kolmogorov-Smirnov statistic (largest gap between the two empirical CDFs)."""
    first = np.sort(np.asarray(first, dtype=np.float64))
    second = np.sort(np.asarray(second, dtype=np.float64))
    if first.size == 0 or second.size == 0:
        return float("nan")
    grid = np.concatenate([first, second])
    cdf_first = np.searchsorted(first, grid, side="right") / first.size
    cdf_second = np.searchsorted(second, grid, side="right") / second.size
    return float(np.max(np.abs(cdf_first - cdf_second)))


def total_variation_distance(first: pd.Series, second: pd.Series) -> float:
    """Half the L1 distance between the level frequencies of two categorical samples."""
    share_first = first.dropna().astype(str).value_counts(normalize=True)
    share_second = second.dropna().astype(str).value_counts(normalize=True)
    if share_first.empty or share_second.empty:
        return float("nan")
    shares = pd.concat([share_first, share_second], axis=1).fillna(0.0)
    return float(0.5 * (shares.iloc[:, 0] - shares.iloc[:, 1]).abs().sum())


def compare_columns(synthetic: pd.DataFrame, real: pd.DataFrame) -> pd.DataFrame:
    """Per shared application column: missing rates and marginal distance, synthetic vs real."""
    rows = []
    kinds = schema.APPLICATION_TRAIN_COLUMNS
    for column in [c for c in synthetic.columns if c in real.columns]:
        kind = kinds.get(column, schema.FLOAT)
        categorical = kind == schema.CATEGORY
        if column == schema.APPLICANT_KEY:
            continue
        if categorical:
            distance = total_variation_distance(synthetic[column], real[column])
        else:
            distance = ks_statistic(
                pd.to_numeric(synthetic[column], errors="coerce").dropna().to_numpy(),
                pd.to_numeric(real[column], errors="coerce").dropna().to_numpy(),
            )
        missing_synthetic = float(synthetic[column].isna().mean())
        missing_real = float(real[column].isna().mean())
        rows.append(
            {
                "column": column,
                "kind": "categorical" if categorical else "numeric",
                "missing_synthetic": missing_synthetic,
                "missing_real": missing_real,
                "missing_difference": missing_synthetic - missing_real,
                "distance": distance,
                "distance_measure": "total variation" if categorical else "Kolmogorov-Smirnov",
            }
        )
    return pd.DataFrame(rows)


def _count_data_lines(table_file: TableFile) -> int:
    """Rows of a CSV file (lines but the header), read in blocks: files may be gigabytes."""
    with table_file.open() as handle:
        newlines = sum(block.count(b"\n") for block in iter(lambda: handle.read(1 << 24), b""))
    return newlines - 1


def _key_values(source: DataSource, table: str, column: str) -> np.ndarray:
    return load_table(source, table, [column])[column].to_numpy()


def linked_share(folder: str | os.PathLike | DataSource, table: str) -> float:
    """Share of a side table's rows whose parent key is in the folder's parent table.

    1.0 for a complete dataset; far lower for a random sample of each table (like the shared
    Kaggle sample), where most rows belong to applicants or credits the folder does not hold.
    """
    source = _as_source(folder)
    spec = schema.TABLES[table]
    column, parent = spec.parent_keys[0]
    parents = schema.APPLICATIONS if parent == "applications" else (parent,)
    present = [name for name in parents if source.find(name) is not None]
    if not present:
        return float("nan")
    known = np.concatenate([_key_values(source, name, column) for name in present])
    keys = _key_values(source, table, column)
    return float(np.isin(keys, known).mean()) if keys.size else float("nan")


def compare_side_tables(
    synthetic_dir: str | os.PathLike | DataSource,
    real_dir: str | os.PathLike | DataSource,
    synthetic_applicants: int,
    real_applicants: int,
) -> pd.DataFrame:
    """Rows and rows per applicant of each side table, with the full-Kaggle figure for scale.

    ``real_is_sample`` is true when fewer than 90% of the real table's rows link to a parent
    in the real folder: its rows per applicant then say nothing about the real proportions.
    """
    sources = {
        "synthetic": _as_source(synthetic_dir),
        "real": _as_source(real_dir),
    }
    records = []
    for table in schema.SIDE_TABLES:
        record = {"table": table}
        for side, applicants in (("synthetic", synthetic_applicants), ("real", real_applicants)):
            table_file = sources[side].find(table)
            rows = _count_data_lines(table_file) if table_file is not None else None
            record[f"rows_{side}"] = rows
            record[f"rows_per_applicant_{side}"] = rows / applicants if rows else np.nan
            record[f"linked_share_{side}"] = linked_share(sources[side], table) if rows else np.nan
        record["rows_per_applicant_kaggle"] = KAGGLE_ROWS_PER_APPLICANT[table]
        record["real_is_sample"] = bool(record["linked_share_real"] < _LINKED_THRESHOLD)
        records.append(record)
    return pd.DataFrame(records)


def _model_frame(table: pd.DataFrame, columns: list[str], categories: dict) -> pd.DataFrame:
    frame = table.reindex(columns=columns).copy()
    for column, levels in categories.items():
        values = frame[column].astype("string")
        # A level the synthetic data never shows counts as missing.
        values = values.where(values.isin(levels))
        frame[column] = pd.Categorical(values, categories=levels)
    return frame


def train_on_synthetic_test_on_real(
    synthetic: pd.DataFrame, real: pd.DataFrame, seed: int = 0
) -> float:
    """ROC AUC on the real applicants of a gradient-boosting model fit on synthetic applicants.

    The model uses the application columns both tables share (categorical columns with the
    synthetic levels; a real level the synthetic data never shows counts as missing).
    """
    if real[schema.TARGET].nunique() < 2:
        raise DataError(
            "The real application_train has a single TARGET value: the train-on-synthetic, "
            "test-on-real AUC needs both defaulters and non-defaulters in the real sample."
        )
    features = [
        c
        for c in synthetic.columns
        if c in real.columns and c not in (schema.APPLICANT_KEY, schema.TARGET)
    ]
    categorical = [
        c for c in features if schema.APPLICATION_TRAIN_COLUMNS.get(c) == schema.CATEGORY
    ]
    categories = {
        c: sorted(synthetic[c].dropna().astype(str).unique().tolist()) for c in categorical
    }
    train = _model_frame(synthetic, features, categories)
    test = _model_frame(real, features, categories)
    model = HistGradientBoostingClassifier(
        max_iter=300,
        learning_rate=0.05,
        max_leaf_nodes=15,
        categorical_features="from_dtype",
        random_state=seed,
    )
    model.fit(train, synthetic[schema.TARGET].to_numpy())
    return float(roc_auc_score(real[schema.TARGET], model.predict_proba(test)[:, 1]))


def external_scores_auc(applications: pd.DataFrame) -> float:
    """ROC AUC of the mean external score (EXT_SOURCE_1..3, ignoring gaps) as a risk ranking."""
    scores = applications[["EXT_SOURCE_1", "EXT_SOURCE_2", "EXT_SOURCE_3"]].mean(axis=1)
    known = scores.notna()
    return float(roc_auc_score(applications.loc[known, schema.TARGET], -scores[known]))


def compare_with_real(
    synthetic_dir: str | os.PathLike = DEFAULT_SYNTHETIC_DIR,
    real_dir: str | os.PathLike = DEFAULT_REAL_DIR,
    seed: int = 0,
) -> FidelityReport:
    """Compare a synthetic dataset with a real one (each a folder of the Kaggle CSV files or the
    Kaggle archive), read through the data layer.

    Raises ``DataError``, saying what to do, when either folder does not exist or lacks
    application_train.csv.
    """
    synthetic_source = _source(synthetic_dir, "synthetic")
    real_source = _source(real_dir, "real")
    synthetic = read_applications(synthetic_source)
    real = read_applications(real_source)
    columns = compare_columns(synthetic, real)
    synthetic_applicants = len(synthetic) + _count_rows(synthetic_source, "application_test")
    real_applicants = len(real) + _count_rows(real_source, "application_test")
    side_tables = compare_side_tables(
        synthetic_source, real_source, synthetic_applicants, real_applicants
    )
    notes = []
    if side_tables["real_is_sample"].any():
        notes.append(SAMPLED_SIDE_TABLES_NOTE)
    return FidelityReport(
        columns=columns,
        side_tables=side_tables,
        default_rate_synthetic=float(synthetic[schema.TARGET].mean()),
        default_rate_real=float(real[schema.TARGET].mean()),
        train_on_synthetic_auc=train_on_synthetic_test_on_real(synthetic, real, seed=seed),
        real_external_scores_auc=external_scores_auc(real),
        n_synthetic_applicants=synthetic_applicants,
        n_real_applicants=real_applicants,
        notes=notes,
    )


def _as_source(folder: str | os.PathLike | DataSource) -> DataSource:
    return folder if isinstance(folder, DataSource) else DataSource(folder)


def _count_rows(source: DataSource, table: str) -> int:
    table_file = source.find(table)
    return _count_data_lines(table_file) if table_file is not None else 0
