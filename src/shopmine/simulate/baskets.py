"""What goes into the baskets: favourites that are due, lines drawn from demand, and complements.

Day by day (orders sorted by day), separately for each buyer group (a customer segment, or the
guests), so that every group's purchases follow its own price response:

1. *Favourites*: the favourites of an ordering customer whose cycle has come due take the order's
   line slots, the longest overdue first; those left over stay due for the next order.
2. *Demand lines*: the remaining slots of the group's orders get products drawn from the group's
   demand of the day, ``popularity x (price / reference) ** (elasticity x multiplier) x lift``
   (:mod:`shopmine.simulate.price_response`), less what the group's favourites and complements
   already bought of each product (a per-group and per-product ledger, so that every product's
   sales to every group still follow the demand formula in expectation; purchases beyond the
   demand are owed and drawn less on the following days). The drawn products are matched to the
   group's lines in two sorted passes: first each line gets a top category, preferring the
   customer's favourite; then, within a category, the promoted products go to the lines of the
   most price-sensitive customers of the group. Matching permutes who gets what within a group,
   never what the group buys, so the groups' elasticities stay exact.
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
from shopmine.simulate.price_response import PriceResponse
from shopmine.simulate.products import Catalogue

SENS_LEVELS = 8192  # most levels of price sensitivity in the matching's sort key
DEBT_KEEP = 0.98    # share of a product's owed purchases carried to the next day


@dataclass(frozen=True)
class Slots:
    """Per-order inputs; orders sorted by day."""

    day: np.ndarray
    customer: np.ndarray     # account index, -1 for a guest
    n_lines: np.ndarray      # line slots; due favourites fill them first
    sensitivity: np.ndarray  # price sensitivity in [0, 1]
    affinity: np.ndarray     # probability of a demand line going to the favourite category
    favourite: np.ndarray    # top category index
    group: np.ndarray        # buyer group (segment index; guests: the last group)


@dataclass(frozen=True)
class Streams:
    demand: np.random.Generator       # products drawn from demand and their matching
    repeats: np.random.Generator      # the jitter of the favourites' cycles
    complements: np.random.Generator  # which complements join


@dataclass(frozen=True)
class Baskets:
    """What :func:`fill_baskets` returns."""

    line_order: np.ndarray    # per line: order index (lines grouped by order, orders in index order)
    line_product: np.ndarray  # per line: product index
    # Per product, its expected share of the lines drawn from demand over the period (demand less
    # what favourites and complements bought: below the popularity of a product that is often
    # someone's favourite or complement).
    demand_share: np.ndarray
    # (days, groups): product lines (favourites, demand lines, complements) of each buyer group's
    # orders per day. Divided by the group's promotion index, the group's traffic: its expected
    # lines of a product per unit of demand weight.
    group_lines: np.ndarray


def fill_baskets(slots: Slots, prefs: Preferences, response: PriceResponse, cat: Catalogue,
                 top_share: np.ndarray, noise: float, jitter: float, streams: Streams,
                 progress: Callable[[float], None] | None = None) -> Baskets:
    """The product of every line, day by day (see the module docstring)."""
    n_days = response.index.shape[0]
    bounds = np.searchsorted(slots.day, np.arange(n_days + 1))
    day_lines = _DayLines(slots, prefs, cat, jitter, streams)
    demand = _Demand(slots, response, cat, top_share, noise, streams.demand)
    orders, products = [], []
    for d in range(n_days):
        lo, hi = bounds[d], bounds[d + 1]
        if lo < hi:
            fav_order, fav_product = day_lines.due_favourites(lo, hi, d)
            n_fav = np.bincount(fav_order - lo, minlength=hi - lo)
            # Favourites take an order's first slots; demand lines fill the rest.
            count = np.maximum(slots.n_lines[lo:hi] - n_fav, 0)
            taste_slot = ranges(demand.slot_start[lo:hi] + n_fav, count)
            taste_order = np.repeat(np.arange(lo, hi), count)
            taste_product = demand.draw(d, taste_order, taste_slot, fav_order, fav_product)
            order = np.concatenate((fav_order, taste_order))
            product = np.concatenate((fav_product, taste_product))
            comp_order, comp_product = day_lines.complements(order, product)
            demand.settle(d, comp_order, comp_product)
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
    return Baskets(np.concatenate(orders) if orders else empty,
                   np.concatenate(products) if products else empty, share, demand.lines)


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
        pair = ranges(start, count)
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
        edge = ranges(ptr[product], count)
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
    """The day's demand lines: drawn from each buyer group's demand less what was already bought,
    then matched to the group's lines."""

    def __init__(self, slots: Slots, response: PriceResponse, cat: Catalogue, top_share: np.ndarray,
                 noise: float, rng: np.random.Generator):
        self.response, self.cat, self.rng = response, cat, rng
        self.group = slots.group
        self.n_groups = len(response.names)
        self.top = cat.top.astype(np.int64)
        # Sort keys of (group, top category, level): 16 bits sort fastest (numpy's radix sort),
        # which leaves 65536 / (groups x categories) levels of price sensitivity (2184 for 6 x 5).
        self.n_top = int(self.top.max(initial=0)) + 1
        cells = self.n_groups * self.n_top
        small = cells <= 256
        self.key_type = np.uint16 if small else np.int64
        self.levels = min(SENS_LEVELS, 65536 // cells) if small else SENS_LEVELS
        # The matching keys of every line slot, drawn at once (a demand line uses its slot's keys).
        self.slot_start = np.cumsum(slots.n_lines) - slots.n_lines
        owner = np.repeat(np.arange(len(slots.n_lines)), slots.n_lines)
        n = len(owner)
        raw = slots.sensitivity[owner] - 0.5 + noise * rng.standard_normal(n)
        # "sensitivity + noise", squashed rank-preservingly into [0, levels) for the sort key.
        self.sens_key = ((0.5 + 0.5 * raw / (1.0 + np.abs(raw))) * self.levels).astype(self.key_type)
        del raw
        share = top_share / top_share.sum()
        self.target = np.where(rng.random(n) < slots.affinity[owner], slots.favourite[owner],
                               rng.choice(len(share), size=n, p=share)).astype(self.key_type)
        shape = (self.n_groups, cat.n)
        # Per group and product: yesterday's complements beyond the share of them, and what
        # favourites and complements bought beyond the demand (the debt), to be drawn less today.
        self.ledger = np.zeros(shape)
        self.debt = np.zeros(shape)
        self.share = np.zeros(shape)
        self.expected = np.zeros(cat.n)  # expected demand lines per product, summed over the days
        # Product lines per day and group (favourites, demand lines and complements).
        self.lines = np.zeros((len(response.index), self.n_groups))

    def draw(self, d: int, line_order: np.ndarray, slot: np.ndarray, fixed_order: np.ndarray,
             fixed: np.ndarray) -> np.ndarray:
        """Products for the demand lines of day ``d`` (sorted by order, with their line slots).

        ``fixed_order, fixed`` are the orders and products of the day's favourite lines.
        """
        n_groups, n_products, rng = self.n_groups, self.cat.n, self.rng
        weights = self.response.weights(d)
        self.share = weights / weights.sum(axis=1, keepdims=True)
        line_group, fixed_group = self.group[line_order], self.group[fixed_order]
        n_lines = np.bincount(line_group, minlength=n_groups)
        n_fixed = np.bincount(fixed_group, minlength=n_groups)
        self.lines[d] += n_lines + n_fixed
        bought = np.bincount(fixed_group * n_products + fixed,
                             minlength=n_groups * n_products).reshape(n_groups, n_products)
        need = (n_lines + n_fixed)[:, None] * self.share - bought - self.ledger
        pool = np.maximum(need, 0.0)
        # Purchases beyond the demand are owed and drawn less on the following days (the debt
        # fades by DEBT_KEEP a day, so a product bought beyond its demand for good cannot pile up
        # a debt that would crowd out the others for months).
        self.debt = pool - need
        mass = pool.sum(axis=1)
        empty = mass <= 0
        if empty.any():  # (only when owed purchases exceed a group's whole demand that day)
            pool[empty] = self.share[empty]
            mass[empty] = 1.0
        self.expected += (n_lines / mass) @ pool
        k = len(line_order)
        if k == 0:
            return np.empty(0, dtype=np.int64)
        # One cumulative sum over the groups' pools side by side; each line draws in its group's
        # stretch. Uniforms sorted within a group make the search cache-friendly.
        cw = np.cumsum(pool.ravel())
        before = np.concatenate(([0.0], cw[n_products - 1::n_products]))[:-1]
        group = np.sort(line_group)
        u = np.sort(group + rng.random(k)) - group
        flat = np.searchsorted(cw, before[group] + u * mass[group], side="right")
        # (At or past a group's end only through rounding: its last product.)
        drawn = np.minimum(flat - group * n_products, n_products - 1)
        # Sorted uniforms give products in id order; shuffle them within their group, or the
        # stable sorts below would hand low ids to the least price-sensitive customers (a spurious
        # pattern). Lines are shuffled too, so that ties in the matching fall on random lines.
        key = self.key_type
        group = group.astype(key)
        shuffle = rng.permutation(k)
        drawn = drawn[shuffle[np.argsort(group[shuffle], kind="stable")]]
        lines = rng.permutation(k)
        drawn_top = group * key(self.n_top) + self.top[drawn].astype(key)
        # Pass 1: categories, within the line's group. Equal-sized sorted lists per group, so a
        # line's (group, category) is the one at its rank.
        line_key = line_group.astype(key) * key(self.n_top) + self.target[slot]
        assigned = np.empty(k, dtype=key)
        assigned[lines[np.argsort(line_key[lines], kind="stable")]] = np.sort(drawn_top,
                                                                              kind="stable")
        # Pass 2: within a group and category, deeper discounts go to more price-sensitive lines.
        line_key = assigned * key(self.levels) + self.sens_key[slot]
        grid = self.response.grid
        depth = np.rint(100.0 * (1.0 - grid.paid[d, drawn] / grid.list_price[d, drawn]))
        product_key = drawn_top * key(128) + depth.astype(key)
        product = np.empty(k, dtype=np.int64)
        product[lines[np.argsort(line_key[lines], kind="stable")]] = drawn[
            np.argsort(product_key, kind="stable")]
        return product

    def settle(self, d: int, extra_order: np.ndarray, extra: np.ndarray) -> None:
        """Book the day's complements beyond each product's share of them, and the debt, to be
        drawn less tomorrow."""
        n_groups, n_products = self.n_groups, self.cat.n
        group = self.group[extra_order]
        count = np.bincount(group, minlength=n_groups)
        self.lines[d] += count
        joined = np.bincount(group * n_products + extra,
                             minlength=n_groups * n_products).reshape(n_groups, n_products)
        self.ledger = joined - count[:, None] * self.share + DEBT_KEEP * self.debt


def ranges(start: np.ndarray, count: np.ndarray) -> np.ndarray:
    """``start[i], start[i] + 1, ..., start[i] + count[i] - 1`` for every i, concatenated."""
    return np.repeat(start - (np.cumsum(count) - count), count) + np.arange(count.sum())


def _first_of_each(values: np.ndarray) -> np.ndarray | None:
    """Positions of the first occurrence of each value (in order), or None when all are distinct."""
    ranked = np.sort(values)
    if not (ranked[1:] == ranked[:-1]).any():
        return None
    _, first = np.unique(values, return_index=True)
    return np.sort(first)
