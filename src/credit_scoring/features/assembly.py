"""The assembly: every source's features joined into one row per applicant, with the catalog,
and the artifacts written for the model and the dashboard (see :mod:`credit_scoring.artifacts`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from credit_scoring import artifacts
from credit_scoring.artifacts import read_features  # noqa: F401 - re-exported for the features API
from credit_scoring.data.schema import APPLICANT_KEY, TARGET
from credit_scoring.errors import DataError
from credit_scoring.features import (
    application,
    bureau,
    credit_card,
    installments,
    pos_cash,
    previous,
)
from credit_scoring.features.aggregation import DEFAULT_ENGINE, check_engine
from credit_scoring.features.catalog import (
    CatalogEntry,
    catalog_as_dict,
    read_catalog_file,
    write_catalog,
)
from credit_scoring.progress import track

#: The side tables, in feature column order, with the feature module of each.
SIDE_SOURCES = (
    "bureau",
    "previous_application",
    "POS_CASH_balance",
    "installments_payments",
    "credit_card_balance",
)
#: Columns of features.parquet before the features.
LEADING_COLUMNS = (APPLICANT_KEY, artifacts.SPLIT, TARGET)


@dataclass
class FeatureSet:
    """The features of every applicant and the catalog that describes them.

    ``frame``: SK_ID_CURR (int32), SPLIT, TARGET (float32, NaN for test rows), then the
    features; training rows first, then test rows, each sorted by SK_ID_CURR.
    ``catalog``: the feature_catalog.json dict. ``sources``: feature names per source table.
    """

    frame: pd.DataFrame
    catalog: dict[str, object]
    sources: dict[str, list[str]] = field(default_factory=dict)

    @property
    def feature_names(self) -> list[str]:
        """The feature columns (everything but SK_ID_CURR, SPLIT and TARGET)."""
        return [c for c in self.frame.columns if c not in LEADING_COLUMNS]

    @property
    def categorical_features(self) -> list[str]:
        """The feature columns that hold text levels (CatBoost's cat_features)."""
        return [
            entry["name"]
            for entry in self.catalog["features"]
            if entry["kind"] == "categorical" and entry["name"] in self.frame.columns
        ]


def combine_applications(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """The raw application rows, train then test (each sorted by SK_ID_CURR), with SPLIT.

    TARGET is kept (float32, NaN for test rows). Raises DataError when there is no application
    table or when an applicant is both in train and test.
    """
    parts, splits = [], []
    for name, split in (
        ("application_train", artifacts.TRAIN),
        ("application_test", artifacts.TEST),
    ):
        if name in tables:
            parts.append(tables[name].sort_values(APPLICANT_KEY, kind="stable"))
            splits += [split] * len(parts[-1])
    if not parts:
        raise DataError(
            "no application rows: give application_train.csv (to train) and/or "
            "application_test.csv (to score new applications)"
        )
    combined = pd.concat(parts, ignore_index=True)
    combined = pd.concat(
        [combined, pd.Series(splits, index=combined.index, dtype="str", name=artifacts.SPLIT)],
        axis=1,
    )
    duplicated = combined[APPLICANT_KEY].duplicated()
    if duplicated.any():
        examples = ", ".join(str(i) for i in combined.loc[duplicated, APPLICANT_KEY].head(3))
        raise DataError(
            f"{int(duplicated.sum())} applicant(s) appear twice in the application rows "
            f"(e.g. SK_ID_CURR {examples}): each applicant must be in application_train or "
            "application_test, once"
        )
    target = (
        combined[TARGET].astype("float32")
        if TARGET in combined
        else pd.Series(np.nan, index=combined.index, dtype="float32")
    )
    leading = [APPLICANT_KEY, artifacts.SPLIT]
    rest = combined[[c for c in combined.columns if c not in (*leading, TARGET)]]
    return pd.concat([combined[leading], target.rename(TARGET), rest], axis=1)


def _side_features(
    tables: Mapping[str, pd.DataFrame],
    applicant_ids: pd.Index,
    recent_months: int,
    engine: str,
) -> tuple[list[pd.DataFrame], list[CatalogEntry], dict[str, list[str]]]:
    frames: list[pd.DataFrame] = []
    entries: list[CatalogEntry] = []
    sources: dict[str, list[str]] = {}
    options = {"recent_months": recent_months, "applicant_ids": applicant_ids, "engine": engine}
    present = [source for source in SIDE_SOURCES if source in tables]
    # A missing side table gives no columns.
    for source in track(present, "side-table features", "table"):
        if source == "bureau":
            balance = tables.get("bureau_balance")
            frame = bureau.build_bureau_features(tables["bureau"], balance, **options)
            source_entries = bureau.catalog_entries(recent_months, balance is not None)
        elif source == "previous_application":
            frame = previous.build_previous_features(tables[source], **options)
            source_entries = previous.catalog_entries(recent_months)
        elif source == "POS_CASH_balance":
            frame = pos_cash.build_pos_cash_features(tables[source], **options)
            source_entries = pos_cash.catalog_entries(recent_months)
        elif source == "installments_payments":
            frame = installments.build_installments_features(tables[source], **options)
            source_entries = installments.catalog_entries(recent_months)
        else:
            frame = credit_card.build_credit_card_features(tables[source], **options)
            source_entries = credit_card.catalog_entries(recent_months)
        frames.append(frame)
        entries += source_entries
        sources[source] = list(frame.columns)
    return frames, entries, sources


def build_features(
    tables: Mapping[str, pd.DataFrame],
    recent_months: int = 12,
    *,
    engine: str = DEFAULT_ENGINE,
) -> FeatureSet:
    """Build every applicant's features from the Kaggle tables (a LoadedTables or a dict).

    Works with application_train and/or application_test; each side table present adds its
    features (a missing one adds none). Applicants with no row in a side table are kept: counts
    0, that source's "no history" flag 1, other aggregates missing. TARGET is carried along,
    never used to build a feature. ``recent_months`` is the recent window of the side tables.
    """
    check_engine(engine)
    if int(recent_months) < 1:
        raise DataError(f"recent_months must be at least 1 month, not {recent_months}")
    recent_months = int(recent_months)
    applications = combine_applications(tables)
    application_features = application.build_application_features(
        applications.drop(columns=[TARGET, artifacts.SPLIT])
    )
    applicant_ids = pd.Index(applications[APPLICANT_KEY].to_numpy(), name=APPLICANT_KEY)
    side_frames, side_entries, sources = _side_features(
        tables, applicant_ids, recent_months, engine
    )
    columns = {
        APPLICANT_KEY: applications[APPLICANT_KEY].astype("int32").to_numpy(),
        artifacts.SPLIT: applications[artifacts.SPLIT].to_numpy(),
        TARGET: applications[TARGET].astype("float32").to_numpy(),
    }
    parts = [pd.DataFrame(columns), application_features.drop(columns=[APPLICANT_KEY])]
    parts += [side.reset_index(drop=True) for side in side_frames]
    frame = pd.concat(parts, axis=1)
    entries = application.CATALOG_ENTRIES + side_entries
    sources = {"application": list(application.FEATURE_NAMES), **sources}
    return FeatureSet(frame=frame, catalog=catalog_as_dict(entries), sources=sources)


def write_feature_artifacts(
    feature_set: FeatureSet,
    applications: pd.DataFrame | Mapping[str, pd.DataFrame],
    artifacts_dir: str | Path,
) -> dict[str, Path]:
    """Write features.parquet, feature_catalog.json and applications.parquet.

    ``applications`` is the raw application rows with SPLIT (see :func:`combine_applications`)
    or the tables they come from. Returns the written paths by artifact name.
    """
    out = Path(artifacts_dir)
    out.mkdir(parents=True, exist_ok=True)
    if not isinstance(applications, pd.DataFrame):
        applications = combine_applications(applications)
    paths = {
        artifacts.FEATURES: out / artifacts.FEATURES,
        artifacts.FEATURE_CATALOG: out / artifacts.FEATURE_CATALOG,
        artifacts.APPLICATIONS: out / artifacts.APPLICATIONS,
    }
    feature_set.frame.to_parquet(paths[artifacts.FEATURES], index=False)
    write_catalog(feature_set.catalog, paths[artifacts.FEATURE_CATALOG])
    applications.to_parquet(paths[artifacts.APPLICATIONS], index=False)
    return paths


def read_feature_catalog(artifacts_dir: str | Path) -> dict[str, object]:
    """Read feature_catalog.json from an artifacts folder (ArtifactError when absent or bad)."""
    return read_catalog_file(Path(artifacts_dir) / artifacts.FEATURE_CATALOG)
