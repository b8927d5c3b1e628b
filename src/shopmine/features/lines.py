"""Order lines classified as sales, returns and cancellations (DESIGN.md, "The canonical schema").

Every feature table is an aggregate of :func:`classify_lines`, so the definitions live here once:

- A **sale line** is a product line (``line_type = 'product'``) with ``quantity > 0`` whose status is
  null or not in :data:`~shopmine.schema.NOT_SOLD_STATUSES`. Its *gross* units are its quantity.
- A **cancellation** is a negative product line whose status is not a return status
  (:data:`~shopmine.schema.RETURN_STATUSES`). It is matched to the most recent sale of the same buyer
  and product at or before it (by ``ordered_at``): within ``cancel_window_days`` days when its status
  is a cancelled one (``cancelled``, ``voided`` ...: e.g. Online Retail's ``C…`` invoices, which
  ingest marks ``cancelled``), and only within its own order otherwise (a correction line). The buyer
  is the customer; a guest's buyer is the order, so a guest's cancellation matches within the same
  order only. The matched units, up to the units sold, are removed from that sale: its **net** units
  are ``quantity - cancelled`` (several sale lines of one buyer, product, order and time share a
  cancellation pro rata), and its revenue and list value shrink in proportion. A sale whose net units
  are 0 is not a sale any more (``is_sale`` false): an order whose lines net to nothing is not a
  purchase. Demand (``sale_units``) is net demand.
- A **return line** is the unmatched rest of a negative product line (returned units = ``-quantity``
  minus the units it cancelled), or a negative line with a return status, or a product line with
  ``quantity > 0`` and a return status (returned units = ``quantity``).
- A **cancelled line** is a product line with ``quantity > 0`` and any other not-sold status
  (``cancelled``, ``voided``, ``failed`` ...): never a sale, counted as cancelled units.
- A **bulk line** (``is_bulk_outlier``) is a sale line whose net units exceed its product's bulk
  fence: the larger of ``bulk_factor`` × the median net units of the product's sale lines before
  the as-of date and the far-out fence of their logs (:mod:`shopmine.features.bulk`). Net, so that
  a bulk line cancelled within its order changes no fence and no other line. ``model_units`` caps
  a bulk line's net units at the fence: the measure that forecasting models train on by default, so
  that one-off orders do not become the forecast.
- Shipping, fee, discount and adjustment lines never count; neither do lines with a null line type or
  a zero or null quantity.

Statuses are compared case-insensitively; an empty ``customer_id`` is a guest, like a null one. A table
without ``line_type`` (not yet through ingestion) is read as all product lines; missing ``status``,
``list_price``, ``unit_cost`` and ``category`` columns read as null.
"""

from __future__ import annotations

import datetime as dt

import ibis

from shopmine.errors import ShopmineInputError, invalid_value
from shopmine.features.bulk import BULK_FACTOR, bulk_fences
from shopmine.features.cancellations import GROUP_KEYS, match_cancellations
from shopmine.features.dates import start_of_day
from shopmine.schema import CANCELLED_STATUSES, NOT_SOLD_STATUSES, RETURN_STATUSES

__all__ = ["CANCEL_WINDOW_DAYS", "REQUIRED_COLUMNS", "bulk_sale_lines", "canonical_view", "classify_lines",
           "gross_sale_lines"]

#: Default of the ``cancel_window_days`` setting (see shopmine.settings for the reason).
CANCEL_WINDOW_DAYS = 30

REQUIRED_COLUMNS = ("order_id", "customer_id", "product_id", "ordered_at", "quantity", "unit_price")
# Optional canonical columns the features read, with the type of the null that stands in for them.
_OPTIONAL_COLUMNS = {"status": "string", "list_price": "float64", "unit_cost": "float64", "category": "string",
                     "line_type": "string"}


def canonical_view(orders: ibis.Table, optional: dict[str, str] | None = None) -> ibis.Table:
    """Select the columns the features read, with canonical types, or name what is missing.

    ``optional``: the optional columns to keep and their types (default: those the sales features read);
    a column the table lacks reads as a null of its type.
    """
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
    for name, typ in (_OPTIONAL_COLUMNS if optional is None else optional).items():
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


