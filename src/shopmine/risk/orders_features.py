"""Order risk features: each order beside its customer's history strictly before it (issue 15).

One row per order placed before the as-of date, as one Ibis expression (window functions over the
customer's time line), so it runs unchanged on DuckDB and Spark. Rules, stated once:

- An **order** is the set of its positive product lines (``quantity > 0``, ``line_type`` product),
  whatever their status: what was placed, not what became of it. It is placed at its earliest line.
  Its own status (cancelled, returned ...) is never a feature: the log books it at the order's time,
  but it happened after.
- **Before** means an earlier second: events of the customer in the same second as the order (other
  orders, returns) are not its history. Times are compared as whole seconds since 1970.
- A **return** is a negative product line without a cancelled status, or a positive line with a
  return status, dated at its own time (``ordered_at``; a return line carries the return's time).
  A positive line with a return status is dated at its order's time (the log has no other).
- A **cancelled order** has all its lines in a cancelled status (``cancelled``, ``voided`` ...); a
  **cancellation line** is a negative product line with a cancelled status (e.g. Online Retail's
  ``C`` invoices), dated at its own time.
- A **high-priced** line costs more per unit than the 75th percentile of the unit prices of the
  previous calendar month's placed lines (the threshold comes from before the order; null in the
  log's first month).
- Guests (null or empty ``customer_id``) have no history: their history features are null.

The log's first order of a customer is its "first order" even when the customer bought before the
log began (the log cannot tell).
"""

from __future__ import annotations

import datetime as dt

import ibis

from shopmine.errors import ShopmineInputError
from shopmine.features.dates import check_day, start_of_day
from shopmine.features.lines import canonical_view
from shopmine.schema import CANCELLED_STATUSES, RETURN_STATUSES

__all__ = ["FEATURE_COLUMNS", "HIGH_PRICE_QUANTILE", "VELOCITY_DAYS", "order_features", "order_lines", "placed_orders"]

VELOCITY_DAYS = (1, 7, 30)
HIGH_PRICE_QUANTILE = 0.75
NIGHT_HOURS = range(0, 6)  # 00:00 to 05:59
_DAY = 86_400
_OPTIONAL = {"status": "string", "list_price": "float64", "line_type": "string", "country": "string",
             "payment_method": "string", "channel": "string"}

#: The feature columns of :func:`order_features`, in order (after ``order_id, customer_id, ordered_at``).
FEATURE_COLUMNS = (
    "is_guest", "is_first_order", "orders_before",
    *(f"orders_last_{d}d" for d in VELOCITY_DAYS),
    "days_since_previous_order", "account_age_days",
    "order_value", "order_lines", "order_units", "distinct_products", "max_unit_price", "mean_unit_price",
    "high_price_share", "discounted_line_share",
    "value_ratio", "lines_ratio", "units_ratio",
    "returns_before", "returned_value_before", "return_share_before",
    "cancelled_orders_before", "cancel_share_before", "cancellation_lines_before",
    "hour", "is_night",
    "country_seen_share", "new_country", "country_differs_from_account",
    "payment_seen_share", "new_payment_method",
    "payment_method", "channel",
)


def order_lines(orders: ibis.Table, as_of: dt.date) -> ibis.Table:
    """The product lines before ``as_of`` with canonical types, their second ``sec``, calendar ``month``
    and kinds (``is_cancelled``, ``is_return``: the rules of this module)."""
    lines = canonical_view(orders, _OPTIONAL)
    # An empty text cell is no value: no country, no payment method (spreadsheets write missing as "").
    lines = lines.mutate(**{name: lines[name].nullif("") for name, typ in _OPTIONAL.items() if typ == "string"})
    is_product = (lines.line_type == "product") if "line_type" in orders.columns else ibis.literal(True)
    lines = lines.filter(is_product.fill_null(False), lines.ordered_at < start_of_day(as_of),
                         (lines.quantity != 0).fill_null(False))
    status = lines.status.lower()
    cancelled = status.isin(CANCELLED_STATUSES).fill_null(False)
    return lines.mutate(
        status=status,
        # floor: DuckDB's epoch has the fraction of a second (a cast would round it), Spark's not.
        sec=lines.ordered_at.epoch_seconds().floor().cast("int64"),
        month=lines.ordered_at.year().cast("int64") * 12 + lines.ordered_at.month().cast("int64"),
        is_cancelled=cancelled,
        is_return=(((lines.quantity < 0) & ~cancelled)
                   | ((lines.quantity > 0) & status.isin(RETURN_STATUSES))).fill_null(False),
    )


