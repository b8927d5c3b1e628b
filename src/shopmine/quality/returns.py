"""Cancellations and returns of a workspace, told apart as the feature tables tell them apart.

A cancellation invoice (Online Retail's ``C…`` lines) is a cancellation when it is matched to the
sale it cancels (:func:`~shopmine.features.lines.classify_lines`) and a return otherwise, so the
quality report counts the classified lines rather than statuses: counting every cancelled-status line
made both shares the same number on Online Retail, where every negative line is a ``C`` invoice.
"""

from __future__ import annotations

import ibis

__all__ = ["returns_and_cancellations"]


def returns_and_cancellations(lines: ibis.Table, product_lines: int) -> dict[str, float | int]:
    """Count the cancellation and return lines among classified order lines.

    Parameters
    ----------
    lines : ibis.Table
        Lines from :func:`~shopmine.features.lines.classify_lines`.
    product_lines : int
        The product lines of the workspace: the denominator of the shares.

    Returns
    -------
    dict
        ``cancellation_lines``: negative lines matched (wholly or in part) to the sale they cancel,
        and positive lines with a cancelled status (an order cancelled before it was filled);
        ``return_lines``: lines with returned units (the unmatched rest of a negative line, or a line
        with a return status); a negative line matched in part counts in both. ``cancellations_share``
        and ``returns_share``: those over ``product_lines`` (0 without product lines).
    """
    matched = lines.cancelling_units > 0
    # A positive cancelled-status line is never a sale (no gross units); a sale's own line carries
    # the units a later line cancelled, which that later line already counts.
    cancelled_order_line = (lines.cancelled_units > 0) & (lines.gross_units == 0)
    counts = lines.aggregate(
        cancellation_lines=(matched | cancelled_order_line).sum(),
        return_lines=(lines.returned_units > 0).sum(),
    ).to_pyarrow().to_pylist()[0]
    cancellation_lines = int(counts["cancellation_lines"] or 0)
    return_lines = int(counts["return_lines"] or 0)
    return {
        "cancellation_lines": cancellation_lines,
        "return_lines": return_lines,
        "cancellations_share": cancellation_lines / product_lines if product_lines else 0.0,
        "returns_share": return_lines / product_lines if product_lines else 0.0,
    }