def _kinds(orders: ibis.Table, before: dt.date, products: ibis.Table | None) -> ibis.Table:
    """The canonical lines before ``before`` that are sale, return, cancelled or negative product
    lines, with ``is_sale`` (gross), ``is_return``, ``is_cancelled`` and the lower-cased ``status``."""
    lines = _with_category(canonical_view(orders), products)
    q = lines.quantity
    status = lines.status.lower()
    is_product = lines.line_type == "product" if "line_type" in orders.columns else ibis.literal(True)
    # fill_null(False): a null comparison (null quantity) must mean "not this kind", on every engine.
    lines = lines.mutate(
        status=status,
        is_sale=(is_product & (q > 0) & (status.isnull() | ~status.isin(NOT_SOLD_STATUSES))).fill_null(False),
        is_return=(is_product & ((q < 0) | ((q > 0) & status.isin(RETURN_STATUSES)))).fill_null(False),
        is_cancelled=(is_product & (q > 0) & status.isin(CANCELLED_STATUSES)).fill_null(False),
    )
    return lines.filter(lines.ordered_at < start_of_day(before),
                        lines.is_sale | lines.is_return | lines.is_cancelled)


def gross_sale_lines(orders: ibis.Table, *, before: dt.date, products: ibis.Table | None = None) -> ibis.Table:
    """Sale lines before ``before`` as sold, before any cancellation is matched: the cheap scan for
    "when did this series first sell" (``order_id, customer_id, product_id, category, ordered_at,
    day``)."""
    positive = orders.filter(orders.quantity.cast("float64") > 0)
    lines = _kinds(positive, before, products)
    sales = lines.filter(lines.is_sale)
    return sales.select("order_id", "customer_id", "product_id", "category", "ordered_at",
                        day=sales.ordered_at.date())


def _has_candidates(orders: ibis.Table, before: dt.date) -> bool:
    """Whether any product line before ``before`` is negative without a return status, i.e. may
    cancel a sale. Run once when the expression is built: without such a line there is nothing to
    match and the classification is one pass over the log (a simulated shop, or any export whose
    negative lines are all returns)."""
    lines = canonical_view(orders)
    status = lines.status.lower()
    is_product = lines.line_type == "product" if "line_type" in orders.columns else ibis.literal(True)
    candidates = lines.filter(is_product, lines.quantity < 0, lines.ordered_at < start_of_day(before),
                              status.isnull() | ~status.isin(RETURN_STATUSES))
    return bool(candidates.limit(1).count().execute())


def _matched(kept: ibis.Table, window_days: int) -> tuple[ibis.Table, ibis.Table]:
    """The positive lines with their ``net`` and ``cancelled`` units after matching, and the negative
    lines with the units each ``absorbed`` (:mod:`shopmine.features.cancellations`)."""
    positives = kept.filter(kept.quantity > 0)
    negatives = kept.filter(kept.quantity < 0)
    sales = positives.filter(positives.is_sale)
    # A negative line with a return status is always a return: only the others are matched.
    status = negatives.status
    may_cancel = (status.isnull() | ~status.isin(RETURN_STATUSES)).fill_null(True)
    returns = negatives.filter(~may_cancel).mutate(absorbed=ibis.literal(0.0))
    candidates = negatives.filter(may_cancel).mutate(
        cancel_status=status.isin(CANCELLED_STATUSES).fill_null(False))
    groups, candidates = match_cancellations(sales, candidates, window_days=window_days)
    negatives = returns.union(candidates.select(*returns.columns))

    zero = ibis.literal(0.0)
    groups = groups.rename(**{f"g_{k}": k for k in GROUP_KEYS})
    pos = positives.left_join(groups, [
        positives.customer_id.identical_to(groups.g_customer_id),
        positives.product_id == groups.g_product_id,
        positives.order_id == groups.g_order_id,
        positives.ordered_at == groups.g_ordered_at,
    ])
    pos = pos.select(*positives.columns, group_cancelled=pos.group_cancelled, group_sold=pos.group_sold)
    q = pos.quantity
    # The group's cancelled units, shared by its lines pro rata (a lone line: all of them).
    cancelled = ibis.ifelse(pos.is_sale & pos.group_cancelled.notnull(),
                            q * pos.group_cancelled / pos.group_sold, zero)
    pos = pos.mutate(net=ibis.ifelse(pos.is_sale, q - cancelled, zero))
    pos = pos.mutate(net=ibis.ifelse(pos.net < 1e-9 * q, zero, pos.net), cancelled=cancelled)
    return pos, negatives


