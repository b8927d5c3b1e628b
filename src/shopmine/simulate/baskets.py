"""What goes into the baskets: favourites that are due, lines drawn from demand, and complements.

Day by day (orders sorted by day):

1. *Favourites*: the favourites of an ordering customer whose cycle has come due take the order's
   line slots, the longest overdue first; those left over stay due for the next order.
2. *Demand lines*: the remaining slots get products drawn from the day's demand,
   ``popularity x (price / reference) ** elasticity``, less what favourites and complements
   already bought of each product (a per-product ledger, so that every product's sales still follow
   its demand formula in expectation). The drawn products are matched to the day's lines in two
   sorted passes: first each line gets a top category, preferring the customer's favourite; then,
   within a category, the promoted products go to the lines of the most price-sensitive customers.
   Matching permutes who gets what, never what is bought, so elasticities stay identified while
   bargain hunters still buy far more on promotion.
3. *Complements*: each bought product's complements join the basket with their probability (and
   theirs in turn).

Any purchase of a customer's favourite (whatever brought it) restarts its cycle: the next one is
due ``cycle x jitter`` days later, jitter ~ Gamma with mean 1.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from shopmine.simulate.preferences import Preferences
from shopmine.simulate.prices import PriceGrid
from shopmine.simulate.products import Catalogue

SENS_LEVELS = 8192  # 5 top categories x 8192 levels fit a 16-bit sort key


@dataclass(frozen=True)
class Slots:
    """Per-order inputs; orders sorted by day."""

    day: np.ndarray
    customer: np.ndarray     # account index, -1 for a guest
    n_lines: np.ndarray      # line slots; due favourites fill them first
    sensitivity: np.ndarray  # price sensitivity in [0, 1]
    affinity: np.ndarray     # probability of a demand line going to the favourite category
    favourite: np.ndarray    # top category index


@dataclass(frozen=True)
class Streams:
    demand: np.random.Generator       # products drawn from demand and their matching
    repeats: np.random.Generator      # the jitter of the favourites' cycles
    complements: np.random.Generator  # which complements join


def fill_baskets(slots: Slots, prefs: Preferences, weights: np.ndarray, grid: PriceGrid,
                 cat: Catalogue, top_share: np.ndarray, noise: float, jitter: float,
                 streams: Streams, progress: Callable[[float], None] | None = None
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Product index for every line; lines are returned grouped by order (orders in index order).

    Returns
    -------
    line_order, line_product : numpy.ndarray
        Order index and product index per line.
    demand_share : numpy.ndarray
        Per product, its expected share of the lines drawn from demand over the period (demand
        less what favourites and complements bought: below the popularity of a product that is
        often someone's favourite or complement).
    """
    n_days = weights.shape[0]
    bounds = np.searchsorted(slots.day, np.arange(n_days + 1))
    day_lines = _DayLines(slots, prefs, cat, jitter, streams)
    demand = _Demand(slots, weights, grid, cat, top_share, noise, streams.demand)
    orders, products = [], []
    for d in range(n_days):
        lo, hi = bounds[d], bounds[d + 1]
        if lo < hi:
            fav_order, fav_product = day_lines.due_favourites(lo, hi, d)
            n_fav = np.bincount(fav_order - lo, minlength=hi - lo)
            # Favourites take an order's first slots; demand lines fill the rest.
            count = np.maximum(slots.n_lines[lo:hi] - n_fav, 0)
            taste_slot = _ranges(demand.slot_start[lo:hi] + n_fav, count)
            taste_order = np.repeat(np.arange(lo, hi), count)
            taste_product = demand.draw(d, taste_order, taste_slot, fav_product)
            order = np.concatenate((fav_order, taste_order))
            product = np.concatenate((fav_product, taste_product))
            comp_order, comp_product = day_lines.complements(order, product)
            demand.settle(d, comp_product)
            order = np.concatenate((order, comp_order))
            product = np.concatenate((product, comp_product))
            day_lines.bought(order, product, d)
            by_order = np.argsort(order, kind="stable")
            orders.append(order[by_order])
            products.append(product[by_order])
        if progress is not None and d % 32 == 0:
            progress(d / n_days)
    empty = np.empty(0, dtype=np.int64)
    drawn = demand.expected
    share = drawn / drawn.sum() if drawn.sum() > 0 else cat.popularity.copy()
    return (np.concatenate(orders) if orders else empty,
            np.concatenate(products) if products else empty, share)


