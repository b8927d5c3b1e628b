"""Customer purchase days, the repeat-purchase summary of the lifetimes library.

lifetimes' ``summary_data_from_transaction_data`` (``freq='D'``) counts a purchase as a customer-day
with at least one transaction and, for an observation period ending on day ``end`` (inclusive):

- ``frequency`` = purchase days - 1 (repeat purchases),
- ``recency`` = last purchase day - first purchase day, in days,
- ``T`` = ``end`` - first purchase day, in days,
- ``monetary_value`` = mean revenue per repeat purchase day (the first day excluded), 0 when
  ``frequency`` = 0.

:func:`purchase_day_summary` computes the same from sale lines inside the engine. Sale lines are net
of the cancellations matched to them (:mod:`shopmine.features.lines`): a purchase is a customer-day
with a sale not wholly cancelled, and its revenue is the net spend.
"""

from __future__ import annotations

import datetime as dt

import ibis

__all__ = ["purchase_day_summary", "sale_days"]


def sale_days(sales: ibis.Table) -> ibis.Table:
    """Customer-days with a sale: ``customer_id, day, revenue`` (net sale revenue of that day).

    Parameters
    ----------
    sales : ibis.Table
        Sale lines (``is_sale``: not wholly cancelled) of known customers, from
        :func:`~shopmine.features.lines.classify_lines`.
    """
    return sales.group_by("customer_id", "day").aggregate(revenue=sales.sale_revenue.sum())


def purchase_day_summary(days: ibis.Table, *, end: dt.date) -> ibis.Table:
    """lifetimes' repeat-purchase summary of customer purchase days up to ``end`` (inclusive).

    Parameters
    ----------
    days : ibis.Table
        ``customer_id, day, revenue`` from :func:`sale_days`.
    end : datetime.date
        Last day of the observation period; later days are ignored.

    Returns
    -------
    ibis.Table
        Per customer with a purchase day on or before ``end``: ``customer_id`` (string),
        ``first_day, last_day`` (date), ``purchase_days, frequency, recency, T`` (int64) and
        ``monetary_value`` (float64), as defined in :mod:`shopmine.features.purchases`.
    """
    days = days.filter(days.day <= ibis.date(end))
    # The first day is needed on every row to sum the repeat days only; summing them (rather than
    # subtracting the first day from the total) keeps lifetimes' mean exact to rounding.
    days = days.mutate(first_day=days.day.min().over(group_by="customer_id"))
    per_customer = days.group_by("customer_id").aggregate(
        first_day=days.day.min(),
        last_day=days.day.max(),
        purchase_days=days.count(),
        repeat_revenue=days.revenue.sum(where=days.day > days.first_day),
    )
    frequency = (per_customer.purchase_days - 1).cast("int64")
    return per_customer.select(
        "customer_id",
        "first_day",
        "last_day",
        purchase_days=per_customer.purchase_days.cast("int64"),
        frequency=frequency,
        recency=per_customer.last_day.delta(per_customer.first_day, unit="day").cast("int64"),
        T=ibis.date(end).delta(per_customer.first_day, unit="day").cast("int64"),
        monetary_value=ibis.ifelse(
            frequency > 0, per_customer.repeat_revenue / frequency.cast("float64"), ibis.literal(0.0)
        ),
    )
