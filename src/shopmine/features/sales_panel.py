"""The sales panel: units, revenue, returns and prices per series and period (long format)."""

from __future__ import annotations

import datetime as dt

import ibis

from shopmine.errors import ShopmineInputError, invalid_value
from shopmine.features.dates import check_day
from shopmine.features.lines import CANCEL_WINDOW_DAYS, classify_lines, gross_sale_lines
from shopmine.features.periods import check_freq, last_period, period_grid, period_start

__all__ = ["LEVELS", "TOTAL_ID", "UNKNOWN_CATEGORY", "check_panel_request", "sales_panel"]

LEVELS = ("product", "category", "total")
TOTAL_ID = "total"
# Category lines that have none (and whose product has none) are kept under this id, so that the
# category panel adds up to the total panel.
UNKNOWN_CATEGORY = "unknown"


def check_panel_request(level: object, freq: object) -> str:
    """Refuse an unknown level or frequency (before any table is read); return the frequency."""
    if level not in LEVELS:
        raise invalid_value("level", "product, category or total", level)
    return check_freq(freq)


def _series_id(lines: ibis.Table, level: str) -> ibis.expr.types.StringValue | None:
    """The series of each line; None for the total, whose constant id is added after grouping
    (Spark refuses GROUP BY on a literal column by position)."""
    if level == "product":
        return lines.product_id
    if level == "category":
        return lines.category.fill_null(UNKNOWN_CATEGORY)
    return None


def _require_categories(sales: ibis.Table, category: ibis.expr.types.StringValue) -> None:
    """Refuse a category panel whose only series would be ``unknown`` (sales, but no category anywhere)."""
    counts = sales.aggregate(sold=sales.count(),
                             categorised=(category != UNKNOWN_CATEGORY).cast("int64").sum()).execute()
    if counts["sold"].iloc[0] and not counts["categorised"].fillna(0).iloc[0]:
        raise ShopmineInputError("{level} category: no sold product has a category; map a category column at "
                                 "ingest or load a products file with categories, or use {level} total.", "level")


