"""Prices over time: list price steps and promotions (their effect on demand: price_response).

When promotions run is drawn in :mod:`shopmine.simulate.promotions`.

Everything here is a (days x products) grid built with difference arrays and cumulative sums, so
the cost is a few passes over the grid whatever the number of events.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from shopmine.simulate.parameters import ShopParameters
from shopmine.simulate.products import Catalogue, charm_price
from shopmine.simulate.promotions import draw_promotions


@dataclass(frozen=True)
class PriceGrid:
    """Daily prices of every product; row = day, column = product."""

    list_price: np.ndarray
    paid: np.ndarray
    # One row per promotion: product index, first day, last day (inclusive), discount fraction.
    promo_product: np.ndarray
    promo_first: np.ndarray
    promo_last: np.ndarray
    promo_depth: np.ndarray
    n_price_changes: np.ndarray  # per product


def _step_grid(n_days: int, n: int, day: np.ndarray, product: np.ndarray,
               value: np.ndarray) -> np.ndarray:
    """Cumulative sum over days of ``value`` added at (day, product): a step function per product."""
    flat = np.bincount(day * n + product, weights=value, minlength=(n_days + 1) * n)
    flat = flat.astype(np.float64, copy=False)  # bincount of nothing comes back as int
    grid = flat.reshape(n_days + 1, n)[:n_days]
    return np.cumsum(grid, axis=0, out=grid)


def build_prices(params: ShopParameters, cat: Catalogue, clock: np.ndarray,
                 rng: np.random.Generator) -> PriceGrid:
    """List prices and promotions; promotions start on the seasonal ``clock`` (see promotions)."""
    n_days, n = params.n_days, cat.n

    # List price changes: Poisson events at random days. The k-th change of a product sets its
    # list price to the launch price x exp(k x drift + N(0, sd)): prices move around a slowly
    # inflating level instead of wandering off (a random walk would take some products, over two
    # years, to prices where their demand is all favourites and complements).
    n_changes = rng.poisson(params.price_changes_per_year * n_days / 365.0, n) if n_days > 1 \
        else np.zeros(n, dtype=np.int64)
    change_product = np.repeat(np.arange(n), n_changes)
    change_day = rng.integers(1, max(n_days, 2), change_product.size)
    change_day = change_day[np.lexsort((change_day, change_product))]  # in time order per product
    rank = np.arange(change_product.size) - (np.cumsum(n_changes) - n_changes)[change_product]
    level = params.price_change_drift * (rank + 1) + rng.normal(0.0, params.price_change_sd,
                                                                change_product.size)
    first = rank == 0
    change_step = level - np.where(first, 0.0, np.roll(level, 1))
    log_factor = _step_grid(n_days, n, change_day, change_product, change_step)
    list_price = np.exp(log_factor, out=log_factor)
    list_price *= cat.base_list_price
    list_price = np.maximum(charm_price(list_price), charm_price(cat.unit_cost))
    list_price[0] = cat.base_list_price

    # Promotions: a renewal process per product (gap, promotion, gap, promotion ...), no overlaps.
    first, last, depth, product = draw_promotions(params, n, clock, rng)
    depth_grid = _step_grid(n_days, n, first, product, depth)
    depth_grid -= _step_grid(n_days, n, last + 1, product, depth)
    np.round(depth_grid, 2, out=depth_grid)
    paid = np.round(list_price * (1.0 - depth_grid), 2)
    np.maximum(paid, 0.01, out=paid)
    return PriceGrid(list_price, paid, product, first, last, depth, n_changes)
