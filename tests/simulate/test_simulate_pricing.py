"""The pricing ground truth: promotions in high season with a display lift, so naive estimates fail."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from simulate_helpers import daily_units_and_promotions, log_log_fit

from shopmine.simulate import simulate_shop


def promotion_days_in_high_season(shop) -> tuple[float, float]:
    """Share of promotion days (product x day) in the busiest quarter of the days, by the yearly
    factor; and that quarter's share of the calendar."""
    yearly = np.asarray(shop.ground_truth["daily"]["yearly"])
    high = yearly >= np.quantile(yearly, 0.75)
    start = pd.Timestamp(shop.ground_truth["period"]["start"])
    promos = shop.to_pandas("truth_promotions")
    on = np.zeros(len(yearly))
    for first, last in zip((promos["first_date"] - start).dt.days, (promos["last_date"] - start).dt.days,
                           strict=True):
        on[first:last + 1] += 1
    return on[high].sum() / on.sum(), high.mean()


def test_promotions_concentrate_in_high_season(default_shop):
    share, calendar = promotion_days_in_high_season(default_shop)
    assert calendar == pytest.approx(0.25, abs=0.01)
    assert share > 0.38  # 0.42 with the default promo_season_bias of 3
    # The seasonal clock keeps time: about promotions_per_year per product and year.
    per_year = len(default_shop.truth_promotions) / 500 / 2
    assert per_year == pytest.approx(3.0, rel=0.1)


def test_without_season_bias_promotions_ignore_the_season():
    shop = simulate_shop(n_customers=50, n_products=400, seed=1, promo_season_bias=0)
    share, calendar = promotion_days_in_high_season(shop)
    assert share == pytest.approx(calendar, abs=0.03)


def test_naive_regression_overstates_elasticity(pricing_shop):
    """Units on paid price alone: promotion days are high-season days with the display lift."""
    units, price, promoted = daily_units_and_promotions(pricing_shop)
    truth = pricing_shop.to_pandas("truth_products").set_index("product_id")["elasticity"]
    top = list(units.sum().nlargest(20).index)
    naive = log_log_fit(units, price, promoted, top, controls=False)["elasticity"] - truth[top]
    controlled = log_log_fit(units, price, promoted, top)["elasticity"] - truth[top]
    assert naive.mean() < -0.5      # about -1: |elasticity| overstated
    assert (naive < 0).mean() >= 0.9
    assert controlled.abs().mean() < 0.2 * naive.abs().mean()


def test_display_lift_is_visible(pricing_shop):
    """Units on promotion beyond what the price alone predicts: the promotion term of the fit."""
    units, price, promoted = daily_units_and_promotions(pricing_shop)
    top = list(units.sum().nlargest(20).index)
    lift = log_log_fit(units, price, promoted, top)["lift"].iloc[0]
    assert lift == pytest.approx(pricing_shop.parameters.promo_display_lift, abs=0.08)
