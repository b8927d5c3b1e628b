"""What goes into the baskets: the day's products drawn from the demand weights, then dealt out.

Per day, the products of all lines are drawn from ``popularity x (price / reference) ** elasticity``
(so the market-level demand follows the truth exactly), then matched to the day's lines in two
sorted passes: first each line gets a top category, preferring the customer's favourite; then,
within a category, the promoted products go to the lines of the most price-sensitive customers.
Matching permutes who gets what, never what is bought, so elasticities stay identified while
bargain hunters still buy far more on promotion.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from shopmine.simulate.prices import PriceGrid
from shopmine.simulate.products import Catalogue

SENS_LEVELS = 8192  # 5 top categories x 8192 levels fit a 16-bit sort key


@dataclass(frozen=True)
class Slots:
    """Per-order inputs of the matching."""

    day: np.ndarray
    n_lines: np.ndarray
    sensitivity: np.ndarray  # price sensitivity in [0, 1]
    affinity: np.ndarray     # probability of a line going to the favourite category
    favourite: np.ndarray    # top category index


def fill_baskets(slots: Slots, weights: np.ndarray, grid: PriceGrid, cat: Catalogue,
                 top_share: np.ndarray, noise: float, rng: np.random.Generator,
                 progress: Callable[[float], None] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Product index for every line; lines are returned grouped by order.

    Returns
    -------
    line_order, line_product : numpy.ndarray
        Order index and product index per line.
    """
    n_days = weights.shape[0]
    line_order = np.repeat(np.arange(len(slots.day)), slots.n_lines)
    n = len(line_order)
    # 16-bit keys everywhere below: numpy sorts them stably with a radix sort, in linear time.
    day_type = np.int16 if n_days < 2**15 else np.int64
    line_day = slots.day.astype(day_type)[line_order]
    # "sensitivity + noise", squashed rank-preservingly into [0, 8192) for the sort key.
    raw = slots.sensitivity[line_order] - 0.5 + noise * rng.standard_normal(n)
    sens_key = ((0.5 + 0.5 * raw / (1.0 + np.abs(raw))) * SENS_LEVELS).astype(np.uint16)
    del raw
    target = np.where(rng.random(n) < slots.affinity[line_order], slots.favourite[line_order],
                      rng.choice(len(top_share), size=n, p=top_share)).astype(np.uint16)

    # Random order within a day, so that ties in the matching fall on random lines.
    shuffled = rng.permutation(n)
    by_day = shuffled[np.argsort(line_day[shuffled], kind="stable")]
    del shuffled
    bounds = np.searchsorted(line_day[by_day], np.arange(n_days + 1))
    top = cat.top.astype(np.uint16)
    product = np.empty(n, dtype=np.int64)
    for d in range(n_days):
        idx = by_day[bounds[d]:bounds[d + 1]]
        if idx.size == 0:
            continue
        cw = np.cumsum(weights[d])
        # Sorted uniforms make the search cache-friendly; the lines side is in random order.
        u = np.sort(rng.random(idx.size)) * cw[-1]
        drawn = np.minimum(np.searchsorted(cw, u, side="right"), cat.n - 1)
        # Sorted uniforms give products in id order; shuffle them, or the stable sorts below
        # would hand low ids to the least price-sensitive customers (a spurious pattern).
        drawn = drawn[rng.permutation(idx.size)]
        drawn_top = top[drawn]
        # Pass 1: categories. Equal-sized sorted lists, so a line's category is the one at its rank.
        assigned = np.empty(idx.size, dtype=np.uint16)
        assigned[np.argsort(target[idx], kind="stable")] = np.sort(drawn_top, kind="stable")
        # Pass 2: within a category, deeper discounts go to more price-sensitive lines.
        line_key = assigned * SENS_LEVELS + sens_key[idx]
        depth = np.rint(100.0 * (1.0 - grid.paid[d, drawn] / grid.list_price[d, drawn]))
        product_key = drawn_top * 128 + depth.astype(np.uint16)
        product[idx[np.argsort(line_key, kind="stable")]] = drawn[np.argsort(product_key,
                                                                           kind="stable")]
        if progress is not None and d % 32 == 0:
            progress(d / n_days)
    return line_order, product
