"""Bulk lines: sale lines far beyond their product's usual line size (rule in :mod:`shopmine.features.lines`).

The usual size is the median quantity of the product's sale lines (DuckDB ``quantile_cont`` and
Spark ``percentile``, both exact and interpolated, so the engines agree). A median ignores the very
lines it is meant to expose: one 80,000-unit line among a hundred lines of 12 leaves it at 12.
"""

from __future__ import annotations

import ibis

__all__ = ["BULK_FACTOR", "usual_line_units"]

#: A line is bulk beyond this many times its product's median line. Wholesale pack sizes (1, 6, 12,
#: 24, 48 ...) put ordinary lines of one product within a factor of about 10 of each other; a
#: one-off order of 10 times the usual line is not what the product usually sells.
BULK_FACTOR = 10.0


def usual_line_units(sales: ibis.Table) -> ibis.Table:
    """``product_id, usual_units``: the median quantity of each product's sale lines.

    Parameters
    ----------
    sales : ibis.Table
        Sale lines (gross, before cancellations): ``product_id, quantity``.
    """
    return sales.group_by("product_id").aggregate(usual_units=sales.quantity.median())
