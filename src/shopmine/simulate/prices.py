"""Prices over time: list price steps and promotions, and the demand weight they imply.

Everything here is a (days x products) grid built with difference arrays and cumulative sums, so
the cost is a few passes over the grid whatever the number of events.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from shopmine.simulate.parameters import ShopParameters
from shopmine.simulate.products import Catalogue, charm_price

PROMO_STEP = 0.05


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


def build_prices(params: ShopParameters, cat: Catalogue, rng: np.random.Generator) -> PriceGrid:
    n_days, n = params.n_days, cat.n

    # List price steps: Poisson events at random days, log-normal step sizes.
    n_changes = rng.poisson(params.price_changes_per_year * n_days / 365.0, n) if n_days > 1 \
        else np.zeros(n, dtype=np.int64)
    change_product = np.repeat(np.arange(n), n_changes)
    change_day = rng.integers(1, max(n_days, 2), change_product.size)
    change_step = rng.normal(params.price_change_drift, params.price_change_sd, change_product.size)
    log_factor = _step_grid(n_days, n, change_day, change_product, change_step)
    list_price = np.exp(log_factor, out=log_factor)
    list_price *= cat.base_list_price
    list_price = np.maximum(charm_price(list_price), charm_price(cat.unit_cost))
    list_price[0] = cat.base_list_price

    # Promotions: a renewal process per product (gap, promotion, gap, promotion ...), no overlaps.
    first, last, depth, product = _promotions(params, n, rng)
    depth_grid = _step_grid(n_days, n, first, product, depth)
    depth_grid -= _step_grid(n_days, n, last + 1, product, depth)
    np.round(depth_grid, 2, out=depth_grid)
    paid = np.round(list_price * (1.0 - depth_grid), 2)
    np.maximum(paid, 0.01, out=paid)
    return PriceGrid(list_price, paid, product, first, last, depth, n_changes)


def _promotions(params: ShopParameters, n: int, rng: np.random.Generator
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    n_days = params.n_days
    empty = np.zeros(0, dtype=np.int64)
    if params.promotions_per_year == 0:
        return empty, empty, np.zeros(0), empty
    mean_len = (params.promo_days_min + params.promo_days_max) / 2
    mean_gap = max(365.0 / params.promotions_per_year - mean_len, 1.0)
    # Enough candidate cycles that running out before the last day is practically impossible.
    k = int(np.ceil(2 * n_days / (mean_gap + mean_len))) + 8
    gaps = np.ceil(rng.exponential(mean_gap, (n, k))).astype(np.int64)
    lengths = rng.integers(params.promo_days_min, params.promo_days_max + 1, (n, k))
    depths = rng.uniform(params.promo_depth_min, params.promo_depth_max, (n, k))
    depths = np.clip(np.round(depths / PROMO_STEP) * PROMO_STEP, params.promo_depth_min,
                     params.promo_depth_max).round(2)
    # The first gap starts at a random point of a cycle, so day 0 is not special.
    gaps[:, 0] = (rng.random(n) * (mean_gap + mean_len)).astype(np.int64)
    starts = np.cumsum(gaps + lengths, axis=1) - lengths
    keep = starts < n_days
    product = np.broadcast_to(np.arange(n)[:, None], (n, k))[keep]
    first = starts[keep]
    last = np.minimum(first + lengths[keep], n_days) - 1
    return first, last, depths[keep], product


def demand_weights(grid: PriceGrid, cat: Catalogue) -> np.ndarray:
    """popularity x (paid / reference price) ** elasticity, per day and product.

    The row sum is the promotion index of the day (1 when every product is at its launch price).
    """
    w = np.divide(grid.paid, cat.base_list_price)
    np.log(w, out=w)
    w *= cat.elasticity
    np.exp(w, out=w)
    w *= cat.popularity
    return w
