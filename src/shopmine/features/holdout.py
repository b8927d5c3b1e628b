"""Calibration and holdout periods for customer-lifetime models (lifetimes' split)."""

from __future__ import annotations

import datetime as dt

import ibis

from shopmine.errors import ShopmineInputError
from shopmine.features.dates import check_day
from shopmine.features.lines import CANCEL_WINDOW_DAYS, classify_lines
from shopmine.features.purchases import purchase_day_summary, sale_days

__all__ = ["calibration_and_holdout"]


def calibration_and_holdout(
    orders: ibis.Table, *, calibration_end: dt.date, observation_end: dt.date,
    cancel_window_days: int = CANCEL_WINDOW_DAYS,
) -> ibis.Table:
    """Repeat-purchase summary of a calibration period and purchases of the following holdout period.

    The equivalent of lifetimes' ``calibration_and_holdout_data`` with ``freq='D'`` and the net
    sale revenue as monetary value, applied to purchase days: a purchase is a customer-day with a sale
    line not wholly cancelled (see :mod:`shopmine.features.lines`); guests are excluded; returns do
    not count. Cancellations are matched over both periods together (a sale on the calibration end
    cancelled in the holdout is no purchase).

    Parameters
    ----------
    orders : ibis.Table
        Order lines in the canonical schema.
    calibration_end : datetime.date
        Last day of the calibration period (inclusive).
    observation_end : datetime.date
        Last day of the holdout period (inclusive); after ``calibration_end``.
    cancel_window_days : int, default=30
        A cancelled-status line cancels a sale at most this many days before it.

    Returns
    -------
    ibis.Table
        Sorted by ``customer_id``, one row per customer whose first purchase day is on or before
        ``calibration_end``:

        - ``customer_id`` (string)
        - ``frequency_cal, recency_cal, T_cal`` (int64) and ``monetary_value_cal`` (float64): the
          lifetimes summary with the observation period ending on ``calibration_end`` (see
          :mod:`shopmine.features.purchases`)
        - ``frequency_holdout`` (int64): purchase days in ``(calibration_end, observation_end]``
        - ``monetary_value_holdout`` (float64): mean net revenue per holdout purchase day, 0 if none
        - ``duration_holdout`` (int64): ``observation_end - calibration_end`` in days

    Raises
    ------
    ShopmineInputError
        When ``calibration_end`` is not before ``observation_end``.

    Notes
    -----
    lifetimes compares raw timestamps with the calibration end at midnight, so a purchase at 10:00 on
    ``calibration_end`` falls in its holdout; here both periods are whole days, as with date-only
    transactions in lifetimes.
    """
    calibration_end = check_day(calibration_end, "calibration_end")
    observation_end = check_day(observation_end, "observation_end")
    if calibration_end >= observation_end:
        raise ShopmineInputError(
            f"calibration_end ({calibration_end}) must be before observation_end ({observation_end}); "
            f"choose a calibration end inside the data and a later observation end."
        )
    lines = classify_lines(orders, before=observation_end + dt.timedelta(days=1),
                           cancel_window_days=cancel_window_days, bulk=False)
    sales = lines.filter(lines.is_sale, lines.customer_id.notnull())
    days = sale_days(sales)

    cal = purchase_day_summary(days, end=calibration_end)
    holdout_days = days.filter(days.day > ibis.date(calibration_end))
    holdout = holdout_days.group_by("customer_id").aggregate(
        frequency_holdout=holdout_days.count(),
        revenue_holdout=holdout_days.revenue.sum(),
    )
    joined = cal.left_join(holdout, "customer_id")
    n_holdout = joined.frequency_holdout.fill_null(0).cast("int64")
    out = joined.select(
        customer_id=joined.customer_id,
        frequency_cal=joined.frequency,
        recency_cal=joined.recency,
        T_cal=joined.T,
        monetary_value_cal=joined.monetary_value,
        frequency_holdout=n_holdout,
        monetary_value_holdout=ibis.ifelse(
            n_holdout > 0, joined.revenue_holdout / n_holdout.cast("float64"), ibis.literal(0.0)
        ),
        duration_holdout=ibis.literal((observation_end - calibration_end).days, type="int64"),
    )
    return out.order_by("customer_id")
