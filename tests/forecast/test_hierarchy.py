"""Coherent hierarchy: product forecasts add up to category and total (bottom-up and MinTrace)."""

import json

import numpy as np
import pandas as pd
import pytest

from shopmine.errors import ShopmineInputError
from shopmine.forecast.hierarchy import build_hierarchy, reconcile_forecast

CATEGORIES = {"a1": "A", "a2": "A", "b1": "B", "b2": "B", "b3": "B"}


@pytest.fixture(scope="module")
def hierarchy():
    """Two categories, five products; two products start late (an unbalanced bottom level)."""
    rng = np.random.default_rng(0)
    ds = pd.date_range("2024-01-01", periods=70, freq="D")
    rows = []
    for pid, level, start in (("a1", 10, 0), ("a2", 5, 10), ("b1", 20, 0), ("b2", 3, 0), ("b3", 7, 30)):
        weekly = 1 + 0.3 * np.sin(2 * np.pi * np.arange(start, 70) / 7)
        y = rng.poisson(level * weekly).astype(float)
        rows.append(pd.DataFrame({"unique_id": pid, "ds": ds[start:], "y": y, "avg_price": 10.0}))
    return build_hierarchy(pd.concat(rows, ignore_index=True), CATEGORIES)


def _check_coherent(frame: pd.DataFrame, column: str) -> None:
    prod = frame[frame["level"] == "product"].assign(category=lambda f: f["unique_id"].map(CATEGORIES))
    cat = frame[frame["level"] == "category"].set_index(["unique_id", "ds"])[column]
    total = frame[frame["level"] == "total"].set_index("ds")[column]
    by_cat = prod.groupby(["category", "ds"])[column].sum()
    by_cat.index.names = ["unique_id", "ds"]
    np.testing.assert_allclose(by_cat.sort_index().to_numpy(), cat.sort_index().to_numpy(), rtol=0, atol=1e-9)
    np.testing.assert_allclose(prod.groupby("ds")[column].sum().sort_index().to_numpy(),
                               total.sort_index().to_numpy(), rtol=0, atol=1e-9)
    np.testing.assert_allclose(cat.groupby(level="ds").sum().sort_index().to_numpy(),
                               total.sort_index().to_numpy(), rtol=0, atol=1e-9)


def test_summing_matrix_and_coherent_history(hierarchy):
    S = hierarchy.S
    assert list(S.index[:3]) == ["total", "category/A", "category/B"]
    assert S.loc["total"].sum() == 5 and S.loc["category/A"].sum() == 2 and S.loc["category/B"].sum() == 3
    np.testing.assert_array_equal(S.iloc[3:].to_numpy(), np.eye(5))
    y = hierarchy.series.pivot(index="ds", columns="unique_id", values="y").fillna(0.0)
    np.testing.assert_allclose(y["total"], y[[c for c in y if c.startswith("product/")]].sum(axis=1))
    np.testing.assert_allclose(y["category/A"], y["product/a1"] + y["product/a2"])


@pytest.mark.parametrize("method", ["bottom_up", "mint"])
def test_reconciled_forecasts_add_up_at_every_step(hierarchy, method):
    run = reconcile_forecast(hierarchy, horizon=5, freq="D", model="ets", season_length=7, reconcile=method,
                             windows=2)
    f = run.forecasts
    assert set(f["level"]) == {"total", "category", "product"}
    assert f.groupby("unique_id").size().eq(5).all() and len(f) == 8 * 5
    assert set(f["reconciliation"]) == {"bottom_up" if method == "bottom_up" else "mint"}
    for column in ("forecast", "bottom_up", "mint"):
        _check_coherent(f, column)
    served = f["bottom_up"] if method == "bottom_up" else f["mint"]
    np.testing.assert_allclose(f["forecast"], served)
    assert (f["forecast-lo-95"] <= f["forecast-lo-80"]).all() and (f["forecast-lo-80"] <= f["forecast"] + 1e-9).all()
    assert (f["forecast"] <= f["forecast-hi-80"] + 1e-9).all() and (f["forecast-hi-80"] <= f["forecast-hi-95"]).all()


def test_bottom_up_is_the_sum_of_base_product_forecasts(hierarchy):
    f = reconcile_forecast(hierarchy, horizon=4, freq="D", model="ets", season_length=7, reconcile="bottom_up",
                           windows=2).forecasts
    prod = f[f["level"] == "product"]
    np.testing.assert_allclose(prod["forecast"], prod["base"], rtol=0, atol=1e-9)
    base_sum = prod.groupby("ds")["base"].sum().sort_index().to_numpy()
    np.testing.assert_allclose(f[f["level"] == "total"].sort_values("ds")["forecast"], base_sum, rtol=0, atol=1e-9)
    # The base forecasts of the aggregates (ETS on the sums) are not coherent; MinTrace moves them.
    total = f[f["level"] == "total"]
    assert not np.allclose(total["base"], total["bottom_up"])


def test_bad_reconcile_method(hierarchy):
    with pytest.raises(ShopmineInputError, match="^reconcile must be one of bottom_up, mint; got "):
        reconcile_forecast(hierarchy, horizon=3, freq="D", model="naive", season_length=7, reconcile="top_down")