class _DayLines:
    """The favourites' cycles (state across days) and the complements of the day's purchases."""

    def __init__(self, slots: Slots, prefs: Preferences, cat: Catalogue, jitter: float,
                 streams: Streams):
        self.slots, self.prefs, self.n_products = slots, prefs, cat.n
        self.keys = prefs.keys(cat.n)
        n_accounts = int(max(slots.customer.max(initial=-1), prefs.customer.max(initial=-1))) + 1
        self.ptr = np.searchsorted(prefs.customer, np.arange(n_accounts + 1))
        self.next_due = prefs.first_due.copy()
        # Gamma jitter with mean 1 and coefficient of variation `jitter`; none at 0.
        self.shape = 1.0 / jitter ** 2 if jitter > 0 else 0.0
        self.rng_repeats, self.rng_complements = streams.repeats, streams.complements

    def due_favourites(self, lo: int, hi: int, day: int) -> tuple[np.ndarray, np.ndarray]:
        """Favourite lines of orders ``lo..hi-1`` (one per due favourite and customer)."""
        customer = self.slots.customer[lo:hi]
        registered = np.nonzero(customer >= 0)[0]
        start = self.ptr[customer[registered]]
        count = self.ptr[customer[registered] + 1] - start
        order = lo + np.repeat(registered, count)
        pair = _ranges(start, count)
        due = self.next_due[pair] <= day
        order, pair = order[due], pair[due]
        # A customer with two orders that day buys a due favourite in the first one only.
        first = _first_of_each(pair)
        if first is not None:
            order, pair = order[first], pair[first]
        # At most the order's slots, the longest overdue first; the others stay due.
        by_due = np.lexsort((self.next_due[pair], order))
        order, pair = order[by_due], pair[by_due]
        place = np.arange(len(order)) - np.searchsorted(order, order)
        keep = place < self.slots.n_lines[order]
        order, pair = order[keep], pair[keep]
        return order, self.prefs.product[pair]

    def complements(self, order: np.ndarray, product: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Complements joining the baskets of the lines ``order, product``, then theirs, and so on.

        A complement joins an order at most once and never when the order holds it already.
        """
        present = order * self.n_products + product
        joined = [(order[:0], product[:0])]
        while len(order):
            order, product = self._joining(order, product, present)
            present = np.concatenate((present, order * self.n_products + product))
            joined.append((order, product))
        return (np.concatenate([o for o, _ in joined]), np.concatenate([p for _, p in joined]))

    def _joining(self, order: np.ndarray, product: np.ndarray,
                 present: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        ptr = self.prefs.comp_ptr
        count = ptr[product + 1] - ptr[product]
        edge = _ranges(ptr[product], count)
        joins = self.rng_complements.random(len(edge)) < self.prefs.comp_prob[edge]
        if not joins.any():
            return order[:0], product[:0]
        owner = np.repeat(np.arange(len(product)), count)[joins]
        key = order[owner] * self.n_products + self.prefs.comp_product[edge[joins]]
        both = np.concatenate((present, key))
        by_key = np.argsort(both, kind="stable")  # a basket's own line sorts before its duplicate
        ranked = both[by_key]
        new = np.concatenate(([True], ranked[1:] != ranked[:-1])) & (by_key >= len(present))
        key = np.sort(ranked[new])
        return key // self.n_products, key % self.n_products

    def bought(self, order: np.ndarray, product: np.ndarray, day: int) -> None:
        """Restart the cycle of every favourite bought today, whatever brought it into the basket."""
        customer = self.slots.customer[order]
        key = customer.astype(np.int64) * self.n_products + product
        pos = np.minimum(np.searchsorted(self.keys, key), max(len(self.keys) - 1, 0))
        if not len(self.keys):
            return
        # (A favourite bought in two orders of the day is set twice; the later value stays.)
        pair = pos[(customer >= 0) & (self.keys[pos] == key)]
        gap = self.prefs.cycle[pair]
        if self.shape > 0:
            gap = gap * self.rng_repeats.gamma(self.shape, 1.0 / self.shape, len(pair))
        self.next_due[pair] = day + gap


class _Demand:
    """The day's demand lines: drawn from demand less what was already bought, then matched."""

    def __init__(self, slots: Slots, weights: np.ndarray, grid: PriceGrid, cat: Catalogue,
                 top_share: np.ndarray, noise: float, rng: np.random.Generator):
        self.weights, self.total = weights, weights.sum(axis=1)
        self.grid, self.cat, self.rng = grid, cat, rng
        self.top = cat.top.astype(np.uint16)
        # The matching keys of every line slot, drawn at once (a demand line uses its slot's keys).
        self.slot_start = np.cumsum(slots.n_lines) - slots.n_lines
        owner = np.repeat(np.arange(len(slots.n_lines)), slots.n_lines)
        n = len(owner)
        raw = slots.sensitivity[owner] - 0.5 + noise * rng.standard_normal(n)
        # "sensitivity + noise", squashed rank-preservingly into [0, 8192) for the sort key.
        self.sens_key = ((0.5 + 0.5 * raw / (1.0 + np.abs(raw))) * SENS_LEVELS).astype(np.uint16)
        del raw
        share = top_share / top_share.sum()
        self.target = np.where(rng.random(n) < slots.affinity[owner], slots.favourite[owner],
                               rng.choice(len(share), size=n, p=share)).astype(np.uint16)
        # Yesterday's complement lines beyond each product's share of them, to be drawn less today.
        self.ledger = np.zeros(cat.n)
        self.share = np.zeros(cat.n)
        self.expected = np.zeros(cat.n)  # expected demand lines per product, summed over the days

    def draw(self, d: int, line_order: np.ndarray, slot: np.ndarray,
             fixed: np.ndarray) -> np.ndarray:
        """Products for the demand lines of day ``d`` (sorted by order, with their line slots).

        ``fixed`` are the products of the day's favourite lines.
        """
        n, rng = len(line_order), self.rng
        self.share = self.weights[d] / self.total[d]
        if n == 0:
            return np.empty(0, dtype=np.int64)
        need = (n + len(fixed)) * self.share - np.bincount(fixed, minlength=self.cat.n) - self.ledger
        pool = np.maximum(need, 0.0)
        cw = np.cumsum(pool)
        self.expected += n / cw[-1] * pool
        # Sorted uniforms make the search cache-friendly.
        u = np.sort(rng.random(n)) * cw[-1]
        drawn = np.minimum(np.searchsorted(cw, u, side="right"), self.cat.n - 1)
        # Sorted uniforms give products in id order; shuffle them, or the stable sorts below
        # would hand low ids to the least price-sensitive customers (a spurious pattern). Lines
        # are shuffled too, so that ties in the matching fall on random lines.
        drawn = drawn[rng.permutation(n)]
        lines = rng.permutation(n)
        drawn_top = self.top[drawn]
        # Pass 1: categories. Equal-sized sorted lists, so a line's category is the one at its rank.
        assigned = np.empty(n, dtype=np.uint16)
        assigned[lines[np.argsort(self.target[slot[lines]], kind="stable")]] = np.sort(
            drawn_top, kind="stable")
        # Pass 2: within a category, deeper discounts go to more price-sensitive lines.
        line_key = assigned * SENS_LEVELS + self.sens_key[slot]
        depth = np.rint(100.0 * (1.0 - self.grid.paid[d, drawn] / self.grid.list_price[d, drawn]))
        product_key = drawn_top * 128 + depth.astype(np.uint16)
        product = np.empty(n, dtype=np.int64)
        product[lines[np.argsort(line_key[lines], kind="stable")]] = drawn[
            np.argsort(product_key, kind="stable")]
        return product

    def settle(self, d: int, extra: np.ndarray) -> None:
        """Book the day's complements beyond each product's share of them, to be drawn less tomorrow.

        Only that is carried over: what cannot be made up (a product whose favourite and complement
        purchases exceed its demand) is not, or the debt would grow for good and its counterpart,
        the credit of the other products, would swamp their daily demand and its price response.
        """
        self.ledger = np.bincount(extra, minlength=self.cat.n) - len(extra) * self.share


def _ranges(start: np.ndarray, count: np.ndarray) -> np.ndarray:
    """``start[i], start[i] + 1, ..., start[i] + count[i] - 1`` for every i, concatenated."""
    return np.repeat(start - (np.cumsum(count) - count), count) + np.arange(count.sum())


def _first_of_each(values: np.ndarray) -> np.ndarray | None:
    """Positions of the first occurrence of each value (in order), or None when all are distinct."""
    ranked = np.sort(values)
    if not (ranked[1:] == ranked[:-1]).any():
        return None
    _, first = np.unique(values, return_index=True)
    return np.sort(first)
