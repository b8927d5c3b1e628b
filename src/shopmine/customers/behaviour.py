"""Per-customer behaviour features for clustering, as Ibis expressions (DuckDB and Spark alike).

Beyond the customer summary's RFM measures, a customer's behaviour is how much they buy per order,
how often they buy below list price, how much they send back and which categories they buy from.
"""

from __future__ import annotations

import datetime as dt
import re

import ibis

from shopmine.errors import ShopmineInputError
from shopmine.features import classify_lines, customer_summary
from shopmine.features.dates import check_day

__all__ = ["MAX_CATEGORIES", "behaviour_features", "category_column", "first_order_day", "refuse_unpriced_lines",
           "no_customers_reason"]

#: Category-mix columns kept: the top-level categories with the most sale revenue.
MAX_CATEGORIES = 8


def category_column(category: str) -> str:
    """Column name of a top-level category's spend share (``home`` -> ``category_home``)."""
    return "category_" + (re.sub(r"\W+", "_", category.strip().lower(), flags=re.ASCII).strip("_") or "unnamed")


def _top_level(category: ibis.StringValue) -> ibis.StringValue:
    # "home/kitchen" -> "home"; a category without a slash is its own top level.
    return category.split("/")[0].strip().nullif("")


def refuse_unpriced_lines(lines: ibis.Table) -> None:
    """Refuse sale and return lines without a price: they would leave monetary values missing.

    NaN counts as missing: a pandas frame turned into a table keeps NaN prices as NaN, not null.
    """
    unpriced = lines.filter(lines.customer_id.notnull(), lines.is_sale | (lines.returned_units > 0),
                            lines.unit_price.isnull() | lines.unit_price.isnan())
    count = int(unpriced.count().to_pyarrow().as_py())
    if count:
        ids = unpriced.select("customer_id").distinct().order_by("customer_id").limit(6).to_pandas()["customer_id"]
        shown = ", ".join(map(str, ids[:5])) + (", ..." if len(ids) > 5 else "")
        raise ShopmineInputError(
            f"{count:,} sale or return line(s) have no unit_price (customers {shown}), so their monetary "
            "value is missing; fill unit_price (or line_total) or load the log with `shopmine ingest`, "
            "which quarantines such lines.")


def first_order_day(orders: ibis.Table) -> dt.date | None:
    """Day of the earliest order line (``None`` for an empty table); one query on the engine."""
    first = orders.ordered_at.min().to_pyarrow().as_py()
    if first is None:
        return None
    return first.date() if isinstance(first, dt.datetime) else first


def no_customers_reason(orders: ibis.Table, as_of: dt.date) -> str:
    """Why no customer has a purchase before ``as_of``: the first order's day, when it is not earlier."""
    first_day = first_order_day(orders)
    if first_day is None:
        return "the orders table has no order lines."
    if first_day >= as_of:
        return (f"the as-of date {as_of} is on or before the first order ({first_day}); choose an as-of date "
                f"after {first_day}.")
    return f"no customer (only guests) has a sale before {as_of}; load more orders or choose a later as-of date."


def behaviour_features(
    orders: ibis.Table,
    *,
    as_of: dt.date,
    products: ibis.Table | None = None,
    max_categories: int = MAX_CATEGORIES,
) -> ibis.Table:
    """One row per customer: RFM measures and behaviour features before ``as_of``.

    Customers are those of :func:`shopmine.features.customer_summary` (a sale before ``as_of``).
    The top-level categories are found with one small query on the engine, so that the category
    mix becomes a fixed set of columns; the rest stays an unexecuted expression.

    Parameters
    ----------
    orders : ibis.Table
        Order lines in the canonical schema.
    as_of : datetime.date
        Only lines with ``ordered_at < as_of`` are used.
    products : ibis.Table, optional
        ``product_id, category``: the category of lines that have none.
    max_categories : int, default=8
        Category-mix columns: the top-level categories with the most sale revenue.

    Returns
    -------
    ibis.Table
        Sorted by ``customer_id``: ``customer_id`` (string), ``recency_days``, ``frequency``
        (int64), ``monetary``, ``gross_revenue``, ``tenure_days`` (int64: ``as_of`` - day of the first
        purchase), ``purchases_per_30d`` (purchases per 30 days of tenure, tenure counted as at least
        30 days), ``recency_vs_gap`` (recency in units of the customer's mean gap between purchases,
        tenure / frequency, tenure at least 1 day), ``lines_per_order`` (product lines per purchase),
        ``avg_order_value`` (net revenue per purchase),
        ``avg_basket_units`` (units bought per purchase), ``discount_share`` (units bought below
        list price / units bought), ``returns_share`` (returned value / gross revenue, 0 when the
        gross revenue is 0), ``price_vs_list`` (1 - gross revenue / list value of the units bought:
        the average discount taken), and one ``category_<name>`` column per top-level category
        (share of gross revenue spent in it); no category columns when no line has a category.

    Raises
    ------
    ShopmineInputError
        When a sale or return line of a customer has no ``unit_price`` (its monetary value would be
        missing); this check runs one query on the engine.
    """
    as_of = check_day(as_of, "as_of")
    summary = customer_summary(orders, as_of=as_of)
    lines = classify_lines(orders, before=as_of, products=products, bulk=False)
    refuse_unpriced_lines(lines)
    sales = lines.filter(lines.is_sale, lines.customer_id.notnull())
    sales = sales.mutate(top_category=_top_level(sales.category))

    revenue_by_category = (sales.filter(sales.top_category.notnull())
                           .group_by("top_category").aggregate(revenue=sales.sale_revenue.sum())
                           .order_by([ibis.desc("revenue"), "top_category"]).limit(max_categories)
                           .to_pandas())
    categories = list(revenue_by_category["top_category"])
    columns = {category_column(c): c for c in categories}
    per_category = {name: sales.sale_revenue.sum(where=sales.top_category == c) for name, c in columns.items()}

    behaviour = sales.group_by("customer_id").aggregate(
        b_units=sales.sale_units.sum(),
        b_discounted=sales.discounted_units.sum(),
        b_revenue=sales.sale_revenue.sum(),
        b_list_value=sales.sale_list_value.sum(),
        b_lines=sales.count(),
        **per_category,
    ).rename(b_customer_id="customer_id")
    joined = summary.join(behaviour, summary.customer_id == behaviour.b_customer_id)
    zero = ibis.literal(0.0)
    frequency = joined.frequency.cast("float64").nullif(0.0)
    revenue = joined.b_revenue.nullif(0.0)
    tenure = joined.tenure_days.cast("float64")
    out = joined.select(
        "customer_id", "recency_days", "frequency", "monetary", "gross_revenue", "tenure_days",
        purchases_per_30d=joined.frequency * 30.0 / ibis.greatest(tenure, 30.0),
        recency_vs_gap=joined.recency_days * joined.frequency / ibis.greatest(tenure, 1.0),
        lines_per_order=joined.b_lines / frequency,
        avg_order_value=joined.monetary / frequency,
        avg_basket_units=joined.units / frequency,
        discount_share=ibis.coalesce(joined.b_discounted / joined.b_units.nullif(0.0), zero),
        returns_share=ibis.coalesce(joined.returns_share, zero),
        price_vs_list=ibis.coalesce(1.0 - joined.b_revenue / joined.b_list_value.nullif(0.0), zero),
        **{name: ibis.coalesce(joined[name] / revenue, zero) for name in columns},
    )
    return out.order_by("customer_id")
