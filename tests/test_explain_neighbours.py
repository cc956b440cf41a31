"""Similar clients: k distinct known-outcome applicants, never the client, nearest first."""

import numpy as np
import pandas as pd
import pytest
from helpers import toy_feature_frame

from credit_scoring.errors import ArtifactError, EmptyGroupError, UnknownClientError
from credit_scoring.explain.neighbours import (
    build_similar_space,
    find_similar,
    key_features,
    load_similar_space,
    save_similar_space,
)

FEATURES = ["EXT_SOURCE_2", "AMT_INCOME_TOTAL", "DAYS_LATE_MEAN"]


@pytest.fixture(scope="module")
def frame():
    return toy_feature_frame(3_000, 300, seed=4)


@pytest.fixture(scope="module")
def space(frame):
    return build_similar_space(frame, FEATURES)


def test_neighbours_are_k_distinct_known_outcome_applicants_other_than_the_client(frame, space):
    known = set(frame.loc[frame["SPLIT"] == "train", "SK_ID_CURR"])
    client = int(frame["SK_ID_CURR"].iloc[10])  # a training applicant: in the space itself
    similar = find_similar(space, space.vector_of(frame, client), k=15, exclude_id=client)
    assert len(similar) == 15
    assert len(set(similar.tolist())) == 15
    assert client not in similar
    assert set(similar.tolist()) <= known


def test_new_applicants_get_known_outcome_neighbours_nearest_first(frame, space):
    client = int(frame.loc[frame["SPLIT"] == "test", "SK_ID_CURR"].iloc[0])
    vector = space.vector_of(frame, client)
    similar = find_similar(space, vector, k=5, exclude_id=client)
    positions = [int(np.flatnonzero(space.ids == i)[0]) for i in similar]
    distances = np.linalg.norm(space.matrix[positions] - vector, axis=1)
    assert np.all(np.diff(distances) >= 0)
    # no known applicant outside the answer is nearer than the 5th
    every = np.linalg.norm(space.matrix - vector, axis=1)
    assert np.sort(every)[4] == pytest.approx(distances[-1])


def test_a_batch_queried_on_every_core_finds_the_exact_nearest_distances(space):
    """A batch large enough to be shared among the cores (the explain step's familiarity pass)
    gets the brute-force distances, nearest first, as one client alone does, even for one
    neighbour (always two-dimensional arrays)."""
    from credit_scoring.explain.neighbours import PARALLEL_BATCH

    vectors = np.resize(space.matrix, (PARALLEL_BATCH + 7, space.matrix.shape[1])) + 0.01
    distances, rows = space.nearest(vectors, 4)
    assert distances.shape == rows.shape == (len(vectors), 4)
    for index in (0, 500, len(vectors) - 1):
        every = np.sort(np.linalg.norm(space.matrix - vectors[index], axis=1))
        np.testing.assert_allclose(distances[index], every[:4], rtol=1e-5)
        np.testing.assert_allclose(
            np.linalg.norm(space.matrix[rows[index]] - vectors[index], axis=1),
            distances[index],
            rtol=1e-5,
        )
    one, one_row = space.nearest(vectors[0], 1)
    assert one.shape == one_row.shape == (1, 1)
    assert one[0, 0] == pytest.approx(distances[0, 0])


def test_standardization_by_hand():
    table = pd.DataFrame(
        {
            "SK_ID_CURR": [1, 2, 3, 4],
            "SPLIT": ["train", "train", "train", "test"],
            "TARGET": [0.0, 1.0, 0.0, np.nan],
            "X": [1.0, 3.0, np.nan, 100.0],
        }
    )
    space = build_similar_space(table, ["X"])
    assert space.ids.tolist() == [1, 2, 3]  # known outcomes only
    assert space.means.tolist() == [2.0] and space.scales.tolist() == [1.0]
    assert space.matrix[:, 0].tolist() == [-1.0, 1.0, 0.0]  # missing → mean → 0
    assert space.standardize([100.0]).tolist() == [5.0]  # clipped at +5
    assert find_similar(space, space.standardize([2.9]), k=1).tolist() == [2]


def test_space_round_trips_through_npz(tmp_path, space, frame):
    save_similar_space(space, tmp_path / "similar_clients.npz")
    loaded = load_similar_space(tmp_path / "similar_clients.npz")
    assert loaded.feature_names == FEATURES
    assert np.array_equal(loaded.ids, space.ids)
    client = int(frame["SK_ID_CURR"].iloc[0])
    vector = space.vector_of(frame, client)
    assert np.array_equal(
        find_similar(loaded, vector, 7, client), find_similar(space, vector, 7, client)
    )


def test_clear_errors(space, frame, tmp_path):
    with pytest.raises(UnknownClientError, match="42"):
        space.vector_of(frame, 42)
    with pytest.raises(EmptyGroupError):
        find_similar(space, np.zeros(3), k=0)
    with pytest.raises(ArtifactError, match="explain step"):
        load_similar_space(tmp_path / "absent.npz")
    with pytest.raises(EmptyGroupError, match="no applicant with a known outcome"):
        build_similar_space(frame[frame["SPLIT"] == "test"], ["EXT_SOURCE_2"])


def test_key_features_are_the_most_important_numeric_ones(frame):
    importance = [
        {"feature": "NAME_CONTRACT_TYPE", "mean_abs_contribution": 0.9},
        {"feature": "EXT_SOURCE_2", "mean_abs_contribution": 0.5},
        {"feature": "NOISE", "mean_abs_contribution": 0.1},
    ]
    assert key_features(frame, importance, 1) == ["EXT_SOURCE_2"]