def _net_lines(orders: ibis.Table, before: dt.date, products: ibis.Table | None,
               window_days: int) -> tuple[ibis.Table, ibis.Table | None]:
    """The kept lines with their ``net`` and ``cancelled`` units, and the negative lines with the
    units each ``absorbed``; when no line may cancel a sale, all kept lines in the first table (the
    negative ones with ``net`` 0) and None."""
    kept = _kinds(orders, before, products)
    if _has_candidates(orders, before):
        return _matched(kept, window_days)
    # Nothing to match (e.g. every negative line has a return status): every line's measures come
    # from the line alone, in one pass over the log.
    zero = ibis.literal(0.0)
    return kept.mutate(net=ibis.ifelse(kept.is_sale, kept.quantity, zero), cancelled=zero), None


def _with_fences(lines: ibis.Table, bulk_factor: float) -> ibis.Table:
    """``lines`` (with ``net`` units) with their product's ``usual_units`` and ``bulk_fence`` and
    ``is_bulk_outlier``."""
    kept_sales = lines.filter(lines.net > 0)
    fences = bulk_fences(kept_sales.select("product_id", quantity=kept_sales.net), bulk_factor)
    joined = lines.left_join(fences, "product_id")
    joined = joined.select(*[c for c in joined.columns if c != "product_id_right"])
    return joined.mutate(is_bulk_outlier=((joined.net > 0) & (joined.net > joined.bulk_fence)).fill_null(False))


def bulk_sale_lines(orders: ibis.Table, *, before: dt.date, cancel_window_days: int = CANCEL_WINDOW_DAYS,
                    bulk_factor: float = BULK_FACTOR) -> ibis.Table:
    """The bulk lines of :func:`classify_lines` (``is_bulk_outlier``), with their product's fence.

    Returns
    -------
    ibis.Table
        ``product_id, order_id`` (string), ``ordered_at`` (timestamp), ``quantity`` (the line's
        quantity as ordered), ``cancelled_units`` (cancelled by a matched line), ``usual_units`` (the
        product's median net line) and ``bulk_fence`` (float64).
    """
    pos, _ = _net_lines(orders, before, None, cancel_window_days)
    pos = _with_fences(pos, bulk_factor)
    bulk = pos.filter(pos.is_bulk_outlier)
    return bulk.select("product_id", "order_id", "ordered_at", quantity=bulk.quantity,
                       cancelled_units=bulk.cancelled, usual_units=bulk.usual_units,
                       bulk_fence=bulk.bulk_fence)


