"""Cross-validated CatBoost training on the feature frame (artifacts.py contract).

Choices, stated once:

- **Native categorical features**: text columns go to CatBoost as categories (ordered target
  statistics), missing levels as the explicit level ``"MISSING"``; numeric columns keep NaN.
- **Early stopping inside each fold**: the eval set is carved (stratified) from the fold's
  *training* part, never from its validation part, so out-of-fold predictions stay honest.
- **Class imbalance (about 8% defaults)**: handled by the decision threshold, not by reweighting.
  The model minimizes the unweighted log-loss so that its probabilities keep meaning what they
  say (a weighted model would inflate them and need undoing); stratified folds keep the default
  rate in every fold; the business-cost threshold (threshold.py) then trades missed defaulters
  against refused good clients.
- **Protected inputs** (CODE_GENDER by default) never reach the model: they are removed from the
  feature list, and the list is checked before every fit.
- **Settings for large data**, each measured side by side on one fold at the Kaggle size
  (bench/results/train_choices.md): categories of up to 64 levels (all those of the Kaggle data)
  one-hot encoded rather than turned into target statistics (a fold trains about four times
  faster, at the same held-out ROC AUC), no combinations of categories when some are left, and
  early stopping that really stops (``iterations`` is only a bound). Fewer bins and a higher
  learning rate did not pay (the same time or a lower AUC).
- **Trees of depth 4**: the same AUC as depth 6 at the Kaggle size, higher on small data (the real
  Kaggle sample and the demo data, bench/results/train_small_data.md), and cheaper explanations.
- **Final model**: by default the average of the fold models (their raw scores' mean, one
  CatBoost model): no training beyond the folds, and it is the ensemble whose members the
  out-of-fold scores validated. ``final_model="refit"`` fits one more model on all training
  applicants with the mean of the folds' best tree counts, scaled by folds / (folds - 1) since it
  sees that much more data than a fold model.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
from catboost import CatBoostClassifier, CatBoostError, Pool, sum_models
from sklearn.model_selection import StratifiedKFold, train_test_split

from credit_scoring.artifacts import SPLIT, TRAIN
from credit_scoring.data.schema import APPLICANT_KEY, TARGET
from credit_scoring.errors import ArtifactError, CreditScoringError
from credit_scoring.progress import progress

#: Columns of the feature frame that are identifiers or the outcome, never model inputs.
NON_FEATURE_COLUMNS = (APPLICANT_KEY, SPLIT, TARGET)
DEFAULT_PROTECTED_FEATURES = ("CODE_GENDER",)
MISSING_LEVEL = "MISSING"
#: Fold models live in this sub-folder of the artifacts (03_explain scores training rows with them).
FOLD_MODELS_DIR = "fold_models"


@dataclass
class TrainingParameters:
    """CatBoost and cross-validation settings (the parameters cell of 02_train)."""

    #: upper bound only: early stopping picks each fold's count
    iterations: int = 2000
    learning_rate: float = 0.05
    #: shallow trees: the same AUC at the Kaggle size, higher on small data (the real sample)
    depth: int = 4
    folds: int = 5
    seed: int = 42
    early_stopping_rounds: int = 100
    early_stopping_fraction: float = 0.1
    l2_leaf_reg: float = 3.0
    thread_count: int = -1
    #: "cpu", "gpu" or "auto" (a GPU when CatBoost sees one, else the CPU, said in one line)
    device: str = "auto"
    #: categories with at most this many levels are one-hot encoded, not target statistics
    one_hot_max_size: int = 64
    #: most categories combined into one target statistic (1: no combinations)
    max_ctr_complexity: int = 1
    #: any other CatBoost option, e.g. {"boosting_type": "Ordered"} (they win over the above)
    extra_options: dict = field(default_factory=dict)
    #: "average": the final model is the mean of the fold models (no extra training);
    #: "refit": one more model fit on every training applicant (final_tree_count trees)
    final_model: str = "average"

    def __post_init__(self) -> None:
        if self.final_model not in FINAL_MODELS:
            raise CreditScoringError(
                f"final_model must be one of {', '.join(FINAL_MODELS)}, not {self.final_model!r}"
            )

    def task_type(self) -> str:
        """CatBoost's task_type for ``device``: "CPU" or "GPU"."""
        return resolve_device(self.device)

    def catboost_options(self) -> dict:
        """Keyword arguments for CatBoostClassifier."""
        return {
            "task_type": self.task_type(),
            "iterations": int(self.iterations),
            "learning_rate": float(self.learning_rate),
            "depth": int(self.depth),
            "l2_leaf_reg": float(self.l2_leaf_reg),
            "loss_function": "Logloss",
            "eval_metric": "Logloss",
            "random_seed": int(self.seed),
            "thread_count": int(self.thread_count),
            "verbose": False,
            "allow_writing_files": False,
            "one_hot_max_size": int(self.one_hot_max_size),
            "max_ctr_complexity": int(self.max_ctr_complexity),
        } | dict(self.extra_options)

    def to_dict(self) -> dict:
        """Plain dict (for metrics.json and the manifest)."""
        return asdict(self)


