"""The sales panel: units, revenue, returns and prices per series and period (long format)."""

from __future__ import annotations

import datetime as dt

import ibis

from shopmine.errors import ShopmineInputError
from shopmine.features.dates import check_day
from shopmine.features.lines import classify_lines
from shopmine.features.periods import check_freq, last_period, period_grid, period_start

__all__ = ["LEVELS", "TOTAL_ID", "UNKNOWN_CATEGORY", "sales_panel"]

LEVELS = ("product", "category", "total")
TOTAL_ID = "total"
# Category lines that have none (and whose product has none) are kept under this id, so that the
# category panel adds up to the total panel.
UNKNOWN_CATEGORY = "unknown"


def sales_panel(
    orders: ibis.Table,
    *,
    level: str = "product",
    freq: str = "D",
    as_of: dt.date,
    products: ibis.Table | None = None,
) -> ibis.Table:
    """Zero-filled sales per series and period, as a long table for forecasting.

    Sales are gross: a sale line is a product line with ``quantity > 0`` and a status that is null or
    not in ``NOT_SOLD_STATUSES``; returns (negative product lines, or positive lines with a status in
    ``RETURN_STATUSES``) and cancellations are separate measures; shipping, fee, discount and
    adjustment lines never count (see :mod:`shopmine.features.lines`).

    Parameters
    ----------
    orders : ibis.Table
        Order lines in the canonical schema.
    level : {"product", "category", "total"}, default="product"
        The series: one per product id, one per category (the line's category, else the product's
        from ``products``, else ``"unknown"``), or one series with id ``"total"``.
    freq : {"D", "W"}, default="D"
        Days, or ISO weeks with ``ds`` the week's Monday.
    as_of : datetime.date
        Only lines with ``ordered_at < as_of`` are used. The panel ends with the period containing
        ``as_of - 1 day`` (for weeks that last week may be partial).
    products : ibis.Table, optional
        ``product_id, category``: category fallback for lines without one (``level="category"`` only).

    Returns
    -------
    ibis.Table
        Sorted by ``unique_id, ds``, one row per series and period from the series' first period with a
        sale up to the last period, periods without lines filled with zeros:

        - ``unique_id`` (string), ``ds`` (date)
        - ``units`` (float64): gross units, the sum of sale quantities
        - ``revenue`` (float64): sum of quantity × unit_price over sale lines
        - ``returns`` (float64): returned units
        - ``cancelled_units`` (float64): units on cancelled positive lines
        - ``orders`` (int64): distinct orders with a sale line
        - ``avg_price`` (float64): revenue / units; null when units = 0
        - ``avg_list_price`` (float64): list value / units, list value being the sum of
          quantity × coalesce(list_price, unit_price); null when units = 0
        - ``discount_share`` (float64): share of sold units with unit_price < list_price; null when
          units = 0
        - ``discount_depth`` (float64): 1 - revenue / list value; null when units = 0 (or the list
          value is 0)

    Notes
    -----
    Returns in periods before a series' first sale (and series with returns but no sale) are dropped:
    the panel starts at the first sale, as forecasting models expect.

    Examples
    --------
    >>> panel = sales_panel(orders, level="category", freq="W", as_of=default_as_of(orders))  # doctest: +SKIP
    >>> panel.to_pandas()  # doctest: +SKIP
    """
    if level not in LEVELS:
        raise ShopmineInputError(
            f"The 'level' parameter of sales_panel must be one of 'product', 'category', 'total'. "
            f"Got {level!r} instead."
        )
    freq = check_freq(freq, "sales_panel")
    as_of = check_day(as_of, "as_of")
    lines = classify_lines(orders, before=as_of, products=products if level == "category" else None)

    keys = {"ds": period_start(lines.day, freq)}
    if level == "product":
        keys["unique_id"] = lines.product_id
    elif level == "category":
        keys["unique_id"] = lines.category.fill_null(UNKNOWN_CATEGORY)
    # level="total" groups by period only: Spark refuses GROUP BY on a literal column by position.
    by_period = lines.group_by(**keys).aggregate(
        units=lines.sale_units.sum(),
        revenue=lines.sale_revenue.sum(),
        list_value=lines.sale_list_value.sum(),
        discounted_units=lines.discounted_units.sum(),
        returns=lines.returned_units.sum(),
        cancelled_units=lines.cancelled_units.sum(),
        orders=lines.order_id.nunique(where=lines.is_sale),
    )
    if level == "total":
        by_period = by_period.mutate(unique_id=ibis.literal(TOTAL_ID))

    first = by_period.group_by("unique_id").aggregate(
        # units > 0 exactly when the period has a sale line (sale quantities are positive).
        first_ds=by_period.ds.min(where=by_period.units > 0)
    ).filter(lambda t: t.first_ds.notnull())
    grid = period_grid(first, end=last_period(as_of, freq), freq=freq)

    joined = grid.left_join(by_period, ["unique_id", "ds"])
    units = joined.units.fill_null(0.0)
    sold = units.nullif(0.0)  # null when nothing sold: the ratios are undefined, not zero
    panel = joined.select(
        unique_id=joined.unique_id,
        ds=joined.ds,
        units=units,
        revenue=joined.revenue.fill_null(0.0),
        returns=joined.returns.fill_null(0.0),
        cancelled_units=joined.cancelled_units.fill_null(0.0),
        orders=joined.orders.fill_null(0).cast("int64"),
        avg_price=joined.revenue / sold,
        avg_list_price=joined.list_value / sold,
        discount_share=joined.discounted_units / sold,
        discount_depth=ibis.ifelse(
            sold.notnull(), 1.0 - joined.revenue / joined.list_value.nullif(0.0), ibis.null("float64")
        ),
    )
    return panel.order_by("unique_id", "ds")
