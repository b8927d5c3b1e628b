"""Elasticity estimators on tiny hand-made panels: exact answers, confounding, statuses, intervals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from shopmine.errors import ShopmineInputError
from shopmine.pricing.elasticity import ELASTICITY_COLUMNS, estimate_elasticities
from shopmine.pricing.points import price_variation

DAYS = pd.date_range("2023-01-02", periods=120, freq="D")


def points_frame(rows: list[dict]) -> pd.DataFrame:
    """Price points with the columns the estimators read (n_lines = units unless given)."""
    frame = pd.DataFrame(rows)
    defaults = {"n_lines": frame["units"], "discount_share": 0.0, "returns": 0.0, "category": "home/decor",
                "list_price": frame["avg_price"]}
    for name, default in defaults.items():
        frame[name] = frame[name].fillna(default) if name in frame.columns else default
    frame["units_model"] = frame["units"]
    frame["revenue"] = frame["units"] * frame["avg_price"].fillna(0.0)
    return frame


def constant_elasticity(product: str, elasticity: float, prices: np.ndarray, level: float = 100.0) -> list[dict]:
    """A product whose units are exactly level * (price / 10) ** elasticity, one row per day."""
    units = level * (prices / 10.0) ** elasticity
    return [{"product_id": product, "period": d, "units": u, "avg_price": p}
            for d, u, p in zip(DAYS, units, prices)]


def steps(low: float, high: float, n: int = len(DAYS)) -> np.ndarray:
    """Prices switching between three levels every ten days."""
    levels = np.array([low, (low + high) / 2, high])
    return levels[(np.arange(n) // 10) % 3]


def test_constant_elasticity_comes_back_exactly_from_least_squares():
    # A second product at a constant 50 units: the traffic control does not vary and is left out.
    rows = constant_elasticity("A", -2.0, steps(8.0, 12.0))
    rows += [{"product_id": "B", "period": d, "units": 50.0, "avg_price": 5.0} for d in DAYS]
    points = points_frame(rows)
    for method in ("naive", "loglog"):
        out = estimate_elasticities(points, method=method).set_index("product_id")
        assert out.loc["A", "elasticity"] == pytest.approx(-2.0, abs=1e-9), method
        assert out.loc["A", "status"] == "ok" and out.loc["A", "method"] == method
        assert out.loc["B", "status"] == "too little variation" and np.isnan(out.loc["B", "elasticity"])


def test_count_model_gives_back_an_exact_truncated_mean():
    # The count model's fit is exact when each day's lines equal their expected count given a sale,
    # mu / (1 - exp(-mu)) with mu = exp(1.5) * (price / 10) ** -1.7 (a lone product: no shrinkage).
    prices = steps(7.0, 13.0)
    mu = np.exp(1.5) * (prices / 10.0) ** -1.7
    lines = mu / -np.expm1(-mu)
    points = points_frame([{"product_id": "A", "period": d, "units": n, "n_lines": n, "avg_price": p}
                           for d, n, p in zip(DAYS, lines, prices)])
    out = estimate_elasticities(points).iloc[0]
    assert out["method"] == "shrinkage" and out["status"] == "ok"
    assert out["elasticity"] == pytest.approx(-1.7, abs=1e-5)
    assert out["elasticity_lo"] < -1.7 < out["elasticity_hi"]


def confounded_shop(seed: int = 3, n_products: int = 12, n_days: int = 420) -> tuple[pd.DataFrame, pd.Series]:
    """Daily Poisson sales of one category whose promotions come in the high season with a display lift.

    Expected lines of product i on day t: exp(a_i) * season_t * (price_it / list_i) ** e_i * 1.4 ** promo_it,
    one unit per line. Promotions (25 % off, a week long) start mostly when the season is high, so a
    regression of units on the price alone takes the season's and the display's lift for the price's.
    """
    rng = np.random.default_rng(seed)
    days = pd.date_range("2023-01-02", periods=n_days, freq="D")
    season = 1.0 + 0.6 * np.sin(2 * np.pi * np.arange(n_days) / 365.25) ** 2
    truth = pd.Series(rng.uniform(-2.6, -1.4, n_products), index=[f"P{i:02d}" for i in range(n_products)])
    rows = []
    for i, (product, elasticity) in enumerate(truth.items()):
        list_price = np.where(np.arange(n_days) < rng.integers(100, 300), 20.0, 20.0 * rng.choice([0.85, 1.15]))
        start_prob = 0.004 + 0.05 * (season - 1.0) ** 2
        promo = np.zeros(n_days, dtype=bool)
        day = 0
        while day < n_days:
            if rng.random() < start_prob[day]:
                promo[day:day + 7] = True
                day += 14
            day += 1
        depth = np.where(promo, rng.choice([0.15, 0.25, 0.35]), 0.0)
        price = list_price * (1 - depth)
        mu = np.exp(2.0 + 0.1 * i) * season * (price / 20.0) ** elasticity * np.where(promo, 1.4, 1.0)
        lines = rng.poisson(mu)
        for d, n, p, lp, on in zip(days, lines, price, list_price, promo):
            if n > 0:
                rows.append({"product_id": product, "category": "sports/outdoor", "period": d, "units": float(n),
                             "n_lines": int(n), "avg_price": p, "list_price": lp, "discount_share": float(on)})
    return points_frame(rows), truth


def test_naive_is_fooled_by_confounding_and_the_default_is_not():
    points, truth = confounded_shop()
    errors = {}
    for method in ("naive", "default"):
        out = estimate_elasticities(points, method=method).set_index("product_id")
        errors[method] = (out["elasticity"] - truth).abs().median()
        bias = (out["elasticity"] - truth).median()
        if method == "naive":
            assert bias < -0.3  # steeper than the truth: the season and the display credited to the price
    assert errors["naive"] > 0.3
    assert errors["default"] < 0.15
    assert errors["default"] < errors["naive"] / 3


def test_statuses_by_case():
    rng = np.random.default_rng(0)
    flat = 40.0 * np.exp(rng.normal(0, 0.6, len(DAYS)))  # no response to the price, much noise
    rows = constant_elasticity("ok", -2.0, steps(8.0, 12.0))
    rows += [{"product_id": "constant", "period": d, "units": 5.0, "avg_price": 9.99} for d in DAYS]
    rows += constant_elasticity("rising", 1.0, steps(8.0, 12.0))
    rows += [{"product_id": "noise", "period": d, "units": u, "avg_price": p}
             for d, u, p in zip(DAYS, flat, steps(9.5, 10.5))]
    rows += [{"product_id": "returned", "period": DAYS[3], "units": 0.0, "avg_price": None, "returns": 2.0}]
    out = estimate_elasticities(points_frame(rows), method="loglog").set_index("product_id")
    assert out["status"].to_dict() == {"constant": "too little variation", "noise": "not significant",
                                       "ok": "ok", "returned": "returns only", "rising": "not negative"}
    assert out.loc[["constant", "returned"], ["elasticity", "elasticity_lo", "elasticity_hi"]].isna().all().all()
    assert out.loc["returned", "n_periods"] == 0 and out.loc["constant", "n_periods"] == len(DAYS)
    assert out.loc["rising", "elasticity"] == pytest.approx(1.0, abs=1e-9)


@pytest.mark.parametrize("method", ["naive", "loglog", "default"])
def test_intervals_are_ordered_and_columns_follow_the_contract(method):
    points, _ = confounded_shop(n_products=6, n_days=300)
    out = estimate_elasticities(points, method=method, confidence=0.9)
    assert tuple(out.columns) == ELASTICITY_COLUMNS
    assert list(out["product_id"]) == sorted(points["product_id"].unique())
    known = out.dropna(subset=["elasticity"])
    assert len(known) == 6
    assert (known["elasticity_lo"] <= known["elasticity"]).all()
    assert (known["elasticity"] <= known["elasticity_hi"]).all()
    wider = estimate_elasticities(points, method=method, confidence=0.99)
    assert ((wider["elasticity_hi"] - wider["elasticity_lo"]) > (out["elasticity_hi"] - out["elasticity_lo"])).all()


def test_variation_check_says_what_fell_short():
    rows = constant_elasticity("ok", -2.0, steps(8.0, 12.0))
    rows += [{"product_id": "short", "period": d, "units": 3.0, "avg_price": p}
             for d, p in zip(DAYS[:5], [9.0, 10.0, 11.0, 9.0, 10.0])]
    rows += [{"product_id": "two", "period": d, "units": 3.0, "avg_price": p}
             for d, p in zip(DAYS, steps(10.0, 10.1))]
    out = price_variation(points_frame(rows)).set_index("product_id")
    assert out["enough"].to_dict() == {"ok": True, "short": False, "two": False}
    assert out.loc["ok", "reason"] == "" and out.loc["ok", "n_price_levels"] == 3
    assert out.loc["short", "reason"] == "5 periods with sales (need 8)"
    # 10.0, 10.05 and 10.1 are one price level apart in 1 % steps: two levels, a spread under 2 %.
    assert out.loc["two", "reason"].startswith("2 price level(s) (need 3); price spread 0.004 in log")


def test_bad_options_are_refused():
    points = points_frame(constant_elasticity("A", -2.0, steps(8.0, 12.0)))
    with pytest.raises(ShopmineInputError, match="method must be one of default, naive, loglog"):
        estimate_elasticities(points, method="ols")
    with pytest.raises(ShopmineInputError, match="confidence must be a number strictly between 0 and 1"):
        estimate_elasticities(points, confidence=95)
    with pytest.raises(ShopmineInputError, match="points lacks the column.*avg_price"):
        estimate_elasticities(points.drop(columns="avg_price"))


@pytest.mark.parametrize("method", ["default", "naive", "loglog", "dml"])
def test_a_shop_without_price_variation_gets_statuses_not_errors(method):
    points = points_frame([{"product_id": "c", "period": d, "units": 5.0, "avg_price": 9.99} for d in DAYS])
    out = estimate_elasticities(points, method=method)
    assert out["status"].tolist() == ["too little variation"] and out["elasticity"].isna().all()
    empty = estimate_elasticities(points.iloc[:0], method=method)
    assert tuple(empty.columns) == ELASTICITY_COLUMNS and empty.empty
    assert empty["elasticity"].dtype == float
