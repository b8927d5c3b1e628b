"""The bulk lines of a workspace: sale lines far beyond their product's usual size, largest first.

The rule is the feature tables' (:mod:`shopmine.features.bulk`), so the quality report lists exactly
the lines that forecasting keeps out of training by default.
"""

from __future__ import annotations

import datetime as dt

import ibis
import pandas as pd

from shopmine.features.lines import CANCEL_WINDOW_DAYS, bulk_sale_lines

__all__ = ["bulk_lines"]

COLUMNS = ["product_id", "quantity", "usual_units", "bulk_fence", "cancelled_units", "order_id", "ordered_at"]


def bulk_lines(orders: ibis.Table, *, before: dt.date, top: int = 20,
               cancel_window_days: int = CANCEL_WINDOW_DAYS) -> tuple[int, pd.DataFrame]:
    """How many sale lines before ``before`` are bulk lines, and the ``top`` largest of them.

    Parameters
    ----------
    orders : ibis.Table
        Order lines in the canonical schema.
    before : datetime.date
        Lines with ``ordered_at < before`` (for a quality report: the day after the last line).
    top : int, default=20
        How many lines to list.
    cancel_window_days : int, default=30
        As in :func:`~shopmine.features.lines.classify_lines`.

    Returns
    -------
    count : int
    table : pandas.DataFrame
        ``product_id, quantity`` (the line's quantity as ordered), ``usual_units`` (the product's
        median net line), ``bulk_fence``, ``cancelled_units`` (of the line, by a matched
        cancellation: a bulk line is one whose *net* units exceed the fence),
        ``order_id, ordered_at``; by quantity descending, then order and product.
    """
    # Only the bulk lines (a few per thousand sale lines) are kept, with their fences: the count and
    # the top lines read that small table instead of classifying the log twice.
    bulk = bulk_sale_lines(orders, before=before, cancel_window_days=cancel_window_days).cache()
    table = bulk.order_by([ibis.desc("quantity"), "order_id", "product_id"]).limit(top)
    count = int(bulk.count().to_pyarrow().as_py())
    listed = table.to_pyarrow().to_pandas()[COLUMNS]
    bulk.release()
    return count, listed
