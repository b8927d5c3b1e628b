"""SHAP values asked once per way through each tree are LightGBM's own, row for row."""

from __future__ import annotations

import lightgbm as lgb
import numpy as np
import pandas as pd
import pytest

from shopmine.risk.challenger import challenger_frame
from shopmine.risk.inputs import feature_frame
from shopmine.risk.tree_paths import contributions_by_path


def _lightgbm(booster, frame):
    return booster.predict(frame, pred_contrib=True)


def test_the_challenger_s_values_match_lightgbm_s_on_new_rows_with_unseen_and_missing_values(trained):
    from risk.synthetic import loans

    new = loans(3000, seed=3)
    new.loc[:99, "region"] = "atlantis"  # never seen: LightGBM reads it as missing
    new.loc[100:199, "region"] = None
    new.loc[200:299, "utilisation"] = np.nan
    new.loc[300:399, "age"] = 0.0
    spec = trained.spec
    X = challenger_frame(feature_frame(new, spec["numeric"], spec["categorical"])[trained.challenger_features],
                         spec["challenger"]["categories"])
    ours = contributions_by_path(trained.booster, X)
    np.testing.assert_allclose(ours, _lightgbm(trained.booster, X), rtol=0, atol=1e-12)
    assert ours.shape == (3000, len(trained.challenger_features) + 1)


def test_values_on_the_thresholds_zeros_and_missing_values_go_lightgbm_s_way():
    # x <= t goes left: a value equal to a threshold and one just above it must land in different groups.
    rng = np.random.default_rng(0)
    n = 4000
    X = pd.DataFrame({"a b": rng.normal(size=n), "c": rng.integers(-3, 4, n).astype(float),
                      "d": np.where(rng.random(n) < 0.2, np.nan, rng.exponential(size=n))})
    y = ((X["a b"] + 0.5 * X["c"] + np.nan_to_num(X["d"]) + rng.normal(size=n)) > 1).astype(int)
    booster = lgb.train({"objective": "binary", "num_leaves": 8, "verbosity": -1, "zero_as_missing": False,
                         "num_threads": 1}, lgb.Dataset(X, y), num_boost_round=30)
    splits = booster.trees_to_dataframe().dropna(subset=["split_feature"])
    new = X.copy()
    for j, column in enumerate(X.columns):
        thresholds = splits.loc[splits["split_feature"] == booster.feature_name()[j], "threshold"].astype(float)
        at = rng.choice(thresholds.to_numpy(), 1000)
        new.loc[:999, column] = at
        new.loc[1000:1999, column] = np.nextafter(at, np.inf)
        new.loc[2000:2199, column] = 0.0
        new.loc[2200:2399, column] = np.nan
        new.loc[2400:2499, column] = -5e-36  # read as 0 by LightGBM
    np.testing.assert_allclose(contributions_by_path(booster, new), _lightgbm(booster, new), rtol=0, atol=1e-12)


def test_a_model_of_constant_trees_gives_the_bias_alone():
    X = pd.DataFrame({"a": np.arange(50.0)})
    booster = lgb.train({"objective": "binary", "verbosity": -1, "min_data_in_leaf": 100}, lgb.Dataset(X, np.r_[
        np.zeros(40), np.ones(10)]), num_boost_round=3)
    ours = contributions_by_path(booster, X)
    np.testing.assert_allclose(ours, _lightgbm(booster, X), rtol=0, atol=1e-12)
    assert (ours[:, 0] == 0).all() and ours[:, 1] == pytest.approx(np.log(10 / 40))


def test_a_small_batch_asks_lightgbm_directly_a_large_one_by_path(trained, monkeypatch):
    """Grouping costs about 0.4 s a call: one row (an API request) is asked of LightGBM directly; the values
    are the same either way."""
    import shopmine.risk.tree_paths
    from risk.synthetic import loans

    from shopmine.risk import challenger

    spec = trained.spec
    new = feature_frame(loans(40, seed=5), spec["numeric"], spec["categorical"])[trained.challenger_features]
    categories = spec["challenger"]["categories"]
    by_path = contributions_by_path(trained.booster, challenger_frame(new, categories))

    def refuse(*args, **kwargs):
        raise AssertionError("grouped by path for a small batch")

    monkeypatch.setattr(shopmine.risk.tree_paths, "contributions_by_path", refuse)
    values, bias = challenger.contributions(trained.booster, new, categories, with_bias=True)
    np.testing.assert_allclose(np.column_stack([values, bias]), by_path, rtol=0, atol=1e-12)
    monkeypatch.undo()
    monkeypatch.setattr(challenger, "BY_PATH_FROM_ROWS", 10)
    called = []
    monkeypatch.setattr(shopmine.risk.tree_paths, "contributions_by_path",
                        lambda booster, frame: called.append(len(frame)) or by_path)
    challenger.contributions(trained.booster, new, categories)
    assert called == [40]


def test_a_booster_s_trees_are_read_once_and_again_when_its_served_trees_change():
    rng = np.random.default_rng(1)
    X = pd.DataFrame({"a": rng.normal(size=2000), "b": rng.normal(size=2000)})
    y = ((X["a"] - X["b"] + rng.normal(size=2000)) > 0).astype(int)
    booster = lgb.train({"objective": "binary", "num_leaves": 8, "verbosity": -1, "num_threads": 1},
                        lgb.Dataset(X, y), num_boost_round=10)
    reads = []
    real = booster.trees_to_dataframe
    booster.trees_to_dataframe = lambda: reads.append(1) or real()
    for rows in (X.iloc[:5], X.iloc[5:300]):
        np.testing.assert_allclose(contributions_by_path(booster, rows), _lightgbm(booster, rows), rtol=0, atol=1e-12)
    assert len(reads) == 1  # kept for the booster
    booster.best_iteration = 6  # as early stopping sets it: the first 6 trees are served now
    np.testing.assert_allclose(contributions_by_path(booster, X.iloc[:50]),
                               booster.predict(X.iloc[:50], pred_contrib=True, num_iteration=6), rtol=0, atol=1e-12)
    assert len(reads) == 2
    other = lgb.Booster(model_str=booster.model_to_string())  # another object: its own entry
    np.testing.assert_allclose(contributions_by_path(other, X.iloc[:50]), _lightgbm(other, X.iloc[:50]),
                               rtol=0, atol=1e-12)
    assert len(reads) == 2