def _high_price_thresholds(placed: ibis.Table) -> ibis.Table:
    """Per month ``m``: the unit price at the high-price quantile of month ``m - 1``'s placed lines
    (``month, threshold``). percent_rank is exact and the same on every engine, unlike quantile
    aggregates (approximate on Spark)."""
    ranked = placed.select("month", "unit_price").filter(placed.unit_price.notnull())
    ranked = ranked.mutate(rank=ibis.percent_rank().over(group_by="month", order_by="unit_price"))
    per_month = ranked.group_by("month").aggregate(
        threshold=ranked.unit_price.min(where=ranked.rank >= HIGH_PRICE_QUANTILE))
    return per_month.select(month=per_month.month + 1, threshold=per_month.threshold)


def placed_orders(lines: ibis.Table) -> ibis.Table:
    """One row per order in ``lines`` (:func:`order_lines`): what was placed (its positive lines),
    where, how and when (``placed_at``, ``sec``)."""
    placed = lines.filter(lines.quantity > 0)
    thresholds = _high_price_thresholds(placed)
    placed = placed.left_join(thresholds, "month")
    q, p = placed.quantity, placed.unit_price
    high = placed.threshold.notnull() & (p > placed.threshold)
    return placed.group_by("order_id").aggregate(
        customer_id=placed.customer_id.min(),  # one customer per order; min() is deterministic
        placed_at=placed.ordered_at.min(),
        sec=placed.sec.min(),
        value=(q * p).sum(),
        lines=placed.count(),
        units=q.sum(),
        distinct_products=placed.product_id.nunique(),
        max_unit_price=p.max(),
        priced_lines=placed.threshold.count(),
        high_lines=high.cast("int64").sum(),
        discounted_lines=(p < placed.list_price).fill_null(False).cast("int64").sum(),
        cancelled_lines=placed.is_cancelled.cast("int64").sum(),
        country=placed.country.min(),
        payment_method=placed.payment_method.min(),
        channel=placed.channel.min(),
    )


_EVENT_MEASURES = ("n_orders", "value", "lines", "units", "cancelled_orders", "returns", "returned_value",
                   "cancellation_lines")


def _events(lines: ibis.Table, placed: ibis.Table) -> ibis.Table:
    """Per customer and second: the orders placed, returns and cancellation lines booked."""
    zero, one = ibis.literal(0.0), ibis.literal(1.0)

    def event(table, **measures):
        values = {m: measures.get(m, zero) for m in _EVENT_MEASURES}
        return table.select("customer_id", "sec", **{m: v.cast("float64") for m, v in values.items()})

    known = placed.filter(placed.customer_id.notnull())
    orders = event(known, n_orders=one, value=known.value, lines=known.lines, units=known.units,
                   cancelled_orders=ibis.ifelse(known.cancelled_lines == known.lines, one, zero))
    customer_lines = lines.filter(lines.customer_id.notnull())
    returns = customer_lines.filter(customer_lines.is_return)
    returns = event(returns, returns=one, returned_value=returns.quantity.abs() * returns.unit_price)
    cancels = customer_lines.filter(customer_lines.is_cancelled & (customer_lines.quantity < 0))
    cancels = event(cancels, cancellation_lines=one)
    events = orders.union(returns).union(cancels)
    return events.group_by("customer_id", "sec").aggregate(**{m: events[m].sum() for m in _EVENT_MEASURES})


def _history(events: ibis.Table) -> ibis.Table:
    """Per customer and second: totals strictly before it (``<measure>_before``), orders in the last
    1/7/30 days before it, the previous order's second and the first order's."""
    cumulative = ibis.cumulative_window(group_by="customer_id", order_by="sec")
    # Window sums include the current second; subtracting it leaves what came strictly before.
    before = {f"{m}_before": events[m].sum().over(cumulative) - events[m] for m in _EVENT_MEASURES}
    for days in VELOCITY_DAYS:
        window = ibis.range_window(preceding=days * _DAY, following=0, group_by="customer_id", order_by="sec")
        before[f"orders_last_{days}d"] = events.n_orders.sum().over(window) - events.n_orders
    order_sec = ibis.ifelse(events.n_orders > 0, events.sec, ibis.null("int64"))
    history = events.mutate(**before, last_order_sec=order_sec.max().over(cumulative),
                            first_order_sec=order_sec.min().over(cumulative))
    previous = history.last_order_sec.lag().over(group_by="customer_id", order_by="sec")
    return history.mutate(previous_order_sec=previous)


def _seen_before(placed: ibis.Table, column: str) -> ibis.Table:
    """Per customer, value of ``column`` and second: the customer's earlier orders with that value."""
    known = placed.filter(placed.customer_id.notnull(), placed[column].notnull())
    per_second = known.group_by("customer_id", column, "sec").aggregate(n=known.count())
    window = ibis.cumulative_window(group_by=["customer_id", column], order_by="sec")
    return per_second.select(
        "customer_id", column, "sec", seen_before=(per_second.n.sum().over(window) - per_second.n).cast("float64"))


