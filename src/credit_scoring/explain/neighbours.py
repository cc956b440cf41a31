"""Similar clients: the k known-outcome applicants nearest to a client on key features.

Choice of space: the ``key_count`` numeric features with the highest global SHAP importance (what
drives the score, in the client's own terms), each standardized to zero mean and unit standard
deviation over the known-outcome applicants, missing values set to the mean (0 after
standardization) and values clipped to +/- 5 so that one extreme value does not dominate the
distance. Euclidean distance in that space; a KD-tree built once (SciPy's, 4 times faster than
scikit-learn's on the Kaggle-size space, and it queries a batch on every core) answers each query
in milliseconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from credit_scoring.artifacts import SPLIT, TRAIN
from credit_scoring.data.schema import APPLICANT_KEY, TARGET
from credit_scoring.errors import ArtifactError, EmptyGroupError, UnknownClientError
from credit_scoring.model.training import categorical_feature_names

DEFAULT_KEY_COUNT = 8
CLIP = 5.0
#: Batches of at least this many vectors are queried on every core.
PARALLEL_BATCH = 1_000


@dataclass
class SimilarSpace:
    """Standardized key features of the known-outcome applicants, with a lazily built KD-tree."""

    ids: np.ndarray
    matrix: np.ndarray
    feature_names: list[str]
    means: np.ndarray
    scales: np.ndarray
    _tree: cKDTree | None = field(default=None, repr=False)

    @property
    def tree(self) -> cKDTree:
        """The KD-tree over the matrix, built on first use."""
        if self._tree is None:
            self._tree = cKDTree(self.matrix)
        return self._tree

    def nearest(self, vectors, count: int) -> tuple[np.ndarray, np.ndarray]:
        """Distances and matrix rows of the ``count`` nearest known-outcome applicants of each
        standardized vector: two arrays of shape (vectors, count), nearest first. A large batch
        is shared among the cores."""
        vectors = np.atleast_2d(np.asarray(vectors, dtype=np.float32))
        workers = -1 if len(vectors) >= PARALLEL_BATCH else 1
        return self.tree.query(vectors, k=list(range(1, count + 1)), workers=workers)

    def standardize(self, values) -> np.ndarray:
        """Standardized vector(s) of raw key-feature values (NaN → mean), in feature order."""
        values = np.asarray(values, dtype=np.float64)
        scaled = (values - self.means) / self.scales
        return np.clip(np.nan_to_num(scaled, nan=0.0), -CLIP, CLIP).astype(np.float32)

    def vector_of(self, frame: pd.DataFrame, client_id: int) -> np.ndarray:
        """Standardized vector of one applicant of the feature frame."""
        rows = frame.loc[frame[APPLICANT_KEY] == client_id, self.feature_names]
        if rows.empty:
            raise UnknownClientError(
                f"client {client_id} is not in the feature table; choose an existing SK_ID_CURR"
            )
        return self.standardize(rows.to_numpy(dtype=np.float64)[0])


def key_features(
    frame: pd.DataFrame, importance: Sequence[dict], key_count: int = DEFAULT_KEY_COUNT
) -> list[str]:
    """The ``key_count`` most important numeric features (importance as in global_importance)."""
    categorical = set(categorical_feature_names(frame, [item["feature"] for item in importance]))
    numeric = [item["feature"] for item in importance if item["feature"] not in categorical]
    return numeric[:key_count]


def build_similar_space(frame: pd.DataFrame, features: Sequence[str]) -> SimilarSpace:
    """The neighbour space over the known-outcome applicants of the feature frame."""
    known = frame[(frame[SPLIT] == TRAIN) & frame[TARGET].notna()]
    if known.empty:
        raise EmptyGroupError("no applicant with a known outcome to compare clients with")
    values = known[list(features)].apply(pd.to_numeric, errors="coerce").to_numpy(np.float64)
    values = values.copy()
    values[~np.isfinite(values)] = np.nan
    means = np.nan_to_num(np.nanmean(values, axis=0)) if len(features) else np.zeros(0)
    scales = np.nan_to_num(np.nanstd(values, axis=0), nan=1.0)
    scales[scales == 0] = 1.0
    space = SimilarSpace(
        ids=known[APPLICANT_KEY].to_numpy(dtype=np.int64),
        matrix=np.empty((0, 0), dtype=np.float32),
        feature_names=list(features),
        means=means,
        scales=scales,
    )
    space.matrix = space.standardize(values)
    return space


def save_similar_space(space: SimilarSpace, path: Path | str) -> None:
    """Write the space to an .npz file (similar_clients.npz)."""
    with open(path, "wb") as handle:
        np.savez(
            handle,
            ids=space.ids,
            matrix=space.matrix,
            feature_names=np.asarray(space.feature_names, dtype=str),
            means=space.means,
            scales=space.scales,
        )


def load_similar_space(path: Path | str) -> SimilarSpace:
    """Read a space written by save_similar_space."""
    path = Path(path)
    if not path.is_file():
        raise ArtifactError(f"{path} is missing: run the explain step of the pipeline first")
    with np.load(path) as data:
        return SimilarSpace(
            ids=data["ids"],
            matrix=data["matrix"],
            feature_names=[str(name) for name in data["feature_names"]],
            means=data["means"],
            scales=data["scales"],
        )


def find_similar(
    space: SimilarSpace, client_vector, k: int = 10, exclude_id: int | None = None
) -> np.ndarray:
    """Ids of the ``k`` known-outcome applicants nearest to ``client_vector`` (a standardized
    vector, see SimilarSpace.standardize / vector_of), nearest first, never ``exclude_id``."""
    if k < 1:
        raise EmptyGroupError(f"the number of similar clients must be at least 1 (got {k})")
    wanted = min(len(space.ids), k + (exclude_id is not None))
    _, index = space.nearest(client_vector, wanted)
    ids = space.ids[index[0]]
    if exclude_id is not None:
        ids = ids[ids != exclude_id]
    return ids[:k]
