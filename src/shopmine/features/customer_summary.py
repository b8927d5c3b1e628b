"""The customer summary: RFM measures and the lifetimes columns, one row per customer."""

from __future__ import annotations

import datetime as dt

import ibis

from shopmine.features.dates import check_day
from shopmine.features.lines import CANCEL_WINDOW_DAYS, classify_lines
from shopmine.features.purchases import purchase_day_summary, sale_days

__all__ = ["customer_summary"]


def customer_summary(orders: ibis.Table, *, as_of: dt.date,
                     cancel_window_days: int = CANCEL_WINDOW_DAYS) -> ibis.Table:
    """Per-customer purchase, revenue and return measures before ``as_of``.

    Sale, return and cancelled lines are defined in :mod:`shopmine.features.lines`: a sale is net of
    the cancellations matched to it, and a sale wholly cancelled is no purchase. Customers are those
    with at least one sale line (not wholly cancelled) before ``as_of``; guests (null
    ``customer_id``) are excluded. Returns count when they happened before ``as_of``, whenever the
    goods were bought.

    Parameters
    ----------
    orders : ibis.Table
        Order lines in the canonical schema.
    as_of : datetime.date
        Only lines with ``ordered_at < as_of`` are used.
    cancel_window_days : int, default=30
        A cancelled-status line cancels a sale at most this many days before it.

    Returns
    -------
    ibis.Table
        Sorted by ``customer_id``:

        - ``customer_id`` (string)
        - ``first_purchase, last_purchase`` (timestamp): times of the first and last sale line
        - ``recency_days`` (int64): ``as_of`` - date of the last purchase (1 for the day before)
        - ``frequency`` (int64): distinct orders with a sale line not wholly cancelled
        - ``monetary`` (float64): net spend, net sale revenue (after cancellations) minus
          ``returned_value``
        - ``gross_revenue`` (float64): sum of quantity × unit_price over sale lines as sold, before
          cancellations and returns
        - ``avg_order_value`` (float64): ``monetary / frequency``
        - ``returns_share`` (float64): ``returned_value`` / net sale revenue; null when that is 0
        - ``tenure_days`` (int64): ``as_of`` - date of the first purchase
        - ``units`` (float64): net units bought (after cancellations)
        - ``returned_units, returned_value, cancelled_units`` (float64): unmatched units of return
          lines and their value, units of the customer's sales cancelled by a matched line plus
          units of cancelled positive lines
        - lifetimes columns, a purchase being a customer-day with a sale and the observation period
          ending on ``as_of - 1 day`` (``summary_data_from_transaction_data`` with ``freq='D'`` and
          ``observation_period_end = as_of - 1 day``): ``purchase_days`` (int64), ``frequency_lt``
          (int64, ``purchase_days - 1``), ``recency_lt`` (int64, last - first purchase day), ``T``
          (int64, ``as_of - 1 day`` - first purchase day) and ``monetary_value`` (float64, mean gross
          net revenue per repeat purchase day, 0 when ``frequency_lt`` = 0)
    """
    as_of = check_day(as_of, "as_of")
    lines = classify_lines(orders, before=as_of, cancel_window_days=cancel_window_days, bulk=False)
    lines = lines.filter(lines.customer_id.notnull())

    totals = lines.group_by("customer_id").aggregate(
        first_purchase=lines.ordered_at.min(where=lines.is_sale),
        last_purchase=lines.ordered_at.max(where=lines.is_sale),
        frequency=lines.order_id.nunique(where=lines.is_sale),
        gross_revenue=lines.gross_revenue.sum(),
        net_revenue=lines.sale_revenue.sum(),
        units=lines.sale_units.sum(),
        returned_units=lines.returned_units.sum(),
        returned_value=lines.returned_value.sum(),
        cancelled_units=lines.cancelled_units.sum(),
    )
    days = purchase_day_summary(sale_days(lines.filter(lines.is_sale)),
                                end=as_of - dt.timedelta(days=1))
    days = days.rename(frequency_lt="frequency", recency_lt="recency")
    # Inner join: customers with returns or cancellations but no sale have no purchase days.
    joined = totals.join(days, "customer_id")
    as_of_lit = ibis.date(as_of)
    monetary = joined.net_revenue - joined.returned_value
    out = joined.select(
        "customer_id",
        "first_purchase",
        "last_purchase",
        recency_days=as_of_lit.delta(joined.last_day, unit="day").cast("int64"),
        frequency=joined.frequency.cast("int64"),
        monetary=monetary,
        gross_revenue=joined.gross_revenue,
        avg_order_value=monetary / joined.frequency.nullif(0).cast("float64"),
        returns_share=joined.returned_value / joined.net_revenue.nullif(0.0),
        tenure_days=as_of_lit.delta(joined.first_day, unit="day").cast("int64"),
        units=joined.units,
        returned_units=joined.returned_units,
        returned_value=joined.returned_value,
        cancelled_units=joined.cancelled_units,
        purchase_days=joined.purchase_days,
        frequency_lt=joined.frequency_lt,
        recency_lt=joined.recency_lt,
        T=joined.T,
        monetary_value=joined.monetary_value,
    )
    return out.order_by("customer_id")