def _accounts(customers: ibis.Table | None) -> ibis.Table | None:
    """``customer_id, signup_sec, account_country`` from the customers table (attributes known when the
    account was opened), one row per customer; None without the table or either column."""
    if customers is None:
        return None
    if "customer_id" not in customers.columns:
        raise ShopmineInputError("the customers table lacks the column customer_id; it keys the signup date "
                                 "and country of each account.")
    has_signup, has_country = "signup_date" in customers.columns, "country" in customers.columns
    if not (has_signup or has_country):
        return None
    signup = customers.signup_date if has_signup else ibis.null("date")
    # A signup date kept as text (customer attribute files are) is parsed; a malformed one reads as null.
    if not signup.type().is_timestamp():
        signup = signup.cast("string").try_cast("date").cast("timestamp")
    country = customers.country.cast("string").nullif("") if has_country else ibis.null("string")
    rows = customers.select(customer_id=customers.customer_id.cast("string"),
                            signup_sec=signup.epoch_seconds().cast("int64"), account_country=country)
    return rows.group_by("customer_id").aggregate(signup_sec=rows.signup_sec.min(),
                                                  account_country=rows.account_country.min())


def _ratio(num: ibis.Value, den: ibis.Value) -> ibis.Value:
    return num.cast("float64") / den.cast("float64").nullif(0.0)


def order_features(orders: ibis.Table, *, as_of: dt.date, customers: ibis.Table | None = None) -> ibis.Table:
    """Risk features of every order placed before ``as_of``, from the customer's history before it.

    Parameters
    ----------
    orders : ibis.Table
        Order lines in the canonical schema; ``status``, ``list_price``, ``line_type``, ``country``,
        ``payment_method`` and ``channel`` are used when present.
    as_of : datetime.date
        Orders and history end before this day.
    customers : ibis.Table, optional
        ``customer_id`` with ``signup_date`` and/or ``country``: what an account said when it was
        opened. The signup date starts the account's age when earlier than its first order; the country
        is compared with the order's shipping country. Give only attributes fixed at signup (not a
        country derived from the latest order, which would tell each order about later ones).

    Returns
    -------
    ibis.Table
        ``order_id, customer_id`` (string), ``ordered_at`` (timestamp: placed), then
        :data:`FEATURE_COLUMNS`: float64, but ``payment_method`` and ``channel`` (string):

        - ``is_guest``, ``is_first_order`` (no order of the customer before), ``orders_before``,
          ``orders_last_1d/7d/30d`` (orders in the days before, the current second excluded),
          ``days_since_previous_order``, ``account_age_days`` (since the signup date or the first
          order in the log, whichever is earlier);
        - the basket: ``order_value`` (placed units × unit price), ``order_lines``, ``order_units``,
          ``distinct_products``, ``max_unit_price``, ``mean_unit_price`` (value / units),
          ``high_price_share`` (share of lines above last month's 75th price percentile),
          ``discounted_line_share`` (lines below their list price);
        - against the customer's history: ``value_ratio``, ``lines_ratio``, ``units_ratio`` (the
          order's over the mean of the orders before; null without one);
        - ``returns_before`` (return lines), ``returned_value_before``, ``return_share_before``
          (returned value / value of the orders before), ``cancelled_orders_before``,
          ``cancel_share_before`` (of the orders before), ``cancellation_lines_before``;
        - ``hour`` (0-23), ``is_night`` (00:00-05:59);
        - ``country_seen_share`` (share of the orders before shipped to this order's country),
          ``new_country`` (1 when none was), ``country_differs_from_account`` (against the customers
          table's country), ``payment_seen_share`` and ``new_payment_method`` likewise.

        Guests' history features are null, as are shares over no earlier order.

    Examples
    --------
    >>> import datetime as dt, ibis
    >>> log = ibis.memtable({"order_id": ["o1", "o2"], "customer_id": ["c", "c"], "product_id": ["p", "p"],
    ...     "ordered_at": [dt.datetime(2024, 1, 1, 10), dt.datetime(2024, 1, 3, 23)],
    ...     "quantity": [1.0, 3.0], "unit_price": [10.0, 10.0]})
    >>> f = order_features(log, as_of=dt.date(2024, 2, 1)).execute().set_index("order_id")
    >>> [float(v) for v in f.loc["o2", ["orders_before", "days_since_previous_order", "value_ratio"]]]
    [1.0, 2.5416666666666665, 3.0]
    """
    as_of = check_day(as_of, "as_of")
    lines = order_lines(orders, as_of)
    placed = placed_orders(lines)
    history = _history(_events(lines, placed))
    out = placed.left_join(history, [placed.customer_id == history.customer_id, placed.sec == history.sec])
    keep = [c for c in history.columns if c.endswith("_before") or c.startswith("orders_last_")
            or c in ("first_order_sec", "previous_order_sec")]
    out = out.select(*[placed[c] for c in placed.columns], *[history[c] for c in keep])
    for column in ("country", "payment_method"):
        seen = _seen_before(placed, column).rename(**{f"{column}_seen_before": "seen_before"})
        keys = [out.customer_id == seen.customer_id, out[column] == seen[column], out.sec == seen.sec]
        joined = out.left_join(seen, keys)
        out = joined.select(*out.columns, seen[f"{column}_seen_before"])
    accounts = _accounts(customers)
    if accounts is not None:
        joined = out.left_join(accounts, out.customer_id == accounts.customer_id)
        out = joined.select(*out.columns, accounts.signup_sec, accounts.account_country)
    else:
        out = out.mutate(signup_sec=ibis.null("int64"), account_country=ibis.null("string"))
    return _finish(out)


