"""The challenger: gradient-boosted trees (LightGBM) on the raw features, with its own SHAP contributions.

Categories go in as LightGBM categoricals with the training categories fixed, so that a category never seen in
training is read as missing instead of shifting the codes. The number of trees is chosen by early stopping on
a stratified 15 % of each training fold; the model served is refitted on every row with the median of those
numbers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

__all__ = ["challenger_frame", "challenger_params", "contributions", "fit_challenger", "fit_early_stopped", "predict",
           "predict_logit"]

#: Share of a training fold held out to stop the boosting.
VALIDATION_SHARE = 0.15
_MAX_ROUNDS = 5000
_PATIENCE = 200
_FALLBACK_ROUNDS = 100


def challenger_params(n_rows: int, random_state: int = 0) -> dict:
    """Small trees, row and column subsampling and an L2 penalty: credit tables are noisy and a few features
    carry most of the signal. Leaves need more rows on larger tables. The learning rate (0.05) is as slow as
    pays: on Give Me Some Credit 0.02 reached the same AUC (0.866) with 2.5 times the trees, and every tree
    costs time in the SHAP reasons of every scored row."""
    return {"objective": "binary", "metric": "binary_logloss", "learning_rate": 0.05, "num_leaves": 16,
            "min_child_samples": int(max(20, n_rows // 1000)), "subsample": 0.7, "subsample_freq": 1,
            "colsample_bytree": 0.6, "reg_lambda": 10.0, "cat_smooth": 10.0, "min_data_per_group": 50,
            "verbosity": -1, "seed": random_state, "deterministic": True, "force_col_wise": True,
            # One thread: the machine is shared, and the tables are small enough that threads mostly wait.
            "num_threads": 1}


def challenger_frame(X: pd.DataFrame, categories: dict[str, list[str]]) -> pd.DataFrame:
    """``X`` with each categorical column as a pandas Categorical of its training ``categories``."""
    if not categories:
        return X
    out = X.copy()
    for column, values in categories.items():
        out[column] = pd.Categorical(X[column], categories=values)
    return out


def _dataset(X: pd.DataFrame, y: np.ndarray, categories: dict[str, list[str]], reference=None):
    import lightgbm as lgb

    return lgb.Dataset(challenger_frame(X, categories), label=y, categorical_feature=list(categories) or "auto",
                       free_raw_data=False, reference=reference)


def fit_early_stopped(X: pd.DataFrame, y: np.ndarray, categories: dict[str, list[str]], random_state: int = 0):
    """Fit on ``X`` less a stratified validation share, stopping when its log loss stops improving (smoother than AUC on few rows); return the
    booster (at its best iteration) and that number of trees."""
    import lightgbm as lgb

    if np.bincount(y, minlength=2).min() < 4:
        # Too few rows of an outcome to hold some out: a fixed, modest number of trees instead.
        return fit_challenger(X, y, categories, _FALLBACK_ROUNDS, random_state), _FALLBACK_ROUNDS
    rows = np.arange(len(X))
    fit_rows, stop_rows = train_test_split(rows, test_size=VALIDATION_SHARE, stratify=y, random_state=random_state)
    train = _dataset(X.iloc[fit_rows], y[fit_rows], categories)
    valid = _dataset(X.iloc[stop_rows], y[stop_rows], categories, reference=train)
    booster = lgb.train(challenger_params(len(fit_rows), random_state), train, num_boost_round=_MAX_ROUNDS,
                        valid_sets=[valid], callbacks=[lgb.early_stopping(_PATIENCE, verbose=False)])
    return booster, int(max(booster.best_iteration, 1))


def fit_challenger(X: pd.DataFrame, y: np.ndarray, categories: dict[str, list[str]], rounds: int,
                   random_state: int = 0):
    """Fit on every row of ``X`` with ``rounds`` trees."""
    import lightgbm as lgb

    return lgb.train(challenger_params(len(X), random_state), _dataset(X, y, categories), num_boost_round=rounds)


def predict(booster, X: pd.DataFrame, categories: dict[str, list[str]]) -> np.ndarray:
    """P(positive) of each row."""
    return booster.predict(challenger_frame(X, categories), num_iteration=booster.best_iteration or None)


def predict_logit(booster, X: pd.DataFrame, categories: dict[str, list[str]]) -> np.ndarray:
    """The log-odds of the positive class of each row (what the points scale reads)."""
    return booster.predict(challenger_frame(X, categories), raw_score=True,
                           num_iteration=booster.best_iteration or None)


#: Below this many rows LightGBM's ``pred_contrib`` is asked directly: grouping the rows costs a call per tree,
#: more than TreeSHAP itself on small batches. The trees are now read once per booster (they cost about 0.4 s
#: a call before), which moved the crossover down from about 10,000 rows: bench/risk_contributions.py (160
#: trees of 31 leaves, 20 features, one thread, CPU ms, on a machine shared with other jobs) measured 1 row
#: 8.5 direct against 1,150 by path (3,288 with the trees read in the call); 1,000 rows 1,779 against 2,396;
#: 3,000 rows 5,551 against 5,103. The API scores one row per request.
BY_PATH_FROM_ROWS = 3_000


def contributions(booster, X: pd.DataFrame, categories: dict[str, list[str]], *, with_bias: bool = False):
    """LightGBM's own SHAP values (log-odds) per row and feature; with ``with_bias`` also the bias of each row
    (the contributions and the bias add up to the row's log-odds). Asked of LightGBM once per way through each
    tree rather than once per row (:mod:`shopmine.risk.tree_paths`): the same values, several times faster."""
    from shopmine.risk.tree_paths import contributions_by_path

    frame = challenger_frame(X, categories)
    if len(frame) < BY_PATH_FROM_ROWS:
        values = np.asarray(booster.predict(frame, pred_contrib=True, num_iteration=booster.best_iteration or None))
    else:
        values = contributions_by_path(booster, frame)
    return (values[:, :-1], values[:, -1]) if with_bias else values[:, :-1]
