"""Profit- or revenue-optimal prices under the shop's rules, with the expected effect and its interval.

Demand around the current price ``p0`` has constant elasticity ``e``: ``q(p) = q0 (p / p0) ** e``. Then

- profit ``(p - c) q(p)`` with ``e < -1`` rises up to ``p* = c e / (1 + e)`` and falls after it (for
  ``e >= -1`` it rises without end);
- revenue ``p q(p)`` falls with the price when ``e < -1``, rises when ``e > -1``, is flat at ``e = -1``.

Either objective is unimodal in ``p``, so the best price the rules allow is the closed-form optimum
clipped to the allowed interval (:func:`shopmine.pricing.rules.allowed_interval`). Prices are whole cents
(the best of the two cents around the optimum); with an ``ending`` the best allowed price with that ending
(by unimodality one of the two around the clipped optimum), or the current price when none fits. Every
candidate is checked with the rules' formulas as written (:func:`~shopmine.pricing.rules.violations`), so
no rounding ever breaks one.

A product is left at its current price, and ``status`` says why, when its elasticity is not usable (the
estimator's status: too little variation, not significant, not negative, returns only; or no estimate), or
when its rules cannot all hold (the margin floor above the max-change window). A price the max-change rule
stops on the way to an optimum that does not exist (inelastic demand: higher is always better) is still
suggested, with a status that says the window set it (:data:`UNBOUNDED_STATUS`), when the move gains at
both ends of the elasticity interval; otherwise the data do not even tell its direction and the product is
left as an unusable estimate would be (``direction unclear``). Where the current price
itself breaks a rule, the unchanged product moves to the nearest price the rules allow. A product without
a unit cost is optimised for revenue (``status`` starts with ``no cost``).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from shopmine.errors import ShopmineInputError
from shopmine.pricing.rules import PriceRules, allowed_interval, check_bounds_meet, margin_floor, violations

__all__ = ["CHANGE_COLUMNS", "OUTPUT_COLUMNS", "SUGGESTION_COLUMNS", "UNBOUNDED_STATUS", "expected_changes",
           "suggest_prices"]

#: The output contract of ``price`` (issue 14): one row per product, ``suggested_price`` never blank.
OUTPUT_COLUMNS = ["product_id", "current_price", "unit_cost", "elasticity", "elasticity_lo", "elasticity_hi",
                  "suggested_price", "expected_units_change_pct", "expected_revenue_change_pct",
                  "expected_profit_change_pct", "status"]
#: The interval of each expected change, from the elasticity interval.
CHANGE_COLUMNS = [f"expected_{what}_change_pct_{end}" for what in ("units", "revenue", "profit")
                  for end in ("lo", "hi")]
#: Every column of :func:`suggest_prices`.
SUGGESTION_COLUMNS = [*OUTPUT_COLUMNS, *CHANGE_COLUMNS, "category", "objective", "price_change_pct",
                      "allowed_low", "allowed_high", "base_units", "expected_units", "current_profit",
                      "expected_profit", "elasticity_status"]
#: The status of a price the max-change rule stops on the way to an optimum that is no price at all: with
#: inelastic demand (|e| < 1 for revenue, any e >= -1 for profit) the objective rises without end, with
#: elastic demand and revenue (or no cost) it rises all the way down to 0. The window, not the data,
#: then sets the price: the constant elasticity is only seen near today's prices and cannot say how far
#: they can move. (A profit optimum beyond the window is a real one: "constraint bound: max change".)
UNBOUNDED_STATUS = {
    "high": "at the max-change bound: demand looks inelastic here; the model cannot see how far prices can rise",
    "low": "at the max-change bound: demand looks elastic here; the model cannot see how far prices can fall",
}
#: Elasticity statuses the optimiser acts on.
USABLE = "ok"
_CENT = 0.01


def _objective(objective: str, price: float, current: float, cost: float, elasticity: float) -> float:
    """The objective at ``price`` per unit of base demand (the ranking does not depend on the level)."""
    units = (price / current) ** elasticity
    return (price - cost) * units if objective == "profit" else price * units


def _closed_form(objective: str, cost: float, elasticity: float, current: float) -> float:
    """The unconstrained optimum (``inf``: higher is always better, ``0``: lower is)."""
    if objective == "profit":
        return cost * elasticity / (1.0 + elasticity) if elasticity < -1 else math.inf
    if elasticity < -1:
        return 0.0
    return math.inf if elasticity > -1 else current


def _cents(low: float, high: float, holds) -> tuple[float, float]:
    """The lowest and highest whole-cent prices in ``[low, high]`` that keep the rules (low > high: none)."""
    # round(x * 100, 6) first: 11.5 * 100 is 1150.0000000000002, whose ceiling is not 1150.
    low_c = math.ceil(round(low * 100, 6)) / 100
    high_c = math.floor(round(high * 100, 6)) / 100
    for _ in range(3):  # a float a hair outside a rule: one cent inwards
        if low_c <= high_c and not holds(low_c):
            low_c = round(low_c + _CENT, 2)
        if low_c <= high_c and not holds(high_c):
            high_c = round(high_c - _CENT, 2)
    return low_c, high_c


def _best(candidates, score, current: float) -> float | None:
    """The candidate with the highest score, the one nearest the current price among equals."""
    candidates = sorted(set(candidates), key=lambda p: (-score(p), abs(p - current)))
    return candidates[0] if candidates else None


def _with_ending(ending: float, target: float, low: float, high: float, holds, score, current: float):
    """The best allowed price ending in ``ending``: by unimodality the nearest ones around ``target`` (clipped
    to the interval) are the only candidates."""
    def at(k: float) -> float:
        return round(k + ending, 6)

    clipped = min(max(target, low), high)
    base = math.floor(clipped - ending)
    candidates = [at(base), at(base + 1), at(math.ceil(low - ending)), at(math.floor(high - ending))]
    return _best([p for p in candidates if low <= p <= high and holds(p)], score, current)


def _limit_rule(side: str, current: float, cost: float, rules: PriceRules, low_b: float, high_b: float) -> str:
    """The rule that sets the ``low`` or ``high`` end of a product's allowed interval."""
    if side == "low":
        floor = float(margin_floor(np.array([cost]), rules.min_margin)[0])
        limits = [("max change", current * (1 - rules.max_change)), ("margin floor", floor),
                  ("price bounds", low_b)]
        return max(limits, key=lambda item: item[1])[0]  # max() keeps the first of equals
    limits = [("max change", current * (1 + rules.max_change)), ("price bounds", high_b)]
    return min(limits, key=lambda item: item[1])[0]