DEVICES = ("cpu", "gpu", "auto")
FINAL_MODELS = ("average", "refit")


@cache
def gpu_count() -> int:
    """GPUs CatBoost can train on (0 when none, or when the CUDA driver is unusable)."""
    import os

    from catboost.utils import get_gpu_device_count

    # CatBoost's C++ code prints the CUDA errors it ignores on the process's stderr: hidden.
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
            try:
                return int(get_gpu_device_count())
            except Exception:  # noqa: BLE001 - any failure to query CUDA means no usable GPU
                return 0
    finally:
        os.dup2(saved, 2)
        os.close(saved)


@cache
def resolve_device(device: str) -> str:
    """CatBoost's task_type for a device setting; "auto" falls back to the CPU with a line saying
    so; "gpu" without a GPU is a clear error."""
    if device not in DEVICES:
        raise CreditScoringError(f"device must be one of {', '.join(DEVICES)}, not {device!r}")
    if device == "cpu":
        return "CPU"
    if gpu_count() > 0:
        return "GPU"
    if device == "gpu":
        raise CreditScoringError(
            "device=gpu but CatBoost sees no usable GPU (driver or CUDA missing): use device=auto "
            "or device=cpu"
        )
    print("device=auto: CatBoost sees no GPU, training on the CPU", file=sys.stderr, flush=True)
    return "CPU"


def model_feature_names(
    frame: pd.DataFrame,
    protected_features: Iterable[str] = DEFAULT_PROTECTED_FEATURES,
    excluded_features: Iterable[str] = (),
) -> list[str]:
    """The model's inputs: every feature column but the protected and the excluded ones.

    Raises CreditScoringError when an excluded feature is not a column (a typo must not be
    silently ignored); a protected feature absent from the frame is fine (nothing to remove).
    """
    excluded = list(excluded_features)
    unknown = [name for name in excluded if name not in frame.columns]
    if unknown:
        raise CreditScoringError(
            f"excluded feature(s) {', '.join(unknown)} are not columns of the feature table; "
            "check the names in excluded_features (see feature_catalog.json)"
        )
    removed = set(protected_features) | set(excluded) | set(NON_FEATURE_COLUMNS)
    features = [name for name in frame.columns if name not in removed]
    if not features:
        raise CreditScoringError("no feature left to train on after the exclusions")
    return features


def check_no_protected(features: Sequence[str], protected_features: Iterable[str]) -> None:
    """Raise CreditScoringError when a protected feature, or TARGET, SPLIT or SK_ID_CURR, is
    among the model's inputs."""
    not_features = [name for name in NON_FEATURE_COLUMNS if name in set(features)]
    if not_features:
        raise CreditScoringError(
            f"{', '.join(not_features)} must not be model inputs (TARGET would leak the outcome); "
            "remove them from the feature list"
        )
    leaked = sorted(set(features) & set(protected_features))
    if leaked:
        raise CreditScoringError(
            f"protected feature(s) {', '.join(leaked)} must not be model inputs; "
            "remove them from the feature list"
        )


def categorical_feature_names(frame: pd.DataFrame, features: Sequence[str]) -> list[str]:
    """Features held as text or categories (CatBoost's native categorical features)."""
    selected = frame[list(features)]
    return list(selected.select_dtypes(exclude=["number", "bool"]).columns)


def model_input(
    frame: pd.DataFrame, features: Sequence[str], categorical: Sequence[str] | None = None
) -> pd.DataFrame:
    """The model's input table: numeric features as float32, categorical ones as text with
    missing values as the level "MISSING" (the same transformation for training and scoring)."""
    if categorical is None:
        categorical = categorical_feature_names(frame, features)
    categorical = set(categorical)
    columns = {}
    for name in features:
        values = frame[name]
        if name in categorical:
            text = values.astype(object).where(values.notna(), MISSING_LEVEL)
            columns[name] = text.astype(str).to_numpy(dtype=object)
        else:
            columns[name] = pd.to_numeric(values, errors="coerce").to_numpy(dtype=np.float32)
    return pd.DataFrame(columns, index=frame.index)


def make_pool(
    frame: pd.DataFrame,
    features: Sequence[str],
    categorical: Sequence[str],
    labels=None,
) -> Pool:
    """A CatBoost Pool of the model input."""
    table = model_input(frame, features, categorical)
    return Pool(table, label=labels, cat_features=list(categorical))


