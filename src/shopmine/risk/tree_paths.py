"""LightGBM's SHAP values (``pred_contrib``) of many rows, asked once per way through each tree.

Why: TreeSHAP costs about leaves × depth² per tree and row, and it was nearly all of the time of scoring with
the challenger (1,000,000 rows of Give Me Some Credit: about 180 s of CPU in ``pred_contrib`` against 1 s for
everything else). Yet a tree's SHAP values of a row depend only on which way the row goes at each of the
tree's splits, and a tree of 16 leaves sends a million rows along a few hundred such ways. So, per tree, the
rows are grouped by their way, LightGBM's own ``pred_contrib`` is asked for one row of each group and that
tree alone (``start_iteration``, ``num_iteration``), and the answer is given to the whole group; the trees'
values add up to the model's, as SHAP values do. Nothing is approximated: the values are LightGBM's.

The way is read from the model's own thresholds (``Booster.trees_to_dataframe``, written to 17 digits, so
exact): LightGBM sends a number ``x`` left at a split on threshold ``t`` when ``x <= t``; it reads values
within its zero threshold (``|x| <= 1e-35f``) as 0, and missing values and zeros may go their split's
default way. Rows whose values lie between the same two of a
tree's thresholds of every feature, are missing or zero alike, or hold the same category, go the same way
through it: grouping them by that is the same as or finer than grouping by the way, and so exact.
"""

from __future__ import annotations

import threading
import weakref

import numpy as np
import pandas as pd

__all__ = ["contributions_by_path"]

#: LightGBM's ``kZeroThreshold`` (``1e-35f``, a float: 1.0000000180025095e-35): it reads a value at most this
#: far from 0 as 0 (and as missing at a split whose missing type is Zero).
_ZERO = float(np.float32(1e-35))
#: The grouping keys of a tree are mixed-radix integers; a tree that would need more falls back to rows.
_MAX_KEY = 2**62


