"""A price schedule (several prices on the same day) on hand-made price points."""

from __future__ import annotations

import pandas as pd
import pytest

from shopmine.pricing.elasticity import estimate_elasticities
from shopmine.pricing.points import price_variation
from shopmine.pricing.schedule import schedule_shares


def points(product: str, n_lines: list[int], off: list[int], prices: list[float] | None = None) -> pd.DataFrame:
    days = pd.date_range("2021-01-04", periods=len(n_lines), freq="D")
    prices = prices or [10.0 * (1 + 0.05 * (i % 4)) for i in range(len(n_lines))]
    return pd.DataFrame({"product_id": product, "category": "c", "period": days, "units": [2.0 * n for n in n_lines],
                         "avg_price": prices, "shelf_price": prices, "n_lines": n_lines, "off_shelf_lines": off})


def test_share_counts_only_days_with_several_lines_and_small_products_borrow_the_shops():
    frame = pd.concat([
        # tiers: 30 lines on days with several, 6 of them off the day's price (20 %); single-line days ignored
        points("tiers", [3] * 10 + [1] * 10, [1, 1, 1, 1, 1, 1, 0, 0, 0, 0] + [0] * 10),
        # steady: 40 lines on days with several, 1 off (2.5 %)
        points("steady", [4] * 10, [1] + [0] * 9),
        # slow: 4 lines on two days with several, none off: too few to tell, borrows the shop's 7/74
        points("slow", [2, 2, 1, 1], [0, 0, 0, 0]),
    ])
    got = schedule_shares(frame)
    assert got.loc["tiers", "off_shelf_share"] == pytest.approx(6 / 30) and got.loc["tiers", "on_schedule"]
    assert got.loc["steady", "off_shelf_share"] == pytest.approx(1 / 40) and not got.loc["steady", "on_schedule"]
    assert got.loc["slow", "schedule_lines"] == 4 and got.loc["slow", "shop_share"] == pytest.approx(7 / 74)
    assert got.loc["slow", "on_schedule"]  # 7 / 74 = 9.5 % >= 5 %
    variation = price_variation(frame).set_index("product_id")
    assert variation.loc["tiers", "reason"] == ("price schedule: 20% of its sale lines paid another price than the "
                                                "day's most common (quantity tiers or price lists)")
    assert variation.loc["slow", "reason"].endswith("and its own days hold too few lines to tell")
    assert variation.loc["steady", "enough"]
    status = estimate_elasticities(frame, method="loglog").set_index("product_id")["status"]
    assert status["tiers"] == "price schedule" and status["slow"] == "price schedule"
    assert status["steady"] != "price schedule"


def test_points_without_the_schedule_columns_have_no_schedule():
    frame = points("a", [3] * 10, [3] * 10).drop(columns=["off_shelf_lines"])
    assert not schedule_shares(frame)["on_schedule"].any()