def _nearest_allowed(current: float, low: float, high: float, holds) -> float | None:
    """The allowed price nearest ``current`` (whole cents when one fits)."""
    low_c, high_c = _cents(low, high, holds)
    if low_c <= high_c:
        return min(max(round(current, 2), low_c), high_c)
    return next((p for p in (low, high, (low + high) / 2) if holds(p)), None)


def _suggest(current: float, cost: float, elasticity: float, usable: str, low_b: float, high_b: float,
             rules: PriceRules, interval: tuple[float, float] = (math.nan, math.nan)) -> tuple[float, str, str]:
    """``(price, status, objective)`` of one product."""
    objective = rules.objective if not (rules.objective == "profit" and math.isnan(cost)) else "revenue"
    prefix = "no cost: revenue objective; " if objective != rules.objective else ""
    low, high = allowed_interval(np.array([current]), np.array([cost]), rules, [low_b], [high_b])
    low, high = max(float(low[0]), min(_CENT, current)), float(high[0])  # a price is positive

    def holds(price: float) -> bool:
        return not violations(price, current, cost, rules, low_b, high_b)

    if low > high:
        return current, (f"infeasible rules: the margin floor ({low:,.2f}) is above the highest price the "
                         f"max change allows ({high:,.2f}); unchanged"), objective
    if usable != USABLE:
        if holds(current):
            return current, usable, objective  # the objective played no part: no "no cost" prefix
        moved = _nearest_allowed(current, low, high, holds)
        if moved is None:
            return current, "infeasible rules: no price keeps them all; unchanged", objective
        rule = _limit_rule("low" if moved > current else "high", current, cost, rules, low_b, high_b)
        note = ""
        if rules.ending is not None:  # the allowed price with that ending nearest today's
            ended = _with_ending(rules.ending, current, low, high, holds, lambda p: -abs(p - current), current)
            moved, note = (ended, "") if ended is not None else \
                (moved, f"; no price ending in {rules.ending:g} keeps the rules")
        return moved, f"{usable} (price moved only to meet {rule}){note}", objective

    def score(price: float) -> float:
        return _objective(objective, price, current, 0.0 if math.isnan(cost) else cost, elasticity)

    target = _closed_form(objective, 0.0 if math.isnan(cost) else cost, elasticity, current)
    low_c, high_c = _cents(low, high, holds)
    if low_c <= high_c:
        clipped = min(max(target, low_c), high_c)
        candidates = [min(max(v, low_c), high_c) for v in (math.floor(round(clipped * 100, 6)) / 100,
                                                           math.ceil(round(clipped * 100, 6)) / 100)]
        price = _best([p for p in candidates if holds(p)], score, current)
    else:  # an interval narrower than a cent
        price = _best([p for p in (low, high, min(max(target, low), high)) if holds(p)], score, current)
    if price is None:
        return current, f"{prefix}infeasible rules: no price keeps them all; unchanged", objective
    note = ""
    if rules.ending is not None:
        ended = _with_ending(rules.ending, target, low, high, holds, score, current)
        if ended is not None:
            price = ended
        elif holds(current):
            return current, f"{prefix}no price ending in {rules.ending:g} keeps the rules; unchanged", objective
        else:
            note = f" (no price ending in {rules.ending:g} keeps the rules)"
    # The optimum beyond the allowed interval: the rule at that end decides the price.
    side = "low" if target < low - _CENT else "high" if target > high + _CENT else ""
    rule = _limit_rule(side, current, cost, rules, low_b, high_b) if side else ""
    if rule == "max change" and (math.isinf(target) or target <= 0):
        # The window sets the size of the move; the data must at least set its direction: a move that loses
        # at either end of the elasticity interval (it reaches -1, where revenue turns) is not suggested.
        if any(not _objective(objective, price, current, 0.0 if math.isnan(cost) else cost, e)
               > _objective(objective, current, current, 0.0 if math.isnan(cost) else cost, e) for e in interval):
            move = "rise" if side == "high" else "cut"
            unclear = (f"{prefix}direction unclear: a price {move} loses {objective} at one end of the elasticity "
                       f"interval")
            return _suggest(current, cost, elasticity, unclear, low_b, high_b, rules)  # as an unusable estimate
        return price, f"{prefix}{UNBOUNDED_STATUS[side]}{note}", objective
    return price, f"{prefix}{'constraint bound: ' + rule if rule else 'ok'}{note}", objective


