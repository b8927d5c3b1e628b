"""Price/demand points: what each product sold, at what price, per period (the pricing models' input).

One row per product and period with a sale or a return line before the as-of date. Units and revenue
are net demand as in the sales panel (:mod:`shopmine.features.lines`: cancellations matched and removed,
returns a separate measure, shipping and fee lines never count). Unlike the sales panel, periods
without any line are not filled in: a period with no sale has no price to learn from.
"""

from __future__ import annotations

import datetime as dt

import ibis

from shopmine.errors import ShopmineInputError
from shopmine.features.dates import check_day, start_of_day
from shopmine.features.lines import CANCEL_WINDOW_DAYS, classify_lines
from shopmine.features.periods import check_freq, period_start
from shopmine.features.sales_panel import UNKNOWN_CATEGORY
from shopmine.schema import NOT_SOLD_STATUSES, RETURN_STATUSES

__all__ = ["PRICE_POINT_COLUMNS", "price_points"]

PRICE_POINT_COLUMNS = ("product_id", "category", "period", "units", "revenue", "avg_price", "list_price",
                       "discount_share", "discount_depth", "unit_cost", "n_lines", "n_customers", "returns",
                       "units_model")


def _line_prices(orders: ibis.Table, as_of: dt.date, freq: str) -> ibis.Table:
    """Mean list price and unit cost per product and period, from the order lines as written.

    :func:`classify_lines` keeps neither column, so they are averaged here over the same product
    lines, weighted by units: sale lines first, the return lines' when the period has no sale (a
    returns-only period still says what the product cost and listed at).
    """
    cols = orders.columns
    line_type = orders.line_type if "line_type" in cols else ibis.literal("product")
    status = orders.status.cast("string").lower() if "status" in cols else ibis.null("string")
    ordered_at = orders.ordered_at.cast("timestamp")
    q = orders.quantity.cast("float64")
    lines = orders.select(
        product_id=orders.product_id.cast("string"),
        ordered_at=ordered_at,
        q=q,
        is_product=(line_type == "product").fill_null(False),
        list_price=orders.list_price.cast("float64") if "list_price" in cols else ibis.null("float64"),
        unit_cost=orders.unit_cost.cast("float64") if "unit_cost" in cols else ibis.null("float64"),
        sold=((q > 0) & (status.isnull() | ~status.isin(NOT_SOLD_STATUSES))).fill_null(False),
        returned=((q < 0) | ((q > 0) & status.isin(RETURN_STATUSES))).fill_null(False),
    )
    lines = lines.filter(lines.is_product, lines.ordered_at < start_of_day(as_of), lines.sold | lines.returned)
    units = lines.q.abs()

    def weighted(value: ibis.Column, kind: ibis.Column) -> ibis.Scalar:
        known = kind & value.notnull()
        return ((units * value).sum(where=known) / units.sum(where=known).nullif(0.0))

    by_period = lines.group_by(product_id=lines.product_id,
                               period=period_start(lines.ordered_at.date(), freq)).aggregate(
        sale_list=weighted(lines.list_price, lines.sold),
        return_list=weighted(lines.list_price, lines.returned & ~lines.sold),
        sale_cost=weighted(lines.unit_cost, lines.sold),
        return_cost=weighted(lines.unit_cost, lines.returned & ~lines.sold),
    )
    return by_period.select(
        "product_id", "period",
        line_list_price=ibis.coalesce(by_period.sale_list, by_period.return_list),
        line_unit_cost=ibis.coalesce(by_period.sale_cost, by_period.return_cost),
    )


def _product_costs(products: ibis.Table) -> ibis.Table:
    """One unit cost per product id from the products table (the smallest, if an id repeats)."""
    if "product_id" not in products.columns:
        raise ShopmineInputError("the products table lacks the column product_id; it needs product_id and, "
                                 "for price points, unit_cost and category.")
    if "unit_cost" not in products.columns:
        return products.select(pid=products.product_id.cast("string"),
                               product_cost=ibis.null("float64")).distinct()
    costs = products.select(pid=products.product_id.cast("string"),
                            product_cost=products.unit_cost.cast("float64"))
    return costs.group_by("pid").aggregate(product_cost=costs.product_cost.min())


