"""The shop's pricing rules, checked in the library, and the interval of prices they allow per product.

A suggested price ``p`` for a product at ``current`` with unit cost ``c`` must satisfy, exactly as written:

- ``abs(p - current) <= max_change * current`` (the max-change window),
- ``(p - c) / p >= min_margin`` when the cost is known (the margin floor, ``p >= c / (1 - min_margin)``),
- ``min_price <= p <= max_price`` when the bounds table has the product,

so the allowed prices are one interval, ``[max(current(1 - m), c / (1 - min_margin), min_price),
min(current(1 + m), max_price)]``. Three intervals on a line meet as soon as each two of them do, so the
rules contradict each other for a product exactly when one pair does: a bounds row against the max-change
window or the margin floor is the user's own contradiction (refused, naming both), the margin floor above
the window (a product sold at a thin margin today) is a property of that product (a status, not an error).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from shopmine.errors import ShopmineInputError, invalid_value

__all__ = ["DEFAULT_MAX_CHANGE", "DEFAULT_MIN_MARGIN", "DEFAULT_OBJECTIVE", "OBJECTIVES", "PriceRules",
           "allowed_interval", "check_bounds_meet", "violations"]

#: What the optimiser maximises per product: profit ``(p - c) q(p)`` (needs the unit cost) or revenue ``p q(p)``.
OBJECTIVES = ("profit", "revenue")
DEFAULT_OBJECTIVE = "profit"
#: Largest relative change from the current price (0.15: at most 15 % up or down).
DEFAULT_MAX_CHANGE = 0.15
#: Smallest margin ``(p - c) / p`` a suggested price may have.
DEFAULT_MIN_MARGIN = 0.2
#: Columns of a bounds table.
BOUNDS_COLUMNS = ("product_id", "min_price", "max_price")


def _number(value, parameter: str, requirement: str, ok) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not math.isfinite(float(value)) or not ok(float(value)):
        raise invalid_value(parameter, requirement, value)
    return float(value)


def check_objective(objective) -> str:
    if objective not in OBJECTIVES:
        raise invalid_value("objective", f"one of {', '.join(OBJECTIVES)}", objective)
    return objective


def check_max_change(max_change) -> float:
    return _number(max_change, "max_change", "a share in (0, 1] (0.15 allows 15 % up or down)",
                   lambda v: 0 < v <= 1)


def check_min_margin(min_margin) -> float:
    return _number(min_margin, "min_margin", "a share in [0, 1) (0.2: the price at least 25 % above the unit "
                   "cost)", lambda v: 0 <= v < 1)


def check_ending(ending) -> float | None:
    if ending is None:
        return None
    return _number(ending, "ending", "a price ending in [0, 1) such as 0.99 (or nothing)", lambda v: 0 <= v < 1)


@dataclass(frozen=True, eq=False)
class PriceRules:
    """The rules every suggested price keeps.

    Parameters
    ----------
    objective : {"profit", "revenue"}, default="profit"
        What is maximised per product; a product without a unit cost falls back to revenue.
    max_change : float, default=0.15
        ``abs(new - current) <= max_change * current``; in (0, 1].
    min_margin : float, default=0.2
        ``(new - unit_cost) / new >= min_margin`` for products with a known cost; in [0, 1).
    ending : float, optional
        Every changed price ends in this fraction (0.99: 12.99), chosen among the prices the other rules
        allow; a product where none fits keeps its current price. In [0, 1).
    bounds : pandas.DataFrame, optional
        ``product_id, min_price, max_price`` (either bound may be missing); products not in it have none
        (:func:`shopmine.pricing.bounds.read_bounds` reads and checks a file).

    Raises
    ------
    ShopmineInputError
        A value out of range, naming the parameter.

    Examples
    --------
    >>> PriceRules(max_change=0.1).max_change
    0.1
    >>> PriceRules(max_change=1.5)
    Traceback (most recent call last):
    ...
    shopmine.errors.ShopmineInputError: max_change must be a share in (0, 1] (0.15 allows 15 % up or down); got 1.5.
    """

    objective: str = DEFAULT_OBJECTIVE
    max_change: float = DEFAULT_MAX_CHANGE
    min_margin: float = DEFAULT_MIN_MARGIN
    ending: float | None = None
    bounds: pd.DataFrame | None = None

    def __post_init__(self):
        check_objective(self.objective)
        object.__setattr__(self, "max_change", check_max_change(self.max_change))
        object.__setattr__(self, "min_margin", check_min_margin(self.min_margin))
        object.__setattr__(self, "ending", check_ending(self.ending))
        if self.bounds is not None:
            missing = [c for c in BOUNDS_COLUMNS if c not in self.bounds.columns]
            if missing:
                raise ShopmineInputError(f"{{bounds}} has no column {missing[0]!r}; it needs "
                                         f"{', '.join(BOUNDS_COLUMNS)}.", "bounds")

    def bounds_of(self, product_ids: pd.Series) -> tuple[np.ndarray, np.ndarray]:
        """``(min_price, max_price)`` per product of ``product_ids``: ``0`` and ``inf`` where none is given."""
        n = len(product_ids)
        if self.bounds is None or self.bounds.empty:
            return np.zeros(n), np.full(n, np.inf)
        table = self.bounds.assign(product_id=self.bounds["product_id"].astype(str)).set_index("product_id")
        ids = pd.Index(product_ids.astype(str))
        low = table["min_price"].astype(float).reindex(ids).fillna(0.0).to_numpy()
        high = table["max_price"].astype(float).reindex(ids).fillna(np.inf).to_numpy()
        return low, high

    def describe(self) -> dict:
        """The rules as plain values (for a run's metrics)."""
        return {"objective": self.objective, "max_change": self.max_change, "min_margin": self.min_margin,
                "ending": self.ending, "bounded_products": 0 if self.bounds is None else int(len(self.bounds))}


def margin_floor(cost: np.ndarray, min_margin: float) -> np.ndarray:
    """The lowest price with margin ``min_margin`` over ``cost``; 0 where the cost is unknown (not checked)."""
    cost = np.asarray(cost, dtype=float)
    return np.where(np.isnan(cost), 0.0, np.nan_to_num(cost) / (1.0 - min_margin))


def allowed_interval(current, cost, rules: PriceRules, low_bound, high_bound) -> tuple[np.ndarray, np.ndarray]:
    """``(low, high)``: the interval of prices the rules allow per product (empty where ``low > high``)."""
    current = np.asarray(current, dtype=float)
    low = np.maximum.reduce([current * (1.0 - rules.max_change), margin_floor(cost, rules.min_margin),
                             np.asarray(low_bound, dtype=float)])
    high = np.minimum(current * (1.0 + rules.max_change), np.asarray(high_bound, dtype=float))
    return low, high


def violations(price: float, current: float, cost: float, rules: PriceRules, low_bound: float = 0.0,
               high_bound: float = math.inf) -> list[str]:
    """The rules ``price`` breaks, each formula evaluated exactly as the rules state it (no tolerance).

    >>> violations(11.0, 10.0, 5.0, PriceRules(max_change=0.05))
    ['max change']
    >>> violations(6.0, 6.5, 5.0, PriceRules())
    ['margin floor']
    """
    broken = []
    if not price > 0:
        return ["positive price"]
    if not abs(price - current) <= rules.max_change * current:
        broken.append("max change")
    if not (cost is None or math.isnan(cost)) and not (price - cost) / price >= rules.min_margin:
        broken.append("margin floor")
    if not low_bound <= price <= high_bound:
        broken.append("price bounds")
    return broken


def check_bounds_meet(product_ids: pd.Series, current, cost, rules: PriceRules) -> None:
    """Refuse a bounds table that contradicts the max-change window or the margin floor for a product,
    naming the product, its bounds and the rule it cannot meet."""
    if rules.bounds is None or rules.bounds.empty:
        return
    low_bound, high_bound = rules.bounds_of(product_ids)
    current = np.asarray(current, dtype=float)
    window_low, window_high = current * (1.0 - rules.max_change), current * (1.0 + rules.max_change)
    floor = margin_floor(cost, rules.min_margin)
    ids = product_ids.astype(str).to_numpy()
    for i in np.flatnonzero((low_bound > window_high) | (high_bound < window_low)):
        raise ShopmineInputError(
            f"{{bounds}} and {{max_change}} contradict each other for product {ids[i]!r}: its bounds "
            f"[{_money(low_bound[i])}, {_money(high_bound[i])}] do not meet the prices within "
            f"{rules.max_change:g} of its current price {_money(current[i])} "
            f"([{_money(window_low[i])}, {_money(window_high[i])}]); widen the bounds row or raise "
            f"{{max_change}}.", "bounds", mentions=("max_change",))
    for i in np.flatnonzero(high_bound < floor):
        raise ShopmineInputError(
            f"{{bounds}} and {{min_margin}} contradict each other for product {ids[i]!r}: its max_price "
            f"{_money(high_bound[i])} is below the lowest price with a margin of {rules.min_margin:g} over its "
            f"unit cost {_money(cost[i])} ({_money(floor[i])}); raise the bounds row's max_price or lower "
            f"{{min_margin}}.", "bounds", mentions=("min_margin",))


def _money(value: float) -> str:
    return "none" if not math.isfinite(value) else f"{value:,.2f}"