@pytest.mark.parametrize("method", ["mint", "bottom_up"])
def test_cli_reconcile_writes_every_level_coherently(demo_workspace, run, tmp_path, method):
    out = tmp_path / "f.csv"
    code, stdout, stderr = run("--workspace", demo_workspace, "forecast", "--reconcile", method, "--model", "ets",
                               "--horizon", "5", "--backtest", "2", "--output", out,
                               "--output-dir", tmp_path / "run", "--metrics-output", tmp_path / "m.json")
    assert code == 0, stderr
    assert "backtest scores per level" in stdout
    scores = json.loads((tmp_path / "m.json").read_text())
    assert set(scores) == {"ets", "bottom_up", "mint"} and scores["mint"]["rmsse"] > 0
    by_level = pd.read_csv(tmp_path / "run" / "backtest_scores_by_level.csv")
    assert set(by_level["level"]) == {"all", "total", "category", "product"}
    assert set(by_level["model"]) == {"ets", "bottom_up", "mint"} and len(by_level) == 12
    frame = pd.read_csv(out, dtype={"unique_id": str})
    assert set(frame["level"]) == {"total", "category", "product"}
    assert frame.groupby(["level", "unique_id"]).size().eq(5).all()
    prod, cat = frame[frame["level"] == "product"], frame[frame["level"] == "category"]
    total = frame[frame["level"] == "total"].set_index("ds")["forecast"].sort_index()
    np.testing.assert_allclose(prod.groupby("ds")["forecast"].sum().sort_index(), total, rtol=0, atol=1e-9)
    np.testing.assert_allclose(cat.groupby("ds")["forecast"].sum().sort_index(), total, rtol=0, atol=1e-9)
    by_cat = prod.groupby(["category", "ds"])["forecast"].sum().sort_index()
    np.testing.assert_allclose(by_cat, cat.set_index(["category", "ds"])["forecast"].sort_index(), rtol=0, atol=1e-9)
    assert (tmp_path / "run" / "index.html").exists()


def test_cli_bad_reconcile_exits_2(demo_workspace, run, tmp_path):
    code, _, stderr = run("--workspace", demo_workspace, "forecast", "--reconcile", "top_down")
    assert code == 2 and "--reconcile" in stderr
    code, _, stderr = run("--workspace", demo_workspace, "forecast", "--reconcile", "mint", "--top", "5")
    assert code == 2 and "--reconcile" in stderr


def test_reconciled_backtest_scores_every_level(hierarchy):
    run = reconcile_forecast(hierarchy, horizon=5, freq="D", model="ets", season_length=7, reconcile="mint",
                             windows=3)
    bt = run.backtest
    assert {"bottom_up", "mint"} <= set(bt.columns) and bt["cutoff"].nunique() == 3
    for _, window in bt.groupby("cutoff"):
        for column in ("bottom_up", "mint"):
            _check_coherent(window, column)
        prod = window[window["level"] == "product"]
        # bottom-up keeps each product's own base forecast
        np.testing.assert_allclose(prod["bottom_up"], prod["ets"], rtol=0, atol=1e-9)
    levels = run.level_metrics
    assert set(levels) == {"all", "total", "category", "product"}
    assert set(levels["total"]) == {"ets", "bottom_up", "mint"}
    assert levels["product"]["bottom_up"]["mae"] == pytest.approx(levels["product"]["ets"]["mae"])
    # the total's bottom-up error by hand: mean over windows of the mean absolute error of the product sum
    total = bt[bt["level"] == "total"]
    summed = bt[bt["level"] == "product"].groupby(["cutoff", "ds"])["ets"].sum()
    by_hand = (total.set_index(["cutoff", "ds"])["y"] - summed).abs().groupby(level="cutoff").mean().mean()
    assert levels["total"]["bottom_up"]["mae"] == pytest.approx(by_hand)
    assert run.metrics == levels["all"]
    assert np.isnan(levels["all"]["mint"]["coverage_80"]) and 0.0 <= levels["all"]["ets"]["coverage_80"] <= 1.0


def test_reconciled_backtest_with_a_product_first_sold_inside_the_windows():
    rng = np.random.default_rng(1)
    ds = pd.date_range("2024-01-01", periods=60, freq="D")
    rows = [pd.DataFrame({"unique_id": pid, "ds": ds[start:], "y": rng.poisson(lam, 60 - start).astype(float)})
            for pid, lam, start in (("a1", 8, 0), ("a2", 4, 0), ("b1", 6, 0), ("b2", 5, 52))]
    h = build_hierarchy(pd.concat(rows, ignore_index=True), {"a1": "A", "a2": "A", "b1": "B", "b2": "B"})
    run = reconcile_forecast(h, horizon=4, freq="D", model="naive", season_length=7, reconcile="mint", windows=3)
    bt = run.backtest
    # b2 has no history at the first two origins (days 47 and 51): it is not scored there, and its
    # sales are in category B's actuals while its forecast counts as 0 in the sums
    first = bt[bt["cutoff"] == bt["cutoff"].min()]
    assert "b2" not in set(first["unique_id"])
    cat_b = first[(first["level"] == "category") & (first["unique_id"] == "B")]
    b1 = first[first["unique_id"] == "b1"].set_index("ds")["naive"]
    np.testing.assert_allclose(cat_b.set_index("ds")["bottom_up"], b1, rtol=0, atol=1e-9)
    assert np.isfinite(run.level_metrics["category"]["mint"]["rmsse"])
