"""The toy feature table (tests/helpers.py) that the model tests use keeps its promises."""

from __future__ import annotations

from helpers import toy_feature_frame


def test_toy_frame_follows_the_artifacts_layout():
    frame = toy_feature_frame(1_000, 100)
    assert list(frame.columns[:3]) == ["SK_ID_CURR", "SPLIT", "TARGET"]
    assert frame["SK_ID_CURR"].is_unique
    train = frame[frame["SPLIT"] == "train"]
    assert train["TARGET"].notna().all()
    assert frame.loc[frame["SPLIT"] == "test", "TARGET"].isna().all()
    assert 0.03 < train["TARGET"].mean() < 0.2
    assert frame["DAYS_LATE_MEAN"].isna().any()