def sales_panel(
    orders: ibis.Table,
    *,
    level: str = "product",
    freq: str = "D",
    as_of: dt.date,
    products: ibis.Table | None = None,
    sort: bool = True,
    cancel_window_days: int = CANCEL_WINDOW_DAYS,
) -> ibis.Table:
    """Zero-filled sales per series and period, as a long table for forecasting.

    Sales are net demand: a sale line is a product line with ``quantity > 0`` and a status that is
    null or not in ``NOT_SOLD_STATUSES``, less the units a matched cancellation (a cancelled-status or
    same-order negative line of the same buyer and product) removed from it, on the sale's own day;
    unmatched negative lines and positive lines with a status in ``RETURN_STATUSES`` are returns, a
    separate measure; shipping, fee, discount and adjustment lines never count (see
    :mod:`shopmine.features.lines` for every definition).

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
    sort : bool, default=True
        Sort by ``unique_id, ds``. Pass False when the panel is stored as a table: sorting millions
        of rows costs more than building them, and a stored table has no order anyway.
    cancel_window_days : int, default=30
        A cancelled-status line cancels a sale at most this many days before it (the
        ``cancel_window_days`` setting).

    Returns
    -------
    ibis.Table
        Sorted by ``unique_id, ds``, one row per series and period from the series' first period with a
        sale up to the last period, periods without lines filled with zeros:

        - ``unique_id`` (string), ``ds`` (date)
        - ``units`` (float64): net demand, ``gross_units`` minus the units cancelled by a matched
          cancellation (returns are not subtracted: they are a separate measure)
        - ``revenue`` (float64): net revenue, sum of net units × unit_price over sale lines
        - ``returns`` (float64): returned units (unmatched negative lines, return statuses)
        - ``cancelled_units`` (float64): units of the period's sales cancelled by a matched line,
          plus units on cancelled positive lines (orders cancelled before they were sales)
        - ``orders`` (int64): distinct orders with a sale line not wholly cancelled
        - ``avg_price`` (float64): revenue / units; null when units = 0
        - ``avg_list_price`` (float64): list value / units, list value being the sum of
          quantity × coalesce(list_price, unit_price); null when units = 0
        - ``discount_share`` (float64): share of sold units with unit_price < list_price; null when
          units = 0
        - ``discount_depth`` (float64): 1 - revenue / list value; null when units = 0 (or the list
          value is 0)
        - ``gross_units``, ``gross_revenue`` (float64): units and revenue of the sale lines as sold,
          before cancellations
        - ``bulk_lines`` (int64): sale lines flagged ``is_bulk_outlier`` (beyond their product's
          bulk fence: 10 × its median line and its far-out log fence, :mod:`shopmine.features.bulk`)
        - ``units_model`` (float64): ``units`` with each bulk line capped at its fence, the measure
          forecasting models train on by default

    Raises
    ------
    ShopmineInputError
        ``level="category"`` while lines were sold before ``as_of`` but none of them has a category
        (nor its product): every series would be ``unknown``, the total under another name. Checked
        here, with one small query, so that every caller (the panel, the forecast) refuses it alike.

    Notes
    -----
    Returns in periods before a series' first sale (and series with returns but no sale) are dropped:
    the panel starts at the first sale as sold (gross), as forecasting models expect; a product
    whose only sale was cancelled keeps a series of zero net demand.

    The zero-filled grid is generated per series inside the engine (see
    :func:`~shopmine.features.periods.period_grid`), so the expression stays lazy. A product-daily
    panel of a large shop has tens of millions of rows: on DuckDB, ``panel.to_pyarrow().to_pandas()``
    is several times faster than ``panel.to_pandas()``, whose conversion of nullable columns (the
    ratios) goes through Python objects in ibis 12.

    Examples
    --------
    >>> panel = sales_panel(orders, level="category", freq="W", as_of=default_as_of(orders))  # doctest: +SKIP
    >>> panel.to_pandas()  # doctest: +SKIP
    """
    freq = check_panel_request(level, freq)
    as_of = check_day(as_of, "as_of")
    lines = classify_lines(orders, before=as_of, products=products if level == "category" else None,
                           cancel_window_days=cancel_window_days)
    series = _series_id(lines, level)
    keys = {"ds": period_start(lines.day, freq)} | ({} if series is None else {"unique_id": series})
    by_period = lines.group_by(**keys).aggregate(
        units=lines.sale_units.sum(),
        revenue=lines.sale_revenue.sum(),
        list_value=lines.sale_list_value.sum(),
        discounted_units=lines.discounted_units.sum(),
        returns=lines.returned_units.sum(),
        cancelled_units=lines.cancelled_units.sum(),
        gross_units=lines.gross_units.sum(),
        gross_revenue=lines.gross_revenue.sum(),
        bulk_lines=lines.is_bulk_outlier.sum(),
        units_model=lines.model_units.sum(),
        # The distinct orders of a series-period, counted from their (few) ids collected in the
        # group: a DISTINCT aggregate over millions of small groups costs DuckDB a second hash table
        # keyed by group and order, a quarter of the panel's time. Null when the group has no sale
        # line (filled with 0 below, as every period without a sale).
        orders=lines.order_id.collect(where=lines.is_sale).unique().length(),
    )
    # The first sale comes straight from the lines (a cheap filtered scan) rather than from by_period,
    # so that the big aggregate is referenced once and never has to be kept as a shared CTE. The
    # lines are classified again from the orders with quantity > 0 (all a sale can have), gross:
    # reusing ``lines`` would make them a CTE shared by both branches, which DuckDB materialises
    # (every order line) instead of streaming, a third of the panel's time.
    sales = gross_sale_lines(orders, before=as_of, products=products if level == "category" else None)
    sale_series = _series_id(sales, level)
    if level == "category":
        _require_categories(sales, sale_series)
    if sale_series is None:
        by_period = by_period.mutate(unique_id=ibis.literal(TOTAL_ID))
        first = sales.aggregate(first_day=sales.day.min()).mutate(unique_id=ibis.literal(TOTAL_ID))
        first = first.filter(first.first_day.notnull())  # no sale at all: no series
    else:
        first = sales.group_by(unique_id=sale_series).aggregate(first_day=sales.day.min())
    first = first.select("unique_id", first_ds=period_start(first.first_day, freq))
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
        gross_units=joined.gross_units.fill_null(0.0),
        gross_revenue=joined.gross_revenue.fill_null(0.0),
        bulk_lines=joined.bulk_lines.fill_null(0).cast("int64"),
        units_model=joined.units_model.fill_null(0.0),
    )
    return panel.order_by("unique_id", "ds") if sort else panel
