"""The favourites' part of the oracle: each customer's next days simulated under the simulator's rules.

A due favourite waits for a free line slot (an order's slots go to its longest overdue favourites
first), so whether it is bought in the window depends on the customer's other favourites, the number
of orders and their slots. That has no closed form; it is estimated by simulating each customer's
window ``SIMULATIONS`` times from the state the history implies: the due day of every favourite drawn
from its distribution given its last purchase (the last purchase + cycle x jitter, or uniform within
the first cycle when never bought), then day by day Poisson orders at
``rate x intensity(segment, day)``, ``1 + Poisson(basket_lines - 1)`` slots, the due favourites into the first
order's slots (longest overdue first), the other slots drawn from the customer's tastes (which may
bring a favourite as well) and a new due day after each purchase of a favourite. The random numbers come
from a generator seeded by the shop's seed and the as-of day, so the ranking is reproducible.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

SIMULATIONS = 256
PPF_GRID = 4097  # points of the jitter's quantile function, interpolated instead of calling ppf


@dataclass(frozen=True)
class FavouriteState:
    """Per favourite (rows sorted by customer) and per customer (``rate``, ``basket``)."""

    customer: np.ndarray    # customer position, non-decreasing
    cycle: np.ndarray       # days
    last: np.ndarray        # last purchase day before the window, nan if never bought
    start: np.ndarray       # the customer's start day (signup, at least 0)
    line_share: np.ndarray  # chance that one of the customer's demand lines brings the favourite
    rate: np.ndarray        # per customer: orders per day at intensity 1
    basket: np.ndarray      # per customer: mean line slots per order
    group: np.ndarray       # per customer: row of the intensity (the customer's segment)


def simulate_window(state: FavouriteState, intensity: np.ndarray, day: int, end: int, jitter: float,
                    rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """P(each favourite is bought in ``[day, end)``) and each customer's expected demand lines there.

    ``intensity`` is the order intensity per segment (rows) and day of the whole period; demand
    lines are the slots that favourites leave (the lines drawn from the customers' tastes).
    """
    n_customers = len(state.rate)
    count = np.bincount(state.customer, minlength=n_customers)
    width = int(count.max(initial=0))
    slot = np.arange(len(state.customer)) - np.searchsorted(state.customer, state.customer)
    # Padded (customer, favourite) layout; empty places have an infinite due day.
    cycle = np.ones((n_customers, max(width, 1)))
    cycle[state.customer, slot] = state.cycle
    share = np.zeros((n_customers, max(width, 1)))
    share[state.customer, slot] = state.line_share
    due = np.full((n_customers, SIMULATIONS, max(width, 1)), np.inf)
    due[state.customer, :, slot] = _first_due(state, jitter, rng)
    bought = np.zeros(due.shape, dtype=bool)
    demand = np.zeros((n_customers, SIMULATIONS))
    shape = 1.0 / jitter ** 2 if jitter > 0 else 0.0
    for d in range(day, end):
        n_orders = rng.poisson(np.broadcast_to((state.rate * intensity[state.group, d])[:, None],
                                               (n_customers, SIMULATIONS)))
        who, sim = np.nonzero(n_orders)
        if who.size == 0:
            continue
        basket = state.basket[who]
        first_slots = 1 + rng.poisson(basket - 1.0)
        later = n_orders[who, sim] - 1
        total = first_slots + later + rng.poisson((basket - 1.0) * later)
        pending = due[who, sim]  # (k, width)
        is_due = pending <= d
        # Rank of each due favourite by its due day: the longest overdue get the slots.
        rank = np.argsort(np.argsort(np.where(is_due, pending, np.inf), axis=1, kind="stable"),
                          axis=1, kind="stable")
        picked = is_due & (rank < first_slots[:, None])
        lines = total - picked.sum(axis=1)
        demand[who, sim] += lines
        # The other slots are drawn from the customer's tastes and may bring a favourite too.
        taste = 1.0 - (1.0 - share[who]) ** lines[:, None]
        picked |= np.isfinite(pending) & (rng.random(pending.shape) < taste)
        rows, cols = np.nonzero(picked)
        gap = cycle[who[rows], cols]
        if shape > 0:
            gap = gap * rng.gamma(shape, 1.0 / shape, len(rows))
        due[who[rows], sim[rows], cols] = d + gap
        bought[who[rows], sim[rows], cols] = True
    probability = bought.mean(axis=1)[state.customer, slot]
    return probability, demand.mean(axis=1)


def _first_due(state: FavouriteState, jitter: float, rng: np.random.Generator) -> np.ndarray:
    """Due days (favourites x SIMULATIONS): the last purchase + cycle x jitter, or never bought,
    uniform within the first cycle after the customer's start.

    Not conditioned on the customer's orders since: a favourite that was due then may have found no
    free slot (conditioning as if it could not have been due ranks such favourites too low).
    """
    n = len(state.customer)
    bought = ~np.isnan(state.last)
    u = rng.random((n, SIMULATIONS))
    if jitter > 0:
        shape = 1.0 / jitter ** 2
        grid = np.linspace(0.0, 1.0, PPF_GRID)
        ppf = stats.gamma.ppf(grid, shape, scale=1.0 / shape)
        ppf[-1] = ppf[-2]  # ppf(1) is infinite
        gap = np.interp(u, grid, ppf)
    else:
        gap = np.ones((n, SIMULATIONS))
    unit = np.where(bought[:, None], gap, u)
    base = np.where(bought, state.last, state.start)
    return base[:, None] + state.cycle[:, None] * unit