def _finish(t: ibis.Table) -> ibis.Table:
    """The feature columns from the joined order, history and account rows."""
    guest = t.customer_id.isnull()
    known_before = ibis.ifelse(guest, ibis.null("float64"), t.n_orders_before)
    has_history = known_before > 0
    start = ibis.ifelse(t.signup_sec.notnull() & (t.signup_sec < t.first_order_sec), t.signup_sec,
                        t.first_order_sec)
    hour = t.placed_at.hour().cast("int64")

    def share(count: ibis.Value) -> ibis.Value:
        return ibis.ifelse(has_history, count.fill_null(0.0) / known_before, ibis.null("float64"))

    def unseen(column: str) -> ibis.Value:
        # 1 when the customer ordered before but never with this value; null on a first order.
        count = t[f"{column}_seen_before"].fill_null(0.0)
        return ibis.ifelse(has_history & t[column].notnull(), (count == 0).cast("float64"), ibis.null("float64"))

    def seen_share(column: str) -> ibis.Value:
        return ibis.ifelse(t[column].notnull(), share(t[f"{column}_seen_before"]), ibis.null("float64"))

    mean_before = {m: _ratio(t[f"{m}_before"], t.n_orders_before) for m in ("value", "lines", "units")}
    features = {
        "is_guest": guest.cast("float64"),
        "is_first_order": ibis.ifelse(guest, ibis.null("float64"), (known_before == 0).cast("float64")),
        "orders_before": known_before,
        **{f"orders_last_{d}d": t[f"orders_last_{d}d"].cast("float64") for d in VELOCITY_DAYS},
        "days_since_previous_order": (t.sec - t.previous_order_sec).cast("float64") / _DAY,
        "account_age_days": (t.sec - start).cast("float64") / _DAY,
        "order_value": t.value,
        "order_lines": t.lines.cast("float64"),
        "order_units": t.units,
        "distinct_products": t.distinct_products.cast("float64"),
        "max_unit_price": t.max_unit_price,
        "mean_unit_price": _ratio(t.value, t.units),
        # Null in the log's first month, which has no previous month to set the threshold.
        "high_price_share": ibis.ifelse(t.priced_lines > 0, _ratio(t.high_lines, t.lines), ibis.null("float64")),
        "discounted_line_share": _ratio(t.discounted_lines, t.lines),
        "value_ratio": _ratio(t.value, mean_before["value"]),
        "lines_ratio": _ratio(t.lines, mean_before["lines"]),
        "units_ratio": _ratio(t.units, mean_before["units"]),
        "returns_before": t.returns_before,
        "returned_value_before": t.returned_value_before,
        "return_share_before": _ratio(t.returned_value_before, t.value_before),
        "cancelled_orders_before": t.cancelled_orders_before,
        "cancel_share_before": share(t.cancelled_orders_before),
        "cancellation_lines_before": t.cancellation_lines_before,
        "hour": hour.cast("float64"),
        "is_night": hour.isin(list(NIGHT_HOURS)).cast("float64"),
        "country_seen_share": seen_share("country"),
        "new_country": unseen("country"),
        "country_differs_from_account": (t.country != t.account_country).cast("float64"),
        "payment_seen_share": seen_share("payment_method"),
        "new_payment_method": unseen("payment_method"),
        "payment_method": t.payment_method,
        "channel": t.channel,
    }
    return t.select("order_id", "customer_id", ordered_at=t.placed_at, **features)
