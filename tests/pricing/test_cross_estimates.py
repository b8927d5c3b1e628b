"""Cross-price effects and category elasticities on toy categories with known answers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from shopmine.errors import ShopmineInputError
from shopmine.pricing.elasticity import CATEGORY_COLUMNS, category_elasticities
from shopmine.pricing.elasticity_cross import CROSS_COLUMNS, cross_price_effects

DAYS = pd.date_range("2023-01-02", periods=360, freq="D")


def category_points(seed: int = 11, elasticities: tuple[float, ...] = (-2.0, -1.6, -2.4, -1.8, -2.2),
                    cross: float = 1.5, category: str = "home/kitchen") -> pd.DataFrame:
    """Daily Poisson sale lines of one category. Each product's price moves on its own (regular price
    changes and promotions at random); the first product also sells exp(cross * index) times more when the others
    are dear, index being the mean of their log price deviations from their own means."""
    rng = np.random.default_rng(seed)
    n = len(DAYS)
    prices = []
    for _ in elasticities:
        # A new regular price every 30 days or so, drawn from three levels (stationary: random walks
        # of two products' prices would correlate by chance over a year).
        level = 20.0 * rng.choice([0.85, 1.0, 1.15], n)[np.cumsum(rng.random(n) < 1 / 30)]
        promo = rng.random(n) < 0.15
        prices.append(np.round(level * np.where(promo, 0.75, 1.0), 2))
    logs = np.log(np.array(prices))
    deviations = logs - logs.mean(axis=1, keepdims=True)
    rows = []
    for i, (elasticity, price) in enumerate(zip(elasticities, prices)):
        index = (deviations.sum(axis=0) - deviations[i]) / max(len(prices) - 1, 1)
        mu = np.exp(3.0) * (price / 20.0) ** elasticity * np.exp(cross * index if i == 0 else 0.0)
        lines = rng.poisson(mu)
        for day, count, p in zip(DAYS, lines, price):
            if count:
                rows.append({"product_id": f"{category[:2]}{i}", "category": category, "period": day,
                             "units": float(count), "n_lines": int(count), "avg_price": p, "list_price": np.nan,
                             "discount_share": 0.0, "returns": 0.0})
    return pd.DataFrame(rows)


def test_a_substitute_shows_a_positive_cross_effect_and_the_others_none():
    # A second category, whose sales are the traffic control of the first (and the first's of it).
    other = category_points(seed=12, cross=0.0, category="garden")
    out = cross_price_effects(pd.concat([category_points(), other])).set_index("product_id")
    assert tuple(out.reset_index().columns) == CROSS_COLUMNS
    assert out.loc["ho0", "status"] == "ok"
    assert out.loc["ho0", "cross_elasticity"] == pytest.approx(1.5, abs=0.35)
    assert out.loc["ho0", "cross_lo"] < 1.5 < out.loc["ho0", "cross_hi"]
    assert out.loc["ho0", "own_elasticity"] == pytest.approx(-2.0, abs=0.2)
    others = out.drop(index="ho0")
    assert (others["cross_elasticity"].abs() < 0.6).all()
    assert (others["status"] == "not significant").sum() >= 7


def test_a_lone_product_has_no_cross_effect():
    lone = category_points(seed=2, elasticities=(-2.0,), cross=0.0, category="garden")
    out = cross_price_effects(pd.concat([category_points(), lone])).set_index("product_id")
    assert out.loc["ga0", "status"] == "too little variation" and np.isnan(out.loc["ga0", "cross_elasticity"])
    assert out.loc["ga0", "n_periods"] == 0


def test_category_elasticity_is_the_mean_its_products_scatter_around():
    rng = np.random.default_rng(4)
    truth = tuple(rng.normal(-2.0, 0.3, 10))
    points = pd.concat([category_points(seed=7, elasticities=truth, cross=0.0),
                        category_points(seed=8, elasticities=(-1.0,), cross=0.0, category="toys")])
    out = category_elasticities(points).set_index("category")
    assert tuple(out.reset_index().columns) == CATEGORY_COLUMNS
    kitchen = out.loc["home/kitchen"]
    assert kitchen["status"] == "ok" and kitchen["n_products"] == 10
    assert kitchen["elasticity_lo"] < np.mean(truth) < kitchen["elasticity_hi"]
    assert kitchen["elasticity"] == pytest.approx(np.mean(truth), abs=0.15)
    assert kitchen["spread"] == pytest.approx(np.std(truth), abs=0.15)
    # One product of its own: the shop's prior stands in, and says so.
    assert out.loc["toys", "status"] == "shop prior" and out.loc["toys", "n_products"] == 1


def test_bad_confidence_is_refused():
    with pytest.raises(ShopmineInputError, match="confidence must be a number strictly between 0 and 1"):
        cross_price_effects(category_points(), confidence=0)
