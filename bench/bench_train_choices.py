"""Side-by-side measure of CatBoost settings for large data, on one cross-validation fold.

Each choice trains the same fold (fold 0 of the 5 stratified folds of 02_train, early stopping
on the same 10% slice carved from the fold's training part) in one run of this script, one after
the other on the same machine, so that times compare as ratios. The fold's ROC AUC on its
held-out fifth says what a choice costs in quality.

    .venv/bin/python bench/bench_train_choices.py --artifacts /work/fullsize/artifacts
    .venv/bin/python bench/bench_train_choices.py --artifacts DIR --only baseline lr_0.1

Results go to bench/results/train_choices.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from catboost import CatBoostClassifier, Pool
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

from credit_scoring.artifacts import read_features
from credit_scoring.data.schema import TARGET
from credit_scoring.model.training import (
    TrainingParameters,
    assign_folds,
    categorical_feature_names,
    model_feature_names,
    model_input,
    training_rows,
)

RESULTS = Path(__file__).resolve().parent / "results" / "train_choices.md"

#: The settings before issue 12 (CatBoost's defaults for the categories and bins): every choice
#: below changes these, whatever TrainingParameters' defaults are today.
PREVIOUS = {
    "learning_rate": 0.05,
    "iterations": 600,
    "one_hot_max_size": 2,
    "border_count": 254,
    "max_ctr_complexity": 4,
    "depth": 6,
}

#: name → (CatBoost options changed from PREVIOUS, what it tests)
CHOICES = {
    "baseline": ({}, "today's settings (learning rate 0.05, cap 600, CatBoost defaults)"),
    "max_ctr_complexity_1": ({"max_ctr_complexity": 1}, "no combinations of categories"),
    "one_hot_max_size_16": ({"one_hot_max_size": 16}, "one-hot for categories of <= 16 levels"),
    "one_hot_max_size_64": (
        {"one_hot_max_size": 64},
        "one-hot for every category here (<= 64 levels): no target statistics",
    ),
    "border_count_64": ({"border_count": 64}, "64 bins per numeric feature (default 254)"),
    "lr_0.1": ({"learning_rate": 0.1, "iterations": 2000}, "learning rate 0.1, cap 2000"),
    "lr_0.15": ({"learning_rate": 0.15, "iterations": 2000}, "learning rate 0.15, cap 2000"),
    "combined": (
        {
            "learning_rate": 0.1,
            "iterations": 2000,
            "max_ctr_complexity": 1,
            "one_hot_max_size": 16,
            "border_count": 64,
        },
        "learning rate 0.1 + no category combinations + one-hot <= 16 + 64 bins",
    ),
    "lr_0.1_one_hot_64": (
        {"learning_rate": 0.1, "iterations": 2000, "one_hot_max_size": 64},
        "learning rate 0.1 + one-hot for every category",
    ),
    "chosen": (
        {"one_hot_max_size": 64, "max_ctr_complexity": 1, "iterations": 2000},
        "one-hot for every category, no combinations, cap 2000 (depth 6)",
    ),
    "chosen_depth_4": (
        {"one_hot_max_size": 64, "max_ctr_complexity": 1, "iterations": 2000, "depth": 4},
        "the chosen settings with trees of depth 4 (TrainingParameters' defaults)",
    ),
    "chosen_lr_0.03": (
        {
            "one_hot_max_size": 64,
            "max_ctr_complexity": 1,
            "iterations": 3000,
            "learning_rate": 0.03,
        },
        "the chosen settings with learning rate 0.03",
    ),
    "chosen_depth_4_lr_0.03": (
        {
            "one_hot_max_size": 64,
            "max_ctr_complexity": 1,
            "iterations": 3000,
            "learning_rate": 0.03,
            "depth": 4,
        },
        "the chosen settings with depth 4 and learning rate 0.03",
    ),
    "combined_one_hot_64": (
        {
            "learning_rate": 0.1,
            "iterations": 2000,
            "one_hot_max_size": 64,
            "border_count": 64,
        },
        "learning rate 0.1 + one-hot for every category + 64 bins",
    ),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--artifacts", type=Path, required=True)
    parser.add_argument("--only", nargs="+", choices=list(CHOICES))
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()

    started = time.perf_counter()
    frame = read_features(args.artifacts)
    train = training_rows(frame)
    parameters = TrainingParameters(device="cpu")
    features = model_feature_names(frame)
    categorical = categorical_feature_names(train, features)
    targets = train[TARGET].to_numpy().astype(np.int8)
    load_seconds = time.perf_counter() - started

    started = time.perf_counter()
    table = model_input(train, features, categorical)
    input_seconds = time.perf_counter() - started

    fold_ids = assign_folds(targets, parameters.folds, parameters.seed)
    inside = np.flatnonzero(fold_ids != 0)
    outside = np.flatnonzero(fold_ids == 0)
    fit_index, stop_index = train_test_split(
        inside,
        test_size=parameters.early_stopping_fraction,
        stratify=targets[inside],
        random_state=parameters.seed,
    )

    def pool(rows):
        return Pool(table.iloc[rows], label=targets[rows], cat_features=categorical)

    started = time.perf_counter()
    fit_pool, stop_pool, held_pool = pool(fit_index), pool(stop_index), pool(outside)
    pool_seconds = time.perf_counter() - started

    lines = [
        "# Training choices, side by side on one fold",
        "",
        f"Run {datetime.now(UTC).isoformat(timespec='minutes')} on {platform.node()}: "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, CatBoost "
        f"{__import__('catboost').__version__}. Data: {args.artifacts} ({len(train):,} training "
        f"applicants, {len(features)} features, {len(categorical)} categorical). Fold 0 of "
        f"{parameters.folds}: {len(fit_index):,} rows fit, {len(stop_index):,} for early "
        f"stopping ({parameters.early_stopping_rounds} rounds), {len(outside):,} held out.",
        "",
        f"Preparation, once: reading the features {load_seconds:.1f} s, the float32/text model "
        f"input of every training applicant {input_seconds:.1f} s, the fold's three pools "
        f"{pool_seconds:.1f} s.",
        "",
        "| choice | what | fit s | trees | stopped early | held-out ROC AUC | vs baseline s |",
        "|---|---|---|---|---|---|---|",
    ]
    baseline_seconds = None
    for name, (changes, what) in CHOICES.items():
        if args.only and name not in args.only:
            continue
        options = parameters.catboost_options() | PREVIOUS | changes
        model = CatBoostClassifier(**options)
        started = time.perf_counter()
        model.fit(
            fit_pool,
            eval_set=stop_pool,
            early_stopping_rounds=parameters.early_stopping_rounds,
            use_best_model=True,
        )
        seconds = time.perf_counter() - started
        auc = roc_auc_score(targets[outside], model.predict(held_pool, "RawFormulaVal"))
        stopped = (
            model.get_best_iteration() + parameters.early_stopping_rounds + 1
            < options["iterations"]
        )
        if name == "baseline":
            baseline_seconds = seconds
            defaults = model.get_all_params()
            lines.insert(
                -2,
                "CatBoost's own choices in the baseline: "
                + ", ".join(
                    f"{key} {defaults.get(key)}"
                    for key in (
                        "boosting_type",
                        "border_count",
                        "max_ctr_complexity",
                        "one_hot_max_size",
                        "simple_ctr",
                        "combinations_ctr",
                    )
                )
                + "\n",
            )
        ratio = f"{seconds / baseline_seconds:.2f}" if baseline_seconds else "n/a"
        row = (
            f"| {name} | {what} | {seconds:.0f} | {model.tree_count_} | "
            f"{'yes' if stopped else 'no (cap)'} | {auc:.4f} | {ratio} |"
        )
        print(row, flush=True)
        lines.append(row)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