def training_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """Training applicants (known outcome) of the feature frame."""
    rows = frame[frame[SPLIT] == TRAIN]
    if rows.empty:
        raise CreditScoringError("the feature table holds no training applicant (SPLIT == 'train')")
    if rows[TARGET].isna().any():
        raise CreditScoringError("some training applicants have no TARGET: check the features step")
    return rows


def assign_folds(targets, folds: int, seed: int) -> np.ndarray:
    """Stratified fold number (0..folds-1) of each training applicant."""
    targets = np.asarray(targets)
    if folds < 2:
        raise CreditScoringError(f"folds must be at least 2 (got {folds})")
    minority = int(min(np.sum(targets == 1), np.sum(targets == 0)))
    if minority < folds:
        raise CreditScoringError(
            f"{folds} folds need at least {folds} defaulters and {folds} repaid loans; "
            f"the data has only {minority} of the rarer outcome"
        )
    fold_ids = np.empty(len(targets), dtype=np.int8)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for fold, (_, validation) in enumerate(splitter.split(np.zeros(len(targets)), targets)):
        fold_ids[validation] = fold
    return fold_ids


class FitProgress:
    """CatBoost callback: one step of ``bar`` per tree, with the validation log-loss so far."""

    def __init__(self, bar) -> None:
        self.bar = bar

    def after_iteration(self, info) -> bool:
        losses = info.metrics.get("validation", {}).get("Logloss")
        if losses:
            self.bar.set_postfix_str(f"validation log-loss {losses[-1]:.4f}", refresh=False)
        self.bar.update(1)
        return True  # never stops the training: early stopping is CatBoost's own


