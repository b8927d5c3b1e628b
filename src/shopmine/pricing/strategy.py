"""A price strategy per customer cluster, in words: who gets a coupon, who should not, and the expected effect.

A coupon of depth ``d`` moves a cluster's price to ``(1 - d) p``. With the cluster's elasticity ``e`` its units
change by ``(1 - d) ** e``, its revenue by ``(1 - d) ** (1 + e)`` and, at the shop's typical margin ``m =
(p - c) / p``, its profit by ``(m - d) / m * (1 - d) ** e``. The coupon pays when that profit ratio exceeds 1,
that is for elasticities below the break-even ``log(m / (m - d)) / log(1 - d)``. The decision reads the
elasticity interval: a coupon for a cluster whose gain holds at the least sensitive end of its interval, a test
on a sample where only the estimate gains, none where even the estimate loses. Without unit costs the
decision is on revenue (``e < -1``) and says so.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from shopmine.errors import invalid_value

__all__ = ["DEFAULT_COUPON", "STRATEGY_COLUMNS", "break_even_elasticity", "cluster_strategy"]

#: Depth of the coupon the strategy weighs (10 % off).
DEFAULT_COUPON = 0.10
#: Columns of :func:`cluster_strategy`.
STRATEGY_COLUMNS = ["cluster", "n_customers", "elasticity", "elasticity_lo", "elasticity_hi", "status",
                    "discount_share", "paid_vs_list", "coupon",
                    "expected_units_change_pct", "expected_revenue_change_pct", "expected_profit_change_pct",
                    "expected_profit_change_pct_lo", "expected_profit_change_pct_hi", "strategy"]


def break_even_elasticity(margin: float | None, coupon: float) -> float:
    """The elasticity below which a coupon of depth ``coupon`` raises profit at ``margin`` (revenue without one:
    -1); ``-inf`` when the coupon is at least the margin (it cannot pay).

    >>> round(break_even_elasticity(0.4, 0.1), 3), break_even_elasticity(None, 0.1), break_even_elasticity(0.1, 0.1)
    (-2.73, -1.0, -inf)
    """
    if margin is None or not math.isfinite(margin):
        return -1.0
    if coupon >= margin:
        return -math.inf
    return math.log(margin / (margin - coupon)) / math.log(1 - coupon)


def _effects(e, coupon: float, margin: float | None):
    e = np.asarray(e, dtype=float)
    units = (1 - coupon) ** e
    revenue = (1 - coupon) * units
    profit = (margin - coupon) / margin * units if margin is not None and math.isfinite(margin) else revenue
    return 100 * (units - 1), 100 * (revenue - 1), 100 * (profit - 1)


def _sentence(row, coupon: float, measure: str) -> tuple[str, str]:
    """``(coupon, strategy)`` of one cluster."""
    who = f"{int(row.n_customers):,} customers" if pd.notna(row.n_customers) else "these customers"
    usable = row.status == "ok" and np.isfinite(row.elasticity) and row.elasticity < 0
    habit = ""
    if "discount_share" in row._fields and pd.notna(row.discount_share):
        habit = f" They buy {row.discount_share:.0%} of their units on discount today."
    if not usable:
        return "no", (f"No reliable price sensitivity for {who} ({row.status}): treat them like the average "
                      f"customer, no targeted coupon.{habit}")
    interval = (f"elasticity {row.elasticity:.2f} ({row.elasticity_lo:.2f} to {row.elasticity_hi:.2f})"
                if np.isfinite(row.elasticity_lo) and np.isfinite(row.elasticity_hi) else
                f"elasticity {row.elasticity:.2f}")
    effect = (f"a {coupon:.0%} coupon is expected to change their units by {row.expected_units_change_pct:+.0f} % "
              f"and {measure} by {row.expected_profit_change_pct:+.0f} %")
    if row.expected_profit_change_pct_lo > 0:
        return "yes", (f"Price-sensitive ({interval}, {who}): {effect} ({row.expected_profit_change_pct_lo:+.0f} to "
                       f"{row.expected_profit_change_pct_hi:+.0f} %). Give them targeted coupons.{habit}")
    if row.expected_profit_change_pct > 0:
        return "test", (f"Somewhat price-sensitive ({interval}, {who}): {effect}, but the interval reaches a loss "
                        f"({row.expected_profit_change_pct_lo:+.0f} %). Test a coupon on a sample before giving it "
                        f"to all.{habit}")
    advice = " Stop giving them discounts: they buy anyway." if habit and row.discount_share >= 0.2 else ""
    return "no", (f"Not price-sensitive enough ({interval}, {who}): {effect}, a loss. No coupons; keep regular "
                  f"prices and reach them with recommendations or service instead.{habit}{advice}")


def cluster_strategy(clusters: pd.DataFrame, *, margin: float | None = None,
                     coupon: float = DEFAULT_COUPON) -> pd.DataFrame:
    """A strategy in words per customer cluster from its price elasticity.

    Parameters
    ----------
    clusters : pandas.DataFrame
        :func:`shopmine.pricing.clusters.cluster_elasticities`: ``cluster, elasticity, elasticity_lo,
        elasticity_hi, n_customers, status`` (and ``discount_share``, ``paid_vs_list``).
    margin : float, optional
        The shop's typical margin ``(p - c) / p``; without it coupons are judged on revenue.
    coupon : float, default=0.1
        The coupon's depth, in (0, 1).

    Returns
    -------
    pandas.DataFrame
        :data:`STRATEGY_COLUMNS`: ``coupon`` is ``yes``, ``test`` or ``no``; the expected changes are those
        of giving the cluster the coupon (profit: revenue when there is no margin), the profit interval from
        the elasticity interval.

    Examples
    --------
    >>> table = pd.DataFrame({"cluster": [0, 1], "elasticity": [-4.0, -0.8], "elasticity_lo": [-4.6, -1.3],
    ...                       "elasticity_hi": [-3.4, -0.3], "n_customers": [120, 300], "status": ["ok", "ok"]})
    >>> cluster_strategy(table, margin=0.4)[["cluster", "coupon"]].values.tolist()
    [[0, 'yes'], [1, 'no']]
    """
    if isinstance(coupon, bool) or not isinstance(coupon, (int, float)) or not 0 < coupon < 1:
        raise invalid_value("coupon", "a share in (0, 1) such as 0.1", coupon)
    table = clusters.copy()
    for col in ("elasticity", "elasticity_lo", "elasticity_hi"):
        table[col] = table[col].astype(float) if col in table else np.nan
    if "status" not in table:
        table["status"] = "ok"
    for col in ("n_customers", "discount_share", "paid_vs_list"):
        if col not in table:
            table[col] = np.nan
    units, revenue, profit = _effects(table["elasticity"], coupon, margin)
    table["expected_units_change_pct"], table["expected_revenue_change_pct"] = units, revenue
    table["expected_profit_change_pct"] = profit
    ends = [_effects(table[c], coupon, margin)[2] for c in ("elasticity_lo", "elasticity_hi")]
    table["expected_profit_change_pct_lo"] = np.fmin(*ends)
    table["expected_profit_change_pct_hi"] = np.fmax(*ends)
    measure = "profit" if margin is not None and math.isfinite(margin) else "revenue (no unit costs)"
    # expected_profit_change_pct holds the revenue change when there is no margin (see _effects).
    decided = [_sentence(row, coupon, measure) for row in table.itertuples(index=False)]
    table["coupon"] = [d[0] for d in decided]
    table["strategy"] = [d[1] for d in decided]
    return table[STRATEGY_COLUMNS]
