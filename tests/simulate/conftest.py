"""Shops shared by the simulator tests (each built once per session; all seeds fixed)."""

from __future__ import annotations

import pandas as pd
import pytest

from shopmine.simulate import DEFAULT_SEGMENTS, SimulatedShop, simulate_shop


@pytest.fixture(scope="session")
def default_shop() -> SimulatedShop:
    """The default size (about 300,000 lines); generating it takes well under a second."""
    return simulate_shop(seed=0)


@pytest.fixture(scope="session")
def default_orders(default_shop: SimulatedShop) -> pd.DataFrame:
    return default_shop.to_pandas("orders")


@pytest.fixture(scope="session")
def small_shop() -> SimulatedShop:
    return simulate_shop(n_customers=300, n_products=60, n_days=120, seed=3)


@pytest.fixture(scope="session")
def pricing_shop() -> SimulatedShop:
    """Few products and frequent promotions: many units per product-day and much price variation."""
    return simulate_shop(n_customers=6000, n_products=80, promotions_per_year=8, seed=0)



@pytest.fixture(scope="session")
def uniform_pricing_shop() -> SimulatedShop:
    """The pricing shop with every segment's elasticity multiplier and promotion affinity at 1: one
    demand curve per product."""
    segments = [dict(s.__dict__, elasticity_multiplier=1.0, promo_affinity=1.0)
                for s in DEFAULT_SEGMENTS]
    return simulate_shop(n_customers=6000, n_products=80, promotions_per_year=8, seed=0,
                         segments=segments)