def classify_lines(
    orders: ibis.Table,
    *,
    before: dt.date,
    products: ibis.Table | None = None,
    cancel_window_days: int = CANCEL_WINDOW_DAYS,
    bulk_factor: float = BULK_FACTOR,
    bulk: bool = True,
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
    cancel_window_days : int, default=30
        A cancelled-status negative line cancels a sale at most this many days before it.
    bulk_factor : float, default=10.0
        A sale line is bulk beyond this many times its product's median net line (and beyond the
        product's far-out log fence).
    bulk : bool, default=True
        Flag bulk lines. Their fences are per-product medians and quantiles over every sale line, the
        dearest step of this expression; without them ``is_bulk_outlier`` is false and
        ``model_units`` equals ``sale_units`` (for tables that use neither, e.g. the customer summary).

    Returns
    -------
    ibis.Table
        One row per kept line: ``order_id, customer_id, product_id, category`` (string),
        ``ordered_at`` (timestamp), ``day`` (date of ``ordered_at``), ``unit_price``, ``list_price`` and
        ``unit_cost`` (float64, as on the line; the last two null when unknown), ``is_sale`` (boolean: a sale line with net units > 0) and the float64 measures
        ``sale_units`` (net units of a sale line), ``sale_revenue`` (net units × unit_price),
        ``sale_list_value`` (net units × coalesce(list_price, unit_price)), ``discounted_units`` (net
        units with ``unit_price < list_price``), ``returned_units`` (unmatched units of a return
        line), ``returned_value`` (those × unit_price), ``cancelled_units`` (units of a sale cancelled
        by a matched line, on the sale's line and day, and units of cancelled positive lines),
        ``gross_units`` and ``gross_revenue`` (a sale line's quantity and quantity × unit_price,
        before cancellations), ``cancelling_units`` (units of a negative line matched to the sale it
        cancels: the same units show as ``cancelled_units`` on the sale's line), ``model_units`` (net units, capped on bulk lines) and the boolean
        ``is_bulk_outlier``; each measure is 0 on lines of the other kinds, so sums need no filter.
        A negative line wholly matched to its sale is kept with all measures 0 but ``cancelling_units``.

    Raises
    ------
    ShopmineInputError
        A required column is missing or ``ordered_at`` is not a timestamp.

    Notes
    -----
    Building the expression runs one query on the engine: whether any negative product line may
    cancel a sale (its status is not a return status). Without one, nothing is matched and the
    lines are classified in one pass, as fast as before cancellations were matched; the answers are
    the same either way.
    """
    if isinstance(cancel_window_days, bool) or not isinstance(cancel_window_days, int) or cancel_window_days < 0:
        raise invalid_value("cancel_window_days", "a whole number of days, at least 0", cancel_window_days)
    if not isinstance(bulk_factor, (int, float)) or isinstance(bulk_factor, bool) or not bulk_factor >= 1:
        raise invalid_value("bulk_factor", "a number of at least 1", bulk_factor)
    pos, negatives = _net_lines(orders, before, products, cancel_window_days)
    zero = ibis.literal(0.0)
    if bulk:
        pos = _with_fences(pos, bulk_factor)
        fence, is_bulk = pos.bulk_fence, pos.is_bulk_outlier
    else:
        fence, is_bulk = pos.net, ibis.literal(False)
    q = pos.quantity
    discounted = pos.is_sale & (pos.unit_price < pos.list_price).fill_null(False)
    net = pos.net
    positive_out = pos.select(
        "order_id", "customer_id", "product_id", "category", "ordered_at",
        day=pos.ordered_at.date(),
        unit_price=pos.unit_price,
        list_price=pos.list_price,
        unit_cost=pos.unit_cost,
        is_sale=pos.net > 0,
        sale_units=net,
        sale_revenue=net * pos.unit_price,
        sale_list_value=net * ibis.coalesce(pos.list_price, pos.unit_price),
        discounted_units=ibis.ifelse(discounted, net, zero),
        # abs: a negative line reaches here only when nothing was matched (then all of it is returned).
        returned_units=ibis.ifelse(pos.is_return, q.abs(), zero),
        returned_value=ibis.ifelse(pos.is_return, q.abs() * pos.unit_price, zero),
        cancelled_units=ibis.ifelse(pos.is_cancelled, q, pos.cancelled),
        gross_units=ibis.ifelse(pos.is_sale, q, zero),
        gross_revenue=ibis.ifelse(pos.is_sale, q * pos.unit_price, zero),
        cancelling_units=zero,
        model_units=ibis.ifelse(is_bulk, ibis.least(net, fence), net),
        is_bulk_outlier=is_bulk,
    )
    if negatives is None:
        return positive_out
    rest = -negatives.quantity - negatives.absorbed
    negative_out = negatives.select(
        "order_id", "customer_id", "product_id", "category", "ordered_at",
        day=negatives.ordered_at.date(),
        unit_price=negatives.unit_price,
        list_price=negatives.list_price,
        unit_cost=negatives.unit_cost,
        is_sale=ibis.literal(False),
        sale_units=zero, sale_revenue=zero, sale_list_value=zero, discounted_units=zero,
        returned_units=rest,
        returned_value=rest * negatives.unit_price,
        cancelled_units=zero, gross_units=zero, gross_revenue=zero, cancelling_units=negatives.absorbed,
        model_units=zero,
        is_bulk_outlier=ibis.literal(False),
    )
    return positive_out.union(negative_out)
