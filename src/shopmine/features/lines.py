"""Order lines classified as sales, returns and cancellations (DESIGN.md, "The canonical schema").

Every feature table is an aggregate of :func:`classify_lines`, so the definitions live here once:

- A **sale line** is a product line (``line_type = 'product'``) with ``quantity > 0`` whose status is
  null or not in :data:`~shopmine.schema.NOT_SOLD_STATUSES`.
- A **return line** is a product line with ``quantity < 0`` (returned units = ``-quantity``, whatever its
  status), or a product line with ``quantity > 0`` and a status in
  :data:`~shopmine.schema.RETURN_STATUSES` (returned units = ``quantity``).
- A **cancelled line** is a product line with ``quantity > 0`` and any other not-sold status
  (``cancelled``, ``voided``, ``failed`` ...): neither a sale nor a return, counted as cancelled units.
- Shipping, fee, discount and adjustment lines never count; neither do lines with a null line type or
  a zero or null quantity.

Statuses are compared case-insensitively; an empty ``customer_id`` is a guest, like a null one. A table
without ``line_type`` (not yet through ingestion) is read as all product lines; missing ``status``,
``list_price`` and ``category`` columns read as null.
"""

from __future__ import annotations

import datetime as dt

import ibis

from shopmine.errors import ShopmineInputError
from shopmine.features.dates import start_of_day
from shopmine.schema import NOT_SOLD_STATUSES, RETURN_STATUSES

__all__ = ["REQUIRED_COLUMNS", "classify_lines"]

REQUIRED_COLUMNS = ("order_id", "customer_id", "product_id", "ordered_at", "quantity", "unit_price")
# Optional canonical columns the features read, with the type of the null that stands in for them.
_OPTIONAL_COLUMNS = {"status": "string", "list_price": "float64", "category": "string",
                     "line_type": "string"}
_CANCELLED_STATUSES = tuple(s for s in NOT_SOLD_STATUSES if s not in RETURN_STATUSES)


def _canonical_view(orders: ibis.Table) -> ibis.Table:
    """Select the columns the features read, with canonical types, or name what is missing."""
    missing = [c for c in REQUIRED_COLUMNS if c not in orders.columns]
    if missing:
        raise ShopmineInputError(
            f"the orders table lacks the column(s) {', '.join(missing)}; map them in the column "
            f"mapping (shopmine.toml) or load the log with `shopmine ingest`."
        )
    ordered_at = orders.ordered_at
    if ordered_at.type().is_date():
        ordered_at = ordered_at.cast("timestamp")
    elif not ordered_at.type().is_timestamp():
        raise ShopmineInputError(
            f"column 'ordered_at' must be a timestamp, got {ordered_at.type()}; "
            f"parse it when loading (shopmine ingest does)."
        )
    cols = {
        "order_id": orders.order_id.cast("string"),
        # An empty id is a guest as much as a null one (spreadsheets write empty cells as "").
        "customer_id": orders.customer_id.cast("string").nullif(""),
        "product_id": orders.product_id.cast("string"),
        "ordered_at": ordered_at,
        # Doubles throughout, so that integer test frames and DOUBLE warehouses give the same types.
        "quantity": orders.quantity.cast("float64"),
        "unit_price": orders.unit_price.cast("float64"),
    }
    for name, typ in _OPTIONAL_COLUMNS.items():
        cols[name] = orders[name].cast(typ) if name in orders.columns else ibis.null(typ)
    return orders.select(**cols)


def _with_category(lines: ibis.Table, products: ibis.Table | None) -> ibis.Table:
    """Fill a line's missing category from ``products`` (one category per product id)."""
    category = lines.category.nullif("")
    if products is None:
        return lines.mutate(category=category)
    missing = [c for c in ("product_id", "category") if c not in products.columns]
    if missing:
        raise ShopmineInputError(
            f"the products table lacks the column(s) {', '.join(missing)}; it needs product_id and category."
        )
    # min() makes a duplicated product id deterministic on every engine instead of multiplying lines.
    per_product = (
        products.select(pid=products.product_id.cast("string"),
                        product_category=products.category.cast("string").nullif(""))
        .filter(lambda t: t.product_category.notnull())
        .group_by("pid")
        .aggregate(product_category=lambda t: t.product_category.min())
    )
    joined = lines.left_join(per_product, lines.product_id == per_product.pid)
    return joined.select(
        *[c for c in lines.columns if c != "category"],
        category=ibis.coalesce(category, joined.product_category),
    )


def classify_lines(
    orders: ibis.Table,
    *,
    before: dt.date,
    products: ibis.Table | None = None,
) -> ibis.Table:
    """Order lines before a day that are sales, returns or cancellations, with their measures.

    Parameters
    ----------
    orders : ibis.Table
        Order lines in the canonical schema.
    before : datetime.date
        Keep lines with ``ordered_at < before`` (the as-of date; a line at midnight of ``before`` is out).
    products : ibis.Table, optional
        ``product_id, category``: the category of lines that have none. Null or empty categories
        stay null.

    Returns
    -------
    ibis.Table
        One row per kept line: ``order_id, customer_id, product_id, category`` (string),
        ``ordered_at`` (timestamp), ``day`` (date of ``ordered_at``), ``unit_price`` (float64),
        ``is_sale`` (boolean) and the float64 measures ``sale_units`` (quantity of a sale line),
        ``sale_revenue`` (quantity × unit_price), ``sale_list_value``
        (quantity × coalesce(list_price, unit_price)), ``discounted_units`` (sale units with
        ``unit_price < list_price``), ``returned_units`` (``|quantity|`` of a return line),
        ``returned_value`` (``|quantity|`` × unit_price) and ``cancelled_units``; each measure is 0 on
        lines of the other kinds, so sums need no filter.
    """
    lines = _with_category(_canonical_view(orders), products)
    q = lines.quantity
    status = lines.status.lower()
    is_product = lines.line_type == "product" if "line_type" in orders.columns else ibis.literal(True)
    # fill_null(False): a null comparison (null quantity) must mean "not this kind", on every engine.
    lines = lines.mutate(
        is_sale=(is_product & (q > 0) & (status.isnull() | ~status.isin(NOT_SOLD_STATUSES))).fill_null(False),
        is_return=(is_product & ((q < 0) | ((q > 0) & status.isin(RETURN_STATUSES)))).fill_null(False),
        is_cancelled=(is_product & (q > 0) & status.isin(_CANCELLED_STATUSES)).fill_null(False),
    )
    kept = lines.filter(lines.ordered_at < start_of_day(before),
                        lines.is_sale | lines.is_return | lines.is_cancelled)
    q = kept.quantity
    zero = ibis.literal(0.0)
    discounted = kept.is_sale & (kept.unit_price < kept.list_price).fill_null(False)
    return kept.select(
        "order_id", "customer_id", "product_id", "category", "ordered_at",
        day=kept.ordered_at.date(),
        unit_price=kept.unit_price,
        is_sale=kept.is_sale,
        sale_units=ibis.ifelse(kept.is_sale, q, zero),
        sale_revenue=ibis.ifelse(kept.is_sale, q * kept.unit_price, zero),
        sale_list_value=ibis.ifelse(
            kept.is_sale, q * ibis.coalesce(kept.list_price, kept.unit_price), zero),
        discounted_units=ibis.ifelse(discounted, q, zero),
        returned_units=ibis.ifelse(kept.is_return, q.abs(), zero),
        returned_value=ibis.ifelse(kept.is_return, q.abs() * kept.unit_price, zero),
        cancelled_units=ibis.ifelse(kept.is_cancelled, q, zero),
    )