def fit_options(parameters: TrainingParameters, bar=None) -> dict:
    """Keyword arguments of ``fit`` that report the progress to ``bar``: a callback on the CPU;
    CatBoost's own log lines (every 5% of the trees, to stderr) on a GPU, where CatBoost takes
    no callback."""
    if bar is None or bar.disable:
        return {}
    if parameters.task_type() == "GPU":
        return {"verbose": max(1, int(parameters.iterations) // 20), "log_cout": sys.stderr}
    return {"callbacks": [FitProgress(bar)]}


def fit_with_early_stopping(
    table: pd.DataFrame,
    targets: np.ndarray,
    categorical: Sequence[str],
    parameters: TrainingParameters,
    description: str = "training",
) -> CatBoostClassifier:
    """Fit CatBoost on ``table`` (a model input, see model_input), stopping early on a stratified
    slice carved from it; the trees' progress and validation metric are shown under
    ``description``."""
    fit_index, stop_index = train_test_split(
        np.arange(len(table)),
        test_size=parameters.early_stopping_fraction,
        stratify=targets,
        random_state=parameters.seed,
    )
    categorical = list(categorical)
    model = CatBoostClassifier(**parameters.catboost_options())
    with progress(int(parameters.iterations), description, unit="tree") as bar:
        model.fit(
            Pool(table.iloc[fit_index], label=targets[fit_index], cat_features=categorical),
            eval_set=Pool(
                table.iloc[stop_index], label=targets[stop_index], cat_features=categorical
            ),
            early_stopping_rounds=int(parameters.early_stopping_rounds),
            use_best_model=True,
            **fit_options(parameters, bar),
        )
        best = model.get_best_iteration()
        bar.set_postfix_str(
            f"best validation log-loss {model.get_best_score()['validation']['Logloss']:.4f} "
            f"at tree {best + 1}" + (", stopped early" if bar.n < bar.total else ""),
            refresh=False,
        )
    return model


@dataclass
class CrossValidation:
    """Results of the cross-validation: out-of-fold raw scores and the fold models."""

    oof: pd.DataFrame  # SK_ID_CURR, fold, TARGET, raw_score (training applicants, frame order)
    models: list[CatBoostClassifier]
    features: list[str]
    categorical: list[str]
    tree_counts: list[int]
    fold_seconds: list[float] = field(default_factory=list)


def cross_validate(
    frame: pd.DataFrame,
    features: Sequence[str],
    parameters: TrainingParameters,
    protected_features: Iterable[str] = DEFAULT_PROTECTED_FEATURES,
) -> CrossValidation:
    """Stratified k-fold CatBoost with early stopping inside each fold; out-of-fold raw scores.

    The model input (float32 numbers, text categories) is built once and sliced per fold."""
    features = list(features)
    check_no_protected(features, protected_features)
    train = training_rows(frame)
    targets = train[TARGET].to_numpy().astype(np.int8)
    categorical = categorical_feature_names(train, features)
    fold_ids = assign_folds(targets, parameters.folds, parameters.seed)
    table = model_input(train, features, categorical)
    raw_scores = np.empty(len(train), dtype=np.float64)
    models, tree_counts, seconds = [], [], []
    for fold in range(parameters.folds):
        started = time.perf_counter()
        inside = np.flatnonzero(fold_ids != fold)
        outside = np.flatnonzero(fold_ids == fold)
        model = fit_with_early_stopping(
            table.iloc[inside],
            targets[inside],
            categorical,
            parameters,
            description=f"fold {fold + 1}/{parameters.folds}",
        )
        raw_scores[outside] = model.predict(
            Pool(table.iloc[outside], cat_features=categorical), prediction_type="RawFormulaVal"
        )
        models.append(model)
        tree_counts.append(int(model.tree_count_))
        seconds.append(time.perf_counter() - started)
    oof = pd.DataFrame(
        {
            APPLICANT_KEY: train[APPLICANT_KEY].to_numpy(),
            "fold": fold_ids,
            TARGET: targets.astype(np.float32),
            "raw_score": raw_scores,
        }
    )
    return CrossValidation(oof, models, features, categorical, tree_counts, seconds)


def final_tree_count(tree_counts: Sequence[int], folds: int) -> int:
    """Trees of a refit final model: the folds' mean best count scaled by folds / (folds - 1)."""
    return max(1, round(float(np.mean(tree_counts)) * folds / (folds - 1)))


def average_models(models: Sequence[CatBoostClassifier]) -> CatBoostClassifier | None:
    """One model whose raw score is the mean of the models' raw scores (CatBoost's sum_models
    with equal weights, each model keeping its own category statistics, so the average is exact
    and SHAP contributions stay additive). None when CatBoost cannot store such an average: fold
    models that hold target statistics of the same category (categories with more levels than
    ``one_hot_max_size``)."""
    summed = sum_models(
        list(models), weights=[1.0 / len(models)] * len(models), ctr_merge_policy="KeepAllTables"
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "average.cbm"
        try:
            summed.save_model(str(path))
        except CatBoostError:
            return None
        average = CatBoostClassifier()
        average.load_model(str(path))
    return average


def fit_final_model(
    frame: pd.DataFrame,
    features: Sequence[str],
    categorical: Sequence[str],
    parameters: TrainingParameters,
    iterations: int,
    protected_features: Iterable[str] = DEFAULT_PROTECTED_FEATURES,
) -> CatBoostClassifier:
    """CatBoost fit on every training applicant with a fixed number of trees."""
    features = list(features)
    check_no_protected(features, protected_features)
    train = training_rows(frame)
    options = parameters.catboost_options() | {"iterations": int(iterations)}
    model = CatBoostClassifier(**options)
    with progress(int(iterations), "final model", unit="tree") as bar:
        model.fit(
            make_pool(train, features, categorical, train[TARGET].to_numpy().astype(np.int8)),
            **fit_options(parameters, bar),
        )
    return model


def model_features(model: CatBoostClassifier) -> tuple[list[str], list[str]]:
    """The model's feature names, in its input order, and among them the categorical ones."""
    names = list(model.feature_names_)
    return names, [names[i] for i in model.get_cat_feature_indices()]


def raw_scores(model: CatBoostClassifier, frame: pd.DataFrame) -> np.ndarray:
    """Raw scores (log-odds) of ``model`` for the rows of ``frame``."""
    features, categorical = model_features(model)
    return model.predict(make_pool(frame, features, categorical), prediction_type="RawFormulaVal")


def save_fold_models(models: Sequence[CatBoostClassifier], artifacts_dir: Path | str) -> list[Path]:
    """Write the fold models to ``<artifacts>/fold_models/fold_<k>.cbm``."""
    folder = Path(artifacts_dir) / FOLD_MODELS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("fold_*.cbm"):
        stale.unlink()
    paths = []
    for fold, model in enumerate(models):
        path = folder / f"fold_{fold}.cbm"
        model.save_model(str(path))
        paths.append(path)
    return paths


def load_model(path: Path | str) -> CatBoostClassifier:
    """Load a CatBoost model written by this pipeline; ArtifactError when it is missing."""
    path = Path(path)
    if not path.is_file():
        raise ArtifactError(
            f"model file {path} is missing: run the training step (notebooks/02_train.ipynb, "
            "or `credit-scoring pipeline`) first"
        )
    model = CatBoostClassifier()
    model.load_model(str(path))
    return model


def load_fold_models(artifacts_dir: Path | str, folds: int) -> list[CatBoostClassifier]:
    """The fold models saved by save_fold_models, in fold order."""
    folder = Path(artifacts_dir) / FOLD_MODELS_DIR
    return [load_model(folder / f"fold_{fold}.cbm") for fold in range(folds)]
