"""The scoring model: cross-validated CatBoost, baselines, business-cost threshold, calibration,
fairness report, metrics, and the scoring of new applications."""
