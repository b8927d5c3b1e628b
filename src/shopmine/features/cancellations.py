"""Cancellations matched to the sale they cancel (the rule is stated in :mod:`shopmine.features.lines`).

Two small tables come out of the negative product lines that may cancel a sale (the candidates), both
as Ibis expressions:

- per **sale group** (the sale lines of one buyer, product, order and time: lines that cannot be told
  apart by a later cancellation), the units cancelled, at most the units sold;
- per **candidate line**, the units it cancelled (absorbed by its sale) and the rest, which is a return.

A candidate is matched to the most recent sale group of the same buyer and product at or before it,
within ``window_days``; a line without a cancelled status matches only a sale of its own order.
Several cancellations of one sale group use up its units in time order.

The work scales with the candidates, not with the log: the candidates are joined to the sale lines
(the small side is the hash table, every sale line only probes it) and only the matched sale groups
are summed, so a log without candidates (e.g. whose negative lines are all returns) costs one probe
per sale line. The buyer is the customer, or for a guest the order; it is compared as the customer id
(null-safe) plus, for guests, the order id, so that no key string is built for every sale line.
"""

from __future__ import annotations

import ibis

__all__ = ["buyer_key", "match_cancellations"]

# The key of the sale groups (``customer_id`` compared null-safe: a guest's group is its order's).
GROUP_KEYS = ("customer_id", "product_id", "order_id", "ordered_at")


def buyer_key(lines: ibis.Table) -> ibis.expr.types.StringValue:
    """The customer id, or for a guest the order id (prefixed ``c`` and ``g`` so that they cannot
    be equal): a guest's cancellation can only be matched within the same order."""
    return ibis.ifelse(lines.customer_id.isnull(), "g" + lines.order_id, "c" + lines.customer_id)


def match_cancellations(sales: ibis.Table, candidates: ibis.Table, *,
                        window_days: int) -> tuple[ibis.Table, ibis.Table]:
    """Match candidate negative lines to sale groups.

    Parameters
    ----------
    sales : ibis.Table
        Sale lines: ``customer_id, product_id, order_id, ordered_at, quantity``.
    candidates : ibis.Table
        Negative product lines that may cancel a sale (not a return status): ``customer_id,
        product_id, order_id, ordered_at, quantity`` (< 0), ``cancel_status`` (boolean: a cancelled
        status, e.g. a cancellation invoice) and the columns that tell two lines apart
        (``category, unit_price, status``).
    window_days : int
        A cancelled-status line matches a sale at most this many days before it.

    Returns
    -------
    groups : ibis.Table
        ``customer_id, product_id, order_id, ordered_at, group_cancelled, group_sold``: units cancelled
        and sold per sale group (only groups with a match).
    candidates : ibis.Table
        The candidate lines with ``absorbed`` (float64): units matched to a sale (0 when unmatched).
    """
    # A deterministic id per candidate on every engine: lines equal in all these columns are
    # interchangeable, so which of them gets which id changes nothing.
    neg = candidates.mutate(cid=ibis.row_number().over(order_by=[
        candidates.ordered_at, candidates.order_id, candidates.product_id, buyer_key(candidates),
        candidates.quantity, candidates.unit_price, candidates.status, candidates.category]))
    s = sales.select(s_customer=sales.customer_id, s_product=sales.product_id, s_order=sales.order_id,
                     s_at=sales.ordered_at, s_quantity=sales.quantity)
    window = ibis.interval(days=window_days)
    pairs = neg.join(s, [
        neg.product_id == s.s_product,
        neg.customer_id.identical_to(s.s_customer),
        neg.customer_id.notnull() | (s.s_order == neg.order_id),  # a guest's buyer is its order
        s.s_at <= neg.ordered_at,
        s.s_at >= neg.ordered_at - window,
        neg.cancel_status | (s.s_order == neg.order_id),
    ])
    # Every line of a matched group pairs with the candidate (the conditions read only the group's
    # keys), so the group's units are the sum over the pairs.
    pairs = pairs.group_by("cid", "ordered_at", "quantity", "s_customer", "s_product", "s_order", "s_at").aggregate(
        sold=pairs.s_quantity.sum())
    # The most recent sale before the cancellation (ties between orders at the same time: the
    # larger order id, an arbitrary but engine-independent choice).
    pairs = pairs.mutate(rank=ibis.row_number().over(
        group_by=pairs.cid, order_by=[ibis.desc(pairs.s_at), ibis.desc(pairs.s_order)]))
    best = pairs.filter(pairs.rank == 0)
    units = -best.quantity
    # Cancellations of one sale group use its units up in time order.
    before = units.sum().over(
        group_by=[best.s_customer, best.s_product, best.s_order, best.s_at],
        order_by=[best.ordered_at, best.cid], rows=(None, 0)) - units
    best = best.mutate(absorbed=ibis.greatest(ibis.literal(0.0), ibis.least(units, best.sold - before)))
    group_cancelled = best.group_by(
        customer_id=best.s_customer, product_id=best.s_product, order_id=best.s_order, ordered_at=best.s_at,
    ).aggregate(group_cancelled=best.absorbed.sum(), group_sold=best.sold.max())
    absorbed = best.select(m_cid=best.cid, absorbed=best.absorbed)
    joined = neg.left_join(absorbed, neg.cid == absorbed.m_cid)
    out = joined.select(*[c for c in candidates.columns],
                        absorbed=joined.absorbed.fill_null(0.0))
    return group_cancelled, out
