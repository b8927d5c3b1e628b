"""Cancellations matched to the sale they cancel (the rule is stated in :mod:`shopmine.features.lines`).

Two small tables come out of the negative product lines, both as Ibis expressions:

- per **sale group** (the sale lines of one buyer, product, order and time: lines that cannot be told
  apart by a later cancellation), the units cancelled, at most the units sold;
- per **negative line**, the units it cancelled (absorbed by its sale) and the rest, which is a return.

A negative line is matched to the most recent sale group of the same buyer and product at or before
it, within ``window_days``; a line without a cancelled status matches only a sale of its own order.
Several cancellations of one sale group use up its units in time order.
"""

from __future__ import annotations

import ibis

__all__ = ["buyer_key", "match_cancellations"]

# The key of the sale groups; ``buyer`` is from :func:`buyer_key`.
GROUP_KEYS = ("buyer", "product_id", "order_id", "ordered_at")


def buyer_key(lines: ibis.Table) -> ibis.expr.types.StringValue:
    """The customer id, or for a guest the order id (prefixed ``c`` and ``g`` so that they cannot
    be equal): a guest's cancellation can only be matched within the same order."""
    return ibis.ifelse(lines.customer_id.isnull(), "g" + lines.order_id, "c" + lines.customer_id)


def match_cancellations(sales: ibis.Table, negatives: ibis.Table, *,
                        window_days: int) -> tuple[ibis.Table, ibis.Table]:
    """Match negative lines to sale groups.

    Parameters
    ----------
    sales : ibis.Table
        Sale lines: ``buyer, product_id, order_id, ordered_at, quantity``.
    negatives : ibis.Table
        Negative product lines that may cancel a sale: ``buyer, product_id, order_id, ordered_at,
        quantity`` (< 0), ``cancel_status`` (boolean: a cancelled status, e.g. a cancellation invoice),
        ``may_cancel`` (boolean: false for a line with a return status, which is always a return)
        and the columns that tell two lines apart (``customer_id, category, unit_price, status``).
    window_days : int
        A cancelled-status line matches a sale at most this many days before it.

    Returns
    -------
    groups : ibis.Table
        ``buyer, product_id, order_id, ordered_at, group_cancelled, group_sold``: units cancelled
        and sold per sale group (only groups with a match).
    negatives : ibis.Table
        The negative lines with ``absorbed`` (float64): units matched to a sale (0 when unmatched).
    """
    groups = sales.group_by(*GROUP_KEYS).aggregate(sold=sales.quantity.sum())
    groups = groups.rename(s_buyer="buyer", s_product="product_id", s_order="order_id", s_at="ordered_at")
    # A deterministic id per negative line on every engine: lines equal in all these columns are
    # interchangeable, so which of them gets which id changes nothing.
    neg = negatives.mutate(cid=ibis.row_number().over(order_by=[
        negatives.ordered_at, negatives.order_id, negatives.product_id, negatives.buyer,
        negatives.quantity, negatives.unit_price, negatives.status, negatives.category]))
    window = ibis.interval(days=window_days)
    pairs = neg.join(groups, [
        neg.buyer == groups.s_buyer,
        neg.product_id == groups.s_product,
        groups.s_at <= neg.ordered_at,
        groups.s_at >= neg.ordered_at - window,
        neg.may_cancel,
        neg.cancel_status | (groups.s_order == neg.order_id),
    ])
    # The most recent sale before the cancellation (ties between orders at the same time: the
    # larger order id, an arbitrary but engine-independent choice).
    pairs = pairs.mutate(rank=ibis.row_number().over(
        group_by=pairs.cid, order_by=[ibis.desc(pairs.s_at), ibis.desc(pairs.s_order)]))
    best = pairs.filter(pairs.rank == 0)
    units = -best.quantity
    # Cancellations of one sale group use its units up in time order.
    before = units.sum().over(
        group_by=[best.s_buyer, best.s_product, best.s_order, best.s_at],
        order_by=[best.ordered_at, best.cid], rows=(None, 0)) - units
    best = best.mutate(absorbed=ibis.greatest(ibis.literal(0.0), ibis.least(units, best.sold - before)))
    group_cancelled = best.group_by(
        buyer=best.s_buyer, product_id=best.s_product, order_id=best.s_order, ordered_at=best.s_at,
    ).aggregate(group_cancelled=best.absorbed.sum(), group_sold=best.sold.max())
    absorbed = best.select(m_cid=best.cid, absorbed=best.absorbed)
    joined = neg.left_join(absorbed, neg.cid == absorbed.m_cid)
    out = joined.select(*[c for c in negatives.columns],
                        absorbed=joined.absorbed.fill_null(0.0))
    return group_cancelled, out
