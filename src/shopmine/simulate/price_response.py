"""Demand weights per buyer group: each customer segment responds to price in its own way.

A group is a customer segment, or the guests (the last group, multiplier and affinity 1). The
demand weight of product *p* on day *d* for group *g* is

    w_gpd = popularity_p * (paid_pd / base_list_price_p) ** (elasticity_p * m_g)
            * promo_display_lift ** (a_g * on_promotion_pd)

with ``m_g`` the group's ``elasticity_multiplier`` and ``a_g`` its ``promo_affinity`` (how strongly
a promotion's display draws it, beyond the lower price). The group's lines are drawn from its own
weights, and its customers' order intensity carries its own promotion index ``S_g(d) = sum_p
w_gpd``, so that ``E[lines of p from group g on day d] = traffic_g(d) * w_gpd`` exactly (the index
cancels, as for the whole shop; see docs/simulator.md).

The weights are recomputed per day from the price grid rather than held as a (groups x days x
products) array, which would not fit for a large shop.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from shopmine.simulate.parameters import ShopParameters
from shopmine.simulate.prices import PriceGrid
from shopmine.simulate.products import Catalogue

GUEST = "guest"
GUEST_MULTIPLIER = 1.0  # guests respond with the products' own elasticities
GUEST_AFFINITY = 1.0    # and the shop's display lift


@dataclass(frozen=True)
class PriceResponse:
    """Per group: its elasticity multiplier, promotion affinity and daily promotion index."""

    names: tuple[str, ...]    # segment names, then "guest"
    multiplier: np.ndarray    # per group
    affinity: np.ndarray      # per group: exponent of the display lift
    log_lift: np.ndarray      # per group: affinity x log(promo_display_lift)
    index: np.ndarray         # (days, groups): S_g(d), 1 when every product is at its launch price
    # (days, groups): what multiplies the season in a group's order intensity: S_g(d) rescaled to
    # the guests' mean level over the period, so that a segment drawn to promotions does not order
    # more often on average, only more when there is more on promotion.
    orders: np.ndarray
    grid: PriceGrid
    cat: Catalogue
    kinds: np.ndarray         # the distinct (multiplier, log lift) pairs
    kind: np.ndarray          # per group: its row of ``kinds``

    @property
    def guest(self) -> int:
        return len(self.names) - 1

    def log_ratio(self, day: int) -> np.ndarray:
        """log(paid / base list price) of every product on ``day``."""
        return np.log(self.grid.paid[day] / self.cat.base_list_price)

    def weights(self, day: int) -> np.ndarray:
        """(groups, products) demand weights of ``day``."""
        # Once per distinct response (groups that respond alike share their row).
        exponent = np.multiply.outer(self.kinds[:, 0], self.cat.elasticity * self.log_ratio(day))
        promoted = self.grid.paid[day] < self.grid.list_price[day]
        exponent[:, promoted] += self.kinds[:, 1:]
        np.exp(exponent, out=exponent)
        exponent *= self.cat.popularity
        return exponent[self.kind]


def build_response(params: ShopParameters, grid: PriceGrid, cat: Catalogue) -> PriceResponse:
    names = tuple(s.name for s in params.segments) + (GUEST,)
    multiplier = np.array([s.elasticity_multiplier for s in params.segments] + [GUEST_MULTIPLIER])
    affinity = np.array([s.promo_affinity for s in params.segments] + [GUEST_AFFINITY])
    log_lift = affinity * float(np.log(params.promo_display_lift))
    # e_p * log(paid / ref), once for every day; one kind of response at a time from it.
    exponent = np.log(grid.paid / cat.base_list_price)
    exponent *= cat.elasticity
    promoted = grid.paid < grid.list_price
    index = np.empty((len(exponent), len(names)))
    kinds, row = _distinct(multiplier, log_lift)
    for k, (m, lift) in enumerate(kinds):
        w = exponent * m
        w[promoted] += lift
        np.exp(w, out=w)
        index[:, row == k] = (w @ cat.popularity)[:, None]
    orders = index * (index[:, -1].mean() / index.mean(axis=0)) if len(index) else index
    return PriceResponse(names, multiplier, affinity, log_lift, index, orders, grid, cat, kinds, row)


def _distinct(multiplier: np.ndarray, log_lift: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct (multiplier, log lift) pairs and each group's row among them."""
    kinds, row = np.unique(np.column_stack((multiplier, log_lift)), axis=0, return_inverse=True)
    return kinds, row.ravel()


def traffic(group_lines: np.ndarray, index: np.ndarray) -> np.ndarray:
    """(days, groups): each group's expected lines of a product per unit of demand weight.

    A group's product lines of the day divided by its promotion index, so that
    ``E[lines of p from g on d | the day's orders] = traffic_g(d) x w_gpd`` for any prices: the
    orders grow with the index, and each line is *p* with probability ``w_gpd / S_g(d)``.
    """
    return np.divide(group_lines, index, out=np.zeros_like(group_lines), where=index > 0)