def price_points(
    orders: ibis.Table,
    *,
    as_of: dt.date,
    freq: str = "W",
    products: ibis.Table | None = None,
    cancel_window_days: int = CANCEL_WINDOW_DAYS,
) -> ibis.Table:
    """Units sold and prices paid per product and period.

    Parameters
    ----------
    orders : ibis.Table
        Order lines in the canonical schema (``list_price`` and ``unit_cost`` optional).
    as_of : datetime.date
        Only lines with ``ordered_at < as_of`` are used.
    freq : {"D", "W"}, default="W"
        Days, or ISO weeks with ``period`` the week's Monday.
    products : ibis.Table, optional
        ``product_id`` with ``category`` and/or ``unit_cost``: the category of lines that have none,
        and the unit cost of products whose lines carry none.
    cancel_window_days : int, default=30
        As in :func:`~shopmine.features.lines.classify_lines`.

    Returns
    -------
    ibis.Table
        Sorted by ``product_id, period``; one row per product and period with a sale or return line:

        - ``product_id``, ``category`` (string): the product's smallest category over its lines (one
          per product), ``"unknown"`` when none of its lines (nor the products table) has one
        - ``period`` (date): the period's first day
        - ``units``, ``revenue`` (float64): net units and revenue of the sale lines
        - ``avg_price`` (float64): paid per unit, ``revenue / units``; null when ``units`` is 0
        - ``list_price`` (float64): mean regular price of the sale lines weighted by units (of the
          return lines when the period has no sale); null when no line has a list price
        - ``discount_share`` (float64): share of units sold below the list price; null when ``units``
          is 0
        - ``discount_depth`` (float64): ``1 - revenue / list value`` (list value at the paid price
          where no list price is known); null when ``units`` is 0
        - ``unit_cost`` (float64): mean unit cost of the lines weighted by units, else the products
          table's, else null
        - ``n_lines`` (int64): sale lines (not wholly cancelled); ``n_customers`` (int64): distinct
          customers among them (guests not counted)
        - ``returns`` (float64): returned units
        - ``units_model`` (float64): ``units`` with bulk lines capped at their product's fence, as
          the sales panel's (the measure the elasticity models fit on)

    Raises
    ------
    ShopmineInputError
        A required column is missing, ``freq`` or ``as_of`` is invalid.

    Examples
    --------
    >>> points = price_points(orders, as_of=default_as_of(orders), freq="W")  # doctest: +SKIP
    >>> points.to_pandas()  # doctest: +SKIP
    """
    freq = check_freq(freq)
    as_of = check_day(as_of, "as_of")
    lines = classify_lines(orders, before=as_of, products=products, cancel_window_days=cancel_window_days)
    grouped = lines.group_by(product_id=lines.product_id, period=period_start(lines.day, freq)).aggregate(
        line_category=lines.category.min(),
        units=lines.sale_units.sum(),
        revenue=lines.sale_revenue.sum(),
        list_value=lines.sale_list_value.sum(),
        discounted_units=lines.discounted_units.sum(),
        returns=lines.returned_units.sum(),
        units_model=lines.model_units.sum(),
        n_lines=lines.is_sale.cast("int64").sum(),
        n_customers=lines.customer_id.nunique(where=lines.is_sale),
    )
    grouped = grouped.filter((grouped.n_lines > 0) | (grouped.returns > 0))
    prices = _line_prices(orders, as_of, freq)
    joined = grouped.left_join(prices, ["product_id", "period"])
    joined = joined.select(*grouped.columns, "line_list_price", "line_unit_cost")
    if products is not None:
        costs = _product_costs(products)
        joined = joined.left_join(costs, joined.product_id == costs.pid)
        unit_cost = ibis.coalesce(joined.line_unit_cost, joined.product_cost)
    else:
        unit_cost = joined.line_unit_cost
    # One category per product (a product whose lines disagree would otherwise split its series).
    category = joined.line_category.min().over(group_by=joined.product_id)
    sold = joined.units.nullif(0.0)
    points = joined.select(
        product_id=joined.product_id,
        category=category.fill_null(UNKNOWN_CATEGORY),
        period=joined.period,
        units=joined.units,
        revenue=joined.revenue,
        avg_price=joined.revenue / sold,
        list_price=joined.line_list_price,
        discount_share=joined.discounted_units / sold,
        discount_depth=ibis.ifelse(sold.notnull(), 1.0 - joined.revenue / joined.list_value.nullif(0.0),
                                   ibis.null("float64")),
        unit_cost=unit_cost,
        n_lines=joined.n_lines.cast("int64"),
        n_customers=joined.n_customers.cast("int64"),
        returns=joined.returns,
        units_model=joined.units_model,
    )
    return points.order_by("product_id", "period")
