"""The pricing truth derived from the buyer groups: market elasticities and the segment table.

Every buyer group (segment, guests) responds to product *p* with the elasticity
``elasticity_p x m_g``. What the whole shop sees is the mixture: at the regular prices its demand
for *p* has the local elasticity ``elasticity_p x sum_g m_g D_gp / sum_g D_gp`` (the demand-weighted
multiplier), where ``D_gp`` is group *g*'s expected units of *p* over the period at the regular
(list) prices without promotions. That is what a regression of a product's total units on its
regular price estimates. On promotion days the bargain hunters, drawn by the display, weigh more:
``promo_elasticity`` weighs the segments by their units on the product's promotion days.
"""

from __future__ import annotations

import numpy as np

from shopmine.simulate.generate import RawShop
from shopmine.simulate.price_response import traffic


def regular_demand(raw: RawShop) -> np.ndarray:
    """(groups, products): expected units over the period at the day's list prices, no promotion.

    ``sum_d traffic_g(d) x popularity_p x (list_pd / base_list_price_p) ** (elasticity_p x m_g)
    x mean_units_per_line_p``.
    """
    cat, response = raw.catalogue, raw.response
    flow = traffic(raw.group_lines, response.index)
    exponent = np.log(raw.prices.list_price / cat.base_list_price)
    exponent *= cat.elasticity
    demand = np.empty((len(response.names), cat.n))
    for m in np.unique(response.multiplier):
        groups = np.nonzero(response.multiplier == m)[0]
        w = np.exp(exponent * m)
        demand[groups] = flow[:, groups].T @ w
    return demand * (cat.popularity * (1.0 + cat.extra_units))


def promotion_demand(raw: RawShop) -> np.ndarray:
    """(groups, products): expected units on the product's promotion days (paid price, lift)."""
    cat, response, grid = raw.catalogue, raw.response, raw.prices
    flow = traffic(raw.group_lines, response.index)
    promoted = grid.paid < grid.list_price
    exponent = np.log(grid.paid / cat.base_list_price)
    exponent *= cat.elasticity
    demand = np.empty((len(response.names), cat.n))
    for g in range(len(response.names)):
        w = exponent * response.multiplier[g]
        w += response.log_lift[g]
        np.exp(w, out=w)
        w[~promoted] = 0.0
        demand[g] = flow[:, g] @ w
    return demand * (cat.popularity * (1.0 + cat.extra_units))


def market_elasticity(raw: RawShop, demand: np.ndarray) -> np.ndarray:
    """Per product: elasticity x the multiplier weighted by ``demand`` (NaN without demand)."""
    total = demand.sum(axis=0)
    weighted = raw.response.multiplier @ demand
    multiplier = np.divide(weighted, total, out=np.full_like(total, np.nan), where=total > 0)
    return np.round(raw.catalogue.elasticity * multiplier, 4)


def segment_rows(raw: RawShop, demand: np.ndarray) -> dict[str, np.ndarray]:
    """Per buyer group: share of the regular-price demand and its demand-weighted elasticity."""
    total = demand.sum(axis=1)
    share = total / total.sum() if total.sum() > 0 else np.zeros_like(total)
    mean_e = np.divide(demand @ raw.catalogue.elasticity, total, out=np.zeros_like(total),
                       where=total > 0)
    return {"demand_share": np.round(share, 6),
            "elasticity": np.round(raw.response.multiplier * mean_e, 4)}
