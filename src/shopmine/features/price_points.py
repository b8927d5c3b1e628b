"""Price/demand points: what each product sold, at what price, per period (the pricing models' input).

One row per product and period with a sale or a return line before the as-of date. Units and revenue
are net demand as in the sales panel (:mod:`shopmine.features.lines`: cancellations matched and removed,
returns a separate measure, shipping and fee lines never count). Unlike the sales panel, periods
without any line are not filled in: a period with no sale has no price to learn from.

A period's average paid price mixes whatever price lists its buyers were on: a wholesaler's quantity
tiers (the same product at 2.55 per unit in lots of 32 and 2.95 in small lots, UCI Online Retail) or
another price for guests. Its movement is then mostly who bought, not a price the shop changed. So
each period also carries its ``shelf_price``, the price the most sale lines paid, and how many lines
paid another (``off_shelf_lines``): pricing tells a price schedule from the second
(:mod:`shopmine.pricing.schedule`) and, without list prices, takes today's price from the first
(:mod:`shopmine.pricing.current`).
"""

from __future__ import annotations

import datetime as dt

import ibis

from shopmine.errors import ShopmineInputError
from shopmine.features.dates import check_day
from shopmine.features.lines import CANCEL_WINDOW_DAYS, classify_lines
from shopmine.features.periods import check_freq, period_start
from shopmine.features.sales_panel import UNKNOWN_CATEGORY

__all__ = ["PRICE_POINT_COLUMNS", "SAME_PRICE", "price_points"]

PRICE_POINT_COLUMNS = ("product_id", "category", "period", "units", "revenue", "avg_price", "list_price",
                       "discount_share", "discount_depth", "unit_cost", "n_lines", "n_customers", "returns",
                       "units_model", "shelf_price", "off_shelf_lines")
#: Two prices closer than this share are one price (a cent of rounding on a price of a few pounds).
SAME_PRICE = 0.01


def _weighted(value: ibis.Column, weight: ibis.Column) -> ibis.Scalar:
    """The mean of ``value`` weighted by ``weight`` over the lines where it is known (null if none)."""
    known = value.notnull()
    return (weight * value).sum(where=known) / weight.sum(where=known).nullif(0.0)


def _shelf_prices(lines: ibis.Table, period: ibis.Column) -> ibis.Table:
    """Per product and period with a sale line: ``shelf_price``, the unit price paid by the most sale lines
    (the lower one among equals), and ``off_shelf_lines``, the sale lines that paid more than
    :data:`SAME_PRICE` away from it."""
    sales = lines.filter(lines.is_sale)
    priced = sales.group_by(sp_product=sales.product_id, sp_period=period.name("sp_period"),
                            sp_price=sales.unit_price).aggregate(sp_lines=sales.count())
    rank = ibis.row_number().over(group_by=[priced.sp_product, priced.sp_period],
                                  order_by=[ibis.desc(priced.sp_lines), priced.sp_price])
    ranked = priced.mutate(sp_rank=rank)
    shelf = ranked.filter(ranked.sp_rank == 0).select(
        sh_product=ranked.sp_product, sh_period=ranked.sp_period, shelf_price=ranked.sp_price)
    joined = priced.join(shelf, (priced.sp_product == shelf.sh_product) & (priced.sp_period == shelf.sh_period))
    off = (joined.sp_price - joined.shelf_price).abs() > SAME_PRICE * joined.shelf_price
    return joined.group_by(sh_product=joined.sp_product, sh_period=joined.sp_period).aggregate(
        shelf_price=joined.shelf_price.max(),
        off_shelf_lines=ibis.ifelse(off, joined.sp_lines, 0).sum().cast("int64"))


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
        - ``list_price`` (float64): mean regular price of the sale lines weighted by their net units (of
          the return lines, by returned units, when no sale line has one); null when no line has one
        - ``discount_share`` (float64): share of units sold below the list price; null when ``units``
          is 0
        - ``discount_depth`` (float64): ``1 - revenue / list value`` (list value at the paid price
          where no list price is known); null when ``units`` is 0
        - ``unit_cost`` (float64): mean unit cost of the lines weighted alike, else the products
          table's, else null
        - ``n_lines`` (int64): sale lines (not wholly cancelled); ``n_customers`` (int64): distinct
          customers among them (guests not counted)
        - ``returns`` (float64): returned units
        - ``units_model`` (float64): ``units`` with bulk lines capped at their product's fence, as
          the sales panel's (the measure the elasticity models fit on)
        - ``shelf_price`` (float64): the unit price paid by the most sale lines (the lower one among
          equals); null when no sale line
        - ``off_shelf_lines`` (int64): sale lines that paid more than :data:`SAME_PRICE` away from it

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
    shelf = _shelf_prices(lines, period_start(lines.day, freq))
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
        # The sale lines' prices and costs; a returns-only period still says what the product cost and
        # listed at, from its return lines.
        line_list_price=ibis.coalesce(_weighted(lines.list_price, lines.sale_units),
                                      _weighted(lines.list_price, lines.returned_units)),
        line_unit_cost=ibis.coalesce(_weighted(lines.unit_cost, lines.sale_units),
                                     _weighted(lines.unit_cost, lines.returned_units)),
    )
    joined = grouped.filter((grouped.n_lines > 0) | (grouped.returns > 0))
    joined = joined.left_join(shelf, (joined.product_id == shelf.sh_product) & (joined.period == shelf.sh_period))
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
        shelf_price=joined.shelf_price.cast("float64"),
        off_shelf_lines=joined.off_shelf_lines.fill_null(0).cast("int64"),
    )
    return points.order_by("product_id", "period")
