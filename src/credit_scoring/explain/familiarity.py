"""Unfamiliar clients: applicants unlike the population the model learned from.

Two reasons, either of which flags a client:

- far from the known-outcome clients: the mean distance to the ``k`` nearest known-outcome
  clients in the similar-clients space (explain/neighbours.py: standardized key features) is
  beyond the ``distance_quantile`` (99th percentile) of the same distance among the training
  clients themselves, each measured leave-one-out (without itself);
- outside the training range: on one of the key features, a value below the 0.5th or above the
  99.5th percentile of the known-outcome clients (missing values are never outside).

The result is a per-applicant table (``familiarity.parquet``) and the thresholds
(``familiarity.json``), computed by the pipeline's explain step and read by the dashboard, which
shows a warning beside the score of a flagged client.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from credit_scoring.data.schema import APPLICANT_KEY
from credit_scoring.errors import ArtifactError, EmptyGroupError
from credit_scoring.explain.neighbours import SimilarSpace
from credit_scoring.progress import progress

DEFAULT_K = 10
DISTANCE_QUANTILE = 0.99
RANGE_QUANTILES = (0.005, 0.995)
#: Clients per batch of neighbour queries (one progress step).
QUERY_BATCH = 20_000
#: Reasons in the table's ``reason`` column.
FAR = "far_from_known_clients"
OUT_OF_RANGE = "outside_training_range"
FAMILIARITY_COLUMNS = (
    APPLICANT_KEY,
    "neighbour_distance",
    "far_from_known_clients",
    "outside_range_features",
    "unfamiliar",
    "reason",
)


@dataclass
class FamiliarityThresholds:
    """What decides that a client is unfamiliar (familiarity.json)."""

    k: int
    distance_quantile: float
    distance_threshold: float
    range_quantiles: tuple[float, float]
    #: feature -> [low, high]: values outside are flagged.
    ranges: dict[str, list[float]]
    training_clients: int

    def to_dict(self) -> dict:
        """JSON-ready content."""
        return asdict(self) | {"range_quantiles": list(self.range_quantiles)}


def _mean_neighbour_distance(space: SimilarSpace, vectors: np.ndarray, k: int, skip_self: bool):
    """Mean distance of each vector to its ``k`` nearest known-outcome clients, in batches whose
    progress is shown (the whole population at the Kaggle size takes a minute or two)."""
    wanted = min(len(space.ids), k + int(skip_self))
    means = np.zeros(len(vectors))
    with progress(len(vectors), "unfamiliar clients", unit="client") as bar:
        for start in range(0, len(vectors), QUERY_BATCH):
            distances, _ = space.nearest(vectors[start : start + QUERY_BATCH], wanted)
            if skip_self:
                # The client itself is at distance 0 among its own neighbours: drop one zero.
                distances = distances[:, 1:]
            if distances.shape[1]:
                means[start : start + len(distances)] = distances.mean(axis=1)
            bar.update(len(distances))
    return means


def fit_familiarity(
    space: SimilarSpace,
    known_values: pd.DataFrame,
    k: int = DEFAULT_K,
    distance_quantile: float = DISTANCE_QUANTILE,
    range_quantiles: tuple[float, float] = RANGE_QUANTILES,
) -> FamiliarityThresholds:
    """The thresholds from the known-outcome clients: ``space`` (their standardized key features)
    and ``known_values`` (their raw key-feature values, any row order)."""
    if len(space.ids) < 2:
        raise EmptyGroupError(
            "at least two known-outcome clients are needed to tell which clients are unfamiliar"
        )
    if k < 1:
        raise EmptyGroupError(f"the number of neighbours must be at least 1 (got {k})")
    k = min(k, len(space.ids) - 1)
    distances = _mean_neighbour_distance(space, space.matrix, k, skip_self=True)
    ranges = {}
    for name in space.feature_names:
        values = pd.to_numeric(known_values[name], errors="coerce").to_numpy(np.float64)
        values = values[np.isfinite(values)]
        if len(values):
            low, high = np.quantile(values, range_quantiles)
            ranges[name] = [float(low), float(high)]
    return FamiliarityThresholds(
        k=int(k),
        distance_quantile=float(distance_quantile),
        distance_threshold=float(np.quantile(distances, distance_quantile)),
        range_quantiles=(float(range_quantiles[0]), float(range_quantiles[1])),
        ranges=ranges,
        training_clients=int(len(space.ids)),
    )


def _check_columns(frame: pd.DataFrame, space: SimilarSpace) -> None:
    missing = [name for name in space.feature_names if name not in frame]
    if missing:
        raise ArtifactError(
            f"the feature table lacks the similar-clients features {', '.join(missing)}: "
            "rebuild the artifacts with the pipeline"
        )


def assess_familiarity(
    space: SimilarSpace,
    thresholds: FamiliarityThresholds,
    frame: pd.DataFrame,
    known_ids: Sequence[int] | None = None,
) -> pd.DataFrame:
    """Per applicant of ``frame`` (SK_ID_CURR and the key features, raw values): the mean distance
    to the k nearest known-outcome clients, whether it is beyond the threshold, the key features
    outside the training range (comma-separated), ``unfamiliar`` and the ``reason`` (FAR,
    OUT_OF_RANGE, both joined by "+", or "").

    A client of the space (``known_ids``, default the space's ids) is measured without itself.
    """
    _check_columns(frame, space)
    ids = frame[APPLICANT_KEY].to_numpy(np.int64)
    raw = frame[space.feature_names].apply(pd.to_numeric, errors="coerce").to_numpy(np.float64)
    vectors = space.standardize(raw)
    known = np.isin(ids, space.ids if known_ids is None else np.asarray(known_ids))
    distance = np.empty(len(frame), dtype=np.float64)
    for skip_self in (True, False):
        rows = known if skip_self else ~known
        if rows.any():
            distance[rows] = _mean_neighbour_distance(space, vectors[rows], thresholds.k, skip_self)
    far = distance > thresholds.distance_threshold
    outside = np.zeros((len(frame), len(space.feature_names)), dtype=bool)
    for column, name in enumerate(space.feature_names):
        if name in thresholds.ranges:
            low, high = thresholds.ranges[name]
            with np.errstate(invalid="ignore"):
                outside[:, column] = (raw[:, column] < low) | (raw[:, column] > high)
    names = np.asarray(space.feature_names, dtype=object)
    outside_features = [", ".join(names[row]) for row in outside]
    any_outside = outside.any(axis=1)
    reason = np.where(
        far & any_outside,
        f"{FAR}+{OUT_OF_RANGE}",
        np.where(far, FAR, np.where(any_outside, OUT_OF_RANGE, "")),
    )
    return pd.DataFrame(
        {
            APPLICANT_KEY: ids,
            "neighbour_distance": distance.astype(np.float32),
            "far_from_known_clients": far,
            "outside_range_features": pd.array(outside_features, dtype="str"),
            "unfamiliar": far | any_outside,
            "reason": pd.array(reason, dtype="str"),
        }
    )


def familiarity_table(
    frame: pd.DataFrame,
    space: SimilarSpace,
    k: int = DEFAULT_K,
    distance_quantile: float = DISTANCE_QUANTILE,
    range_quantiles: tuple[float, float] = RANGE_QUANTILES,
) -> tuple[pd.DataFrame, FamiliarityThresholds]:
    """The explain step's entry point: thresholds fit on the space's known-outcome clients, and
    the per-applicant table of every row of the feature frame (in its order).

    ``frame`` is features.parquet (SK_ID_CURR and at least the space's features); ``space`` the
    similar-clients space built from it (explain.neighbours.build_similar_space).
    """
    _check_columns(frame, space)
    known_rows = frame[frame[APPLICANT_KEY].isin(space.ids)]
    thresholds = fit_familiarity(space, known_rows, k, distance_quantile, range_quantiles)
    return assess_familiarity(space, thresholds, frame), thresholds


def save_familiarity(
    table: pd.DataFrame, thresholds: FamiliarityThresholds, artifacts_dir: Path | str
) -> list[Path]:
    """Write familiarity.parquet (the table) and familiarity.json (the thresholds)."""
    from credit_scoring.artifacts import FAMILIARITY, FAMILIARITY_THRESHOLDS, write_json_artifact

    artifacts_dir = Path(artifacts_dir)
    artifacts_dir.mkdir(parents=True, exist_ok=True)
    table_path = artifacts_dir / FAMILIARITY
    table.loc[:, list(FAMILIARITY_COLUMNS)].to_parquet(table_path, index=False)
    json_path = write_json_artifact(artifacts_dir, FAMILIARITY_THRESHOLDS, thresholds.to_dict())
    return [table_path, json_path]


def thresholds_from_dict(content: Mapping) -> FamiliarityThresholds:
    """FamiliarityThresholds from familiarity.json's content."""
    return FamiliarityThresholds(
        k=int(content["k"]),
        distance_quantile=float(content["distance_quantile"]),
        distance_threshold=float(content["distance_threshold"]),
        range_quantiles=tuple(content["range_quantiles"]),
        ranges={name: list(bounds) for name, bounds in content["ranges"].items()},
        training_clients=int(content["training_clients"]),
    )


def load_familiarity(artifacts_dir: Path | str) -> tuple[pd.DataFrame, FamiliarityThresholds]:
    """familiarity.parquet and familiarity.json of an artifacts folder (ArtifactError, saying
    how to build them, when missing or unreadable)."""
    from credit_scoring.artifacts import (
        FAMILIARITY,
        FAMILIARITY_THRESHOLDS,
        read_json_artifact,
        read_parquet_artifact,
    )

    to_build = "run the explain step of the pipeline (`credit-scoring pipeline --steps explain`)"
    path = Path(artifacts_dir) / FAMILIARITY
    table = read_parquet_artifact(artifacts_dir, FAMILIARITY, to_build=to_build)
    try:
        thresholds = thresholds_from_dict(
            read_json_artifact(artifacts_dir, FAMILIARITY_THRESHOLDS, to_build)
        )
    except (OSError, ValueError, KeyError) as error:
        raise ArtifactError(
            f"{path.parent} has an unreadable familiarity artifact ({error}): {to_build}"
        ) from None
    return table, thresholds


def describe_familiarity(
    row: Mapping, lang: str = "fr", labels: Mapping[str, str] | None = None
) -> str | None:
    """The warning shown beside an unfamiliar client's score, in plain words with its reasons
    (``row``: one row of the familiarity table; ``labels``: feature name → label in ``lang``);
    None for a client like the training population."""
    from credit_scoring.i18n import translate

    if not bool(row["unfamiliar"]):
        return None
    labels = labels or {}
    reasons = []
    if bool(row["far_from_known_clients"]):
        reasons.append(translate(f"familiarity.reason.{FAR}", lang))
    features = [name for name in str(row["outside_range_features"]).split(", ") if name]
    if features:
        named = ", ".join(labels.get(name, name) for name in features)
        reasons.append(translate(f"familiarity.reason.{OUT_OF_RANGE}", lang, features=named))
    return f"{translate('familiarity.warning', lang)} ({'; '.join(reasons)})"