def _model_values(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    """Each column as LightGBM reads it: numbers as floats, a Categorical as its codes (missing as NaN)."""
    out = {}
    for name in frame.columns:
        column = frame[name]
        if isinstance(column.dtype, pd.CategoricalDtype):
            codes = column.cat.codes.to_numpy().astype(float)
            codes[codes < 0] = np.nan
            out[name] = codes
        else:
            out[name] = column.to_numpy(dtype=float)
    return out


def _interval_codes(values: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """Per value: the number of ``thresholds`` below it (values between the same two thresholds share it),
    ``len + 1`` when missing, ``len + 2`` when zero. Categorical codes go through here too: with a threshold
    at every code, each category keeps its own group."""
    codes = np.searchsorted(thresholds, values, side="left")
    codes[np.isnan(values)] = len(thresholds) + 1
    codes[np.abs(values) <= _ZERO] = len(thresholds) + 2
    return codes


class _Trees:
    """What :func:`contributions_by_path` reads of a booster's trees, whatever the rows: its splits
    (``trees_to_dataframe``, about 0.4 s for 160 trees of 31 leaves: more than TreeSHAP itself on a small
    batch), each feature's thresholds over all trees, and per tree its features with their local codes."""

    def __init__(self, booster, n_trees: int):
        splits = booster.trees_to_dataframe()
        splits = splits[splits["split_feature"].notna() & (splits["tree_index"] < n_trees)]
        # A categorical split (decision type "==") lists categories ("0||3||5"), not a number.
        by_category = splits["decision_type"] == "=="
        #: Features split on categories: their rows are grouped by category, whatever the frame holds.
        self.categorical = set(splits.loc[by_category, "split_feature"])
        numeric = splits[~by_category]
        #: Per numeric feature, the sorted thresholds of every tree.
        self.thresholds = {name: np.unique(group["threshold"].astype(float).to_numpy())
                           for name, group in numeric.groupby("split_feature")}
        #: Per tree with a split: ``(tree index, [(feature, local codes of the all-thresholds intervals, or
        #: None for a categorical feature)])``.
        self.trees = []
        for tree, nodes in splits.groupby("tree_index"):
            features = []
            for name in nodes["split_feature"].unique():
                if name in self.categorical:
                    features.append((name, None))
                    continue
                own = np.unique(nodes.loc[nodes["split_feature"] == name, "threshold"].astype(float).to_numpy())
                # The all-thresholds interval k lies between the same two of the tree's thresholds as
                # thresholds[k]; beyond the last, above them all; then missing and zero.
                every = self.thresholds[name]
                features.append((name, np.concatenate([np.searchsorted(own, every, side="left"),
                                                       [len(own), len(own) + 1, len(own) + 2]])))
            self.trees.append((int(tree), features))
        split_trees = {tree for tree, _ in self.trees}
        #: Trees without a split (a constant), which add their value to every row's bias.
        self.constant = [t for t in range(n_trees) if t not in split_trees]


#: ``booster -> (fingerprint, _Trees)``: a booster's trees are read once. Keyed by the booster object itself
#: (weakly: the entry goes with the booster, and a new booster at a reused address is another key), and
#: checked against its tree count and best iteration, which change if it is trained further in place.
_TREES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_TREES_LOCK = threading.Lock()


def _trees(booster, n_trees: int) -> _Trees:
    fingerprint = (booster.num_trees(), booster.best_iteration, n_trees)
    with _TREES_LOCK:
        found = _TREES.get(booster)
    if found is not None and found[0] == fingerprint:
        return found[1]
    trees = _Trees(booster, n_trees)
    with _TREES_LOCK:
        _TREES[booster] = (fingerprint, trees)
    return trees


def contributions_by_path(booster, frame: pd.DataFrame) -> np.ndarray:
    """``booster.predict(frame, pred_contrib=True)`` of a binary LightGBM model: per row, each feature's SHAP
    value (log-odds) and the bias last, computed per tree once per group of rows that take the same way.

    ``frame`` is what the booster reads (its feature columns in the training's order, categories as pandas
    Categoricals of the training categories). Agrees with LightGBM's own result to float rounding (the trees are
    added up in another order). The booster's trees are read once per booster (:class:`_Trees`).
    """
    names = booster.feature_name()  # LightGBM's spelling of the columns (spaces become "_"): by position
    if len(names) != frame.shape[1]:
        raise ValueError(f"the booster reads {len(names)} features, the frame has {frame.shape[1]} columns")
    # best_iteration: 0 for a booster trained without early stopping, -1 read from a file: then every tree.
    n_trees = booster.best_iteration if booster.best_iteration > 0 else booster.num_trees()
    out = np.zeros((len(frame), len(names) + 1))
    if len(frame) == 0 or n_trees == 0:
        return out
    trees = _trees(booster, n_trees)
    values = dict(zip(names, _model_values(frame).values()))
    columns = dict(zip(names, frame.columns))
    for name in trees.categorical:
        if not isinstance(frame[columns[name]].dtype, pd.CategoricalDtype):
            raise ValueError(f"the booster splits {name!r} by category; the frame's column {columns[name]!r} must "
                             "be a pandas Categorical of the training categories")
    # Per feature, the codes of every row against all of the model's thresholds on it, computed once; a
    # tree's own thresholds are a subset, so its codes are a lookup away.
    every = {**trees.thresholds, **{name: np.arange(len(frame[columns[name]].cat.categories), dtype=float)
                                    for name in trees.categorical}}
    codes = {name: _interval_codes(values[name], thresholds) for name, thresholds in every.items()}
    # The rows as LightGBM reads them (categories as their codes, which is how it converts a Categorical of
    # the training categories itself): converted once here, where LightGBM would convert the frame again at
    # each of the per-tree calls (pandas' conversion was most of a small batch's time).
    matrix = np.column_stack([values[name] for name in names])
    for tree, features in trees.trees:
        key = np.zeros(len(frame), dtype=np.int64)
        radix = 1
        for name, local in features:
            if local is None:
                local = np.arange(len(every[name]) + 3)  # every category its own group
            size = int(local.max()) + 1
            if radix * size >= _MAX_KEY:
                return _whole(booster, frame, n_trees)
            key += local[codes[name]] * radix
            radix *= size
        group, _ = pd.factorize(key)
        # factorize numbers the groups in order of first appearance: a group's first row is where the
        # running maximum rises.
        first = np.flatnonzero(np.concatenate([[True], group[1:] > np.maximum.accumulate(group)[:-1]]))
        tree_values = booster.predict(matrix[first], pred_contrib=True, start_iteration=tree, num_iteration=1)
        out += np.asarray(tree_values)[group]
    for tree in trees.constant:
        out += np.asarray(booster.predict(matrix[:1], pred_contrib=True, start_iteration=tree, num_iteration=1))[0]
    return out


def _whole(booster, frame: pd.DataFrame, n_trees: int) -> np.ndarray:
    return np.asarray(booster.predict(frame, pred_contrib=True, num_iteration=n_trees))
