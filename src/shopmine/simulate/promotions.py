"""When promotions run: a renewal process per product on a seasonal clock.

Shops promote when customers are there to see it, so promotions start mostly in high season: the
gaps between promotions are drawn on a clock that runs at speed ``yearly(day) ** promo_season_bias``
(rescaled to mean 1 over the year), so a gap of 30 clock days lasts 30 calendar days on an average
day, fewer in December and more in July. Promotion lengths are calendar days. With a bias of 0 the
clock is the calendar and promotions are independent of the season.

That makes a naive regression of units on the paid price confounded: promotion days are high-season
days with more traffic (and, with the display lift, more demand at the same price).
"""

from __future__ import annotations

import numpy as np

from shopmine.simulate.parameters import ShopParameters

PROMO_STEP = 0.05


def season_clock(yearly: np.ndarray, year_profile: np.ndarray, bias: float) -> np.ndarray:
    """Cumulative clock ``C`` (length days + 1, ``C[0] = 0``) at speed ``yearly ** bias``.

    ``year_profile`` is the yearly factor of the 365 days of a year; the speed is rescaled so that
    its mean over a year is 1 (the clock keeps time on average: ``promotions_per_year`` holds).
    """
    speed = yearly ** bias / np.mean(year_profile ** bias)
    return np.concatenate(([0.0], np.cumsum(speed)))


def draw_promotions(params: ShopParameters, n: int, clock: np.ndarray, rng: np.random.Generator
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per promotion: first day, last day (inclusive), discount fraction, product index.

    Per product: gap, promotion, gap, promotion ... never overlapping, at least one day apart. Gaps
    are exponential on the seasonal ``clock``; lengths are uniform in calendar days.
    """
    n_days = params.n_days
    empty = np.zeros(0, dtype=np.int64)
    if params.promotions_per_year == 0:
        return empty, empty, np.zeros(0), empty
    mean_len = (params.promo_days_min + params.promo_days_max) / 2
    mean_gap = max(365.0 / params.promotions_per_year - mean_len, 1.0)
    products, firsts, lengths, depths = [], [], [], []
    # The first gap starts at a random point of a cycle, so day 0 is not special.
    open_ = np.arange(n)
    target = rng.random(n) * (mean_gap + mean_len)
    # One cycle (gap, promotion) of every product still within the period per round; a product
    # leaves once a promotion starts after the last day.
    while open_.size:
        # A start beyond the clock's end (the last day) is out of the period.
        start = np.searchsorted(clock, target, side="left")
        length = rng.integers(params.promo_days_min, params.promo_days_max + 1, open_.size)
        depth = rng.uniform(params.promo_depth_min, params.promo_depth_max, open_.size)
        inside = start < n_days
        products.append(open_[inside])
        firsts.append(start[inside])
        lengths.append(length[inside])
        depths.append(depth[inside])
        open_, free = open_[inside], (start + length)[inside]
        # The next gap runs from the day after the promotion: at least one calendar day, as the
        # ceiled exponential on the calendar clock.
        target = clock[np.minimum(free, n_days)] + rng.exponential(mean_gap, open_.size)
    product = np.concatenate(products)
    first = np.concatenate(firsts)
    last = np.minimum(first + np.concatenate(lengths), n_days) - 1
    depth = np.concatenate(depths)
    depth = np.clip(np.round(depth / PROMO_STEP) * PROMO_STEP, params.promo_depth_min,
                    params.promo_depth_max).round(2)
    return first, last, depth, product
