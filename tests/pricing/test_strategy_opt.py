"""The strategy per customer cluster, on hand-made cluster elasticities, with the arithmetic by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from shopmine.errors import ShopmineInputError
from shopmine.pricing.strategy import STRATEGY_COLUMNS, break_even_elasticity, cluster_strategy


@pytest.fixture
def clusters():
    return pd.DataFrame({
        "cluster": ["bargain", "borderline", "loyal", "few"],
        "elasticity": [-4.0, -2.9, -0.8, np.nan], "elasticity_lo": [-4.6, -3.6, -1.3, np.nan],
        "elasticity_hi": [-3.4, -2.2, -0.3, np.nan], "n_customers": [120, 80, 300, 4],
        "discount_share": [0.6, 0.3, 0.45, 0.0], "paid_vs_list": [0.85, 0.9, 0.93, 1.0],
        "status": ["ok", "ok", "ok", "too little variation"]})


def test_break_even_by_hand():
    # 10 % off at a 40 % margin: profit ratio 0.75 * 0.9 ** e > 1  <=>  e < log(4/3) / log(0.9) = -2.7304
    assert break_even_elasticity(0.4, 0.1) == pytest.approx(math.log(4 / 3) / math.log(0.9))
    assert break_even_elasticity(0.05, 0.1) == -math.inf


def test_who_gets_a_coupon_and_the_expected_effect(clusters):
    out = cluster_strategy(clusters, margin=0.4).set_index("cluster")
    assert list(out.reset_index().columns) == STRATEGY_COLUMNS
    assert out["coupon"].to_dict() == {"bargain": "yes", "borderline": "test", "loyal": "no", "few": "no"}
    assert out.loc["bargain", "expected_units_change_pct"] == pytest.approx(100 * (0.9 ** -4 - 1))  # +52.4 %
    assert out.loc["bargain", "expected_profit_change_pct"] == pytest.approx(100 * (0.75 * 0.9 ** -4 - 1))
    assert out.loc["bargain", "expected_profit_change_pct_lo"] == pytest.approx(100 * (0.75 * 0.9 ** -3.4 - 1))
    assert out.loc["bargain", "strategy"].startswith("Price-sensitive (elasticity -4.00 (-4.60 to -3.40), 120 "
                                                     "customers): a 10% coupon is expected to change their units "
                                                     "by +52 % and profit by +14 %")
    assert "Give them targeted coupons" in out.loc["bargain", "strategy"]
    assert "Test a coupon on a sample" in out.loc["borderline", "strategy"]
    assert "No coupons" in out.loc["loyal", "strategy"] and "Stop giving them discounts" in out.loc["loyal", "strategy"]
    assert out.loc["few", "strategy"].startswith("No reliable price sensitivity for 4 customers (too little variation)")


def test_without_costs_the_decision_is_on_revenue(clusters):
    out = cluster_strategy(clusters, margin=None).set_index("cluster")
    assert out.loc["borderline", "coupon"] == "yes"  # -2.2 < -1: revenue rises even at the cautious end
    assert out.loc["loyal", "coupon"] == "no"
    assert "revenue (no unit costs)" in out.loc["bargain", "strategy"]


def test_a_bad_coupon_depth_is_refused(clusters):
    with pytest.raises(ShopmineInputError, match=r"coupon must be a share in \(0, 1\)"):
        cluster_strategy(clusters, coupon=1.0)
