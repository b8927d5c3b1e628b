"""Per-customer purchase timing and capped spend, from the purchase days of :mod:`shopmine.features.purchases`.

Two inputs the lifetime-value models need beyond the lifetimes summary:

- ``litt``, the sum of the logarithms of a customer's intertransaction times (in days; purchase days are
  distinct, so each time is at least 1 day and its logarithm at least 0), which MBG/CNBD-k fits its
  regularity on (BTYDplus ``elog2cbs``);
- ``monetary_value_capped``, the mean spend per purchase day, the first included, after capping each
  day's spend at a high quantile of all purchase days' spend (:data:`SPEND_CAP_QUANTILE`), so that one
  huge order cannot make a customer's value; ``spend_days`` is the number of days it is the mean of.
  Spend below 0 (a day whose returns outweigh its sales) counts as 0.

Why the first purchase day counts for spend (lifetimes' ``monetary_value`` leaves it out, to go with
``frequency``, which counts repeat purchases): Gamma-Gamma only assumes that a customer's purchase-day
spends are independent draws around their own mean, and the first day is one more draw. Leaving it out
gives every one-time buyer the population mean, whatever they spent. Judged on the holdout purchase
days' spend (``bench/customers_spend.py``), the mean over all days predicts better on Online Retail
(peak and off-peak holdouts) and CDNOW, most of all for one-time buyers.
"""

from __future__ import annotations

import datetime as dt

import ibis
import numpy as np

from shopmine.features.lines import classify_lines
from shopmine.features.purchases import sale_days

__all__ = ["SPEND_CAP_QUANTILE", "purchase_timing"]

#: Each purchase day's spend is capped at this quantile of the spend of all purchase days.
SPEND_CAP_QUANTILE = 0.99
_MICRO = 1_000_000.0
_NANO = 1_000_000_000.0


def purchase_timing(orders: ibis.Table, *, end: dt.date, cap_quantile: float = SPEND_CAP_QUANTILE,
                    observed_until: dt.date | None = None) -> tuple[ibis.Table, float]:
    """``litt`` and capped mean repeat spend per customer, over purchase days up to ``end`` (inclusive).

    Parameters
    ----------
    orders : ibis.Table
        Order lines in the canonical schema.
    end : datetime.date
        Last day counted.
    cap_quantile : float, default=0.99
        Quantile of the purchase-day spend at which each day's spend is capped.
    observed_until : datetime.date, optional
        Last day of the lines whose cancellations count (default ``end``). A calibration period is
        read with the cancellations seen up to the end of its holdout
        (:func:`~shopmine.features.holdout.calibration_and_holdout`); ``litt`` must come from the same
        purchase days as the frequency it goes with.

    Returns
    -------
    timing : ibis.Table
        ``customer_id`` (string), ``litt`` (float), ``monetary_value_capped`` (float, the mean capped spend
        of all purchase days) and ``spend_days`` (int, purchase days), one row per customer with a
        purchase day.
    cap : float
        The spend cap per purchase day.
    """
    lines = classify_lines(orders, before=(observed_until or end) + dt.timedelta(days=1), bulk=False)
    days = sale_days(lines.filter(lines.is_sale, lines.customer_id.notnull()))
    days = days.filter(days.day <= ibis.date(end))
    by_customer = ibis.window(group_by="customer_id", order_by="day")
    # Fixed point, summed as integers: a float sum depends on the order the engine adds in, and DuckDB and
    # a Spark cluster add in different orders; the last bits it changes were enough to move the
    # Gamma-Gamma optimum by 4e-8 (demo shop). Spend in micro-units (a day's spend is a sum of prices in
    # cents, far from a half micro-unit), log gaps in nano-units (an error of at most 5e-10 a gap).
    days = days.mutate(gap=days.day.delta(days.day.lag().over(by_customer), unit="day"),
                       spend=(ibis.greatest(days.revenue.cast("float64"), 0.0) * _MICRO).round().cast("int64"))
    # Aggregated by the engine, one row per customer: purchase days grow with the orders, and on a
    # cluster nothing of that size may come to the driver. The quantile is the exact, linearly
    # interpolated one on both engines (DuckDB percentile_cont, Spark percentile), as pandas' was.
    quantile = days.spend.quantile(cap_quantile).execute()
    cap = int(round(float(quantile))) if quantile is not None and np.isfinite(quantile) else 0
    gap = ibis.greatest(days.gap.cast("float64").fill_null(1.0), 1.0)  # the first day: log 1 = 0 adds nothing
    timing = days.group_by("customer_id").aggregate(
        log_gaps=(gap.ln() * _NANO).round().cast("int64").sum(), capped=ibis.least(days.spend, cap).sum(),
        spend_days=days.count().cast("int64"))
    timing = timing.select(customer_id=timing.customer_id.cast("string"),
                           litt=timing.log_gaps.cast("float64") / _NANO,
                           monetary_value_capped=timing.capped.cast("float64") / timing.spend_days.cast("float64")
                           / _MICRO,
                           spend_days=timing.spend_days)
    return timing, cap / _MICRO