def expected_changes(price, current, cost, elasticity) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Percentage change of units, revenue and profit when moving from ``current`` to ``price`` under constant
    elasticity (arrays; profit NaN where the cost is unknown or today's margin is not positive)."""
    price, current, cost, elasticity = (np.asarray(v, dtype=float) for v in (price, current, cost, elasticity))
    ratio = price / current
    units = ratio ** elasticity
    with np.errstate(divide="ignore", invalid="ignore"):
        margin_now = current - cost
        profit = np.where(margin_now > 0, ((price - cost) * units - margin_now) / margin_now, np.nan)
    same = price == current  # no change needs no model: exactly zero even without an elasticity
    return (np.where(same, 0.0, 100 * (units - 1)), np.where(same, 0.0, 100 * (ratio * units - 1)),
            np.where(same & (current - cost > 0), 0.0, 100 * profit))


def suggest_prices(elasticities: pd.DataFrame, current: pd.DataFrame, rules: PriceRules | None = None) -> pd.DataFrame:
    """The suggested price of every product of ``current``, under ``rules``, with its expected effect.

    Parameters
    ----------
    elasticities : pandas.DataFrame
        ``product_id, elasticity, elasticity_lo, elasticity_hi, status`` (and ``category``), as
        :func:`shopmine.pricing.elasticity.estimate_elasticities` returns; a product missing from it is
        left unchanged.
    current : pandas.DataFrame
        ``product_id, current_price, unit_cost`` (and ``base_units``, ``category``), as
        :func:`shopmine.pricing.current.current_prices` returns.
    rules : PriceRules, optional
        Default: ``PriceRules()``.

    Returns
    -------
    pandas.DataFrame
        :data:`SUGGESTION_COLUMNS`, one row per product of ``current``: :data:`OUTPUT_COLUMNS` first (the
        output contract), then the changes' intervals and the working (allowed interval, objective, units
        and profit per period at the current and the suggested price).

    Raises
    ------
    ShopmineInputError
        A product without a positive current price, or a bounds row that contradicts the max-change window
        or the margin floor (naming both).

    Examples
    --------
    >>> current = pd.DataFrame({"product_id": ["a"], "current_price": [19.0], "unit_cost": [10.0]})
    >>> elasticities = pd.DataFrame({"product_id": ["a"], "elasticity": [-2.0], "elasticity_lo": [-2.5],
    ...                              "elasticity_hi": [-1.5], "status": ["ok"]})
    >>> row = suggest_prices(elasticities, current).iloc[0]
    >>> float(row.suggested_price), row.status, round(float(row.expected_profit_change_pct), 2)
    (20.0, 'ok', 0.28)
    """
    rules = rules or PriceRules()
    table = current.copy()
    table["product_id"] = table["product_id"].astype(str)
    bad = table[~(table["current_price"].astype(float) > 0)]
    if len(bad):
        raise ShopmineInputError(f"{len(bad):,} product(s) have no positive current price (e.g. "
                                 f"{bad['product_id'].iloc[0]!r}); a suggestion starts from one.")
    if "unit_cost" not in table:
        table["unit_cost"] = np.nan
    est = elasticities.copy()
    est["product_id"] = est["product_id"].astype(str)
    keep = [c for c in ("product_id", "elasticity", "elasticity_lo", "elasticity_hi", "status", "category")
            if c in est and (c != "category" or "category" not in table)]
    table = table.merge(est[keep].rename(columns={"status": "elasticity_status"}), on="product_id", how="left")
    for col in ("elasticity", "elasticity_lo", "elasticity_hi"):
        table[col] = table[col].astype(float) if col in table else np.nan
    table["elasticity_status"] = table.get("elasticity_status", pd.Series(index=table.index, dtype=object)) \
        .fillna("no elasticity estimate").astype(str)
    p0, cost, e = (table[c].to_numpy(float) for c in ("current_price", "unit_cost", "elasticity"))
    # Zero or negative costs are data errors as much as missing ones; a zero cost is a cost (all margin).
    cost = np.where(cost < 0, np.nan, cost)
    table["unit_cost"] = cost
    check_bounds_meet(table["product_id"], p0, cost, rules)
    low_b, high_b = rules.bounds_of(table["product_id"])
    usable = np.where((table["elasticity_status"] == USABLE) & ~(e < 0), "not negative",
                      table["elasticity_status"])
    usable = np.where((usable == USABLE) & ~(table["elasticity_hi"].to_numpy(float) < 0), "not significant", usable)
    intervals = zip(table["elasticity_lo"].to_numpy(float), table["elasticity_hi"].to_numpy(float))
    rows = [_suggest(*args, rules, interval) for *args, interval in zip(p0, cost, e, usable, low_b, high_b, intervals)]
    table["suggested_price"] = [r[0] for r in rows]
    table["status"] = [r[1] for r in rows]
    table["objective"] = [r[2] for r in rows]
    low, high = allowed_interval(p0, cost, rules, low_b, high_b)
    table["allowed_low"], table["allowed_high"] = low, high
    price = table["suggested_price"].to_numpy(float)
    table["price_change_pct"] = 100 * (price / p0 - 1)
    changes = {end: expected_changes(price, p0, cost, table[col].to_numpy(float))
               for end, col in (("", "elasticity"), ("lo", "elasticity_lo"), ("hi", "elasticity_hi"))}
    for i, what in enumerate(("units", "revenue", "profit")):
        name = f"expected_{what}_change_pct"
        table[name] = changes[""][i]
        # np.fmin/fmax: an unchanged price has a zero change even where an end is unknown; elsewhere an
        # interval with an unknown end is unknown.
        lo_end, hi_end = changes["lo"][i], changes["hi"][i]
        known = ~np.isnan(lo_end) & ~np.isnan(hi_end) | (price == p0)
        table[f"{name}_lo"] = np.where(known, np.fmin(lo_end, hi_end), np.nan)
        table[f"{name}_hi"] = np.where(known, np.fmax(lo_end, hi_end), np.nan)
    base = table["base_units"].to_numpy(float) if "base_units" in table else np.full(len(table), np.nan)
    table["base_units"] = base
    table["expected_units"] = base * (1 + table["expected_units_change_pct"].to_numpy(float) / 100)
    table["current_profit"] = base * (p0 - cost)
    table["expected_profit"] = table["expected_units"] * (price - cost)
    if "category" not in table:
        table["category"] = None
    return table[SUGGESTION_COLUMNS]
