"""RFM quintile scores: recency, frequency and monetary value ranked into scores 1-5."""

from __future__ import annotations

import pandas as pd

from shopmine.errors import ShopmineInputError

__all__ = ["RFM_COLUMNS", "quintile_scores", "rfm_scores"]

#: The measures scored, from the customer summary.
RFM_COLUMNS = ("recency_days", "frequency", "monetary")


def quintile_scores(values: pd.Series, *, higher_is_better: bool = True) -> pd.Series:
    """Score values 1-5 by the quintile of their rank.

    Ranks are ``rank(method="first")``: ties are broken by first occurrence, so equal values
    may get different scores but every quintile holds a fifth of the rows (the classic RFM
    convention; scoring ties alike would leave quintiles empty when most customers bought once).

    Parameters
    ----------
    values : pandas.Series
        One value per customer, no missing values.
    higher_is_better : bool, default=True
        True: the largest value scores 5. False (recency): the smallest value scores 5.

    Returns
    -------
    pandas.Series
        int64 scores 1-5, same index.

    Examples
    --------
    >>> quintile_scores(pd.Series([10, 20, 30, 40, 50])).tolist()
    [1, 2, 3, 4, 5]
    >>> quintile_scores(pd.Series([10, 20, 30, 40, 50]), higher_is_better=False).tolist()
    [5, 4, 3, 2, 1]
    """
    if len(values) < 2:
        raise ShopmineInputError(
            f"RFM scores rank customers against each other: found {len(values)} customer(s), "
            "need at least 2; load more orders or choose a later {as_of}.", "as_of")
    if values.isna().any():
        raise ShopmineInputError(f"column {values.name!r} has missing values; RFM scores need one per customer.")
    # ascending=False for recency: the smallest value gets the highest rank, hence score 5.
    ranks = values.rank(method="first", ascending=higher_is_better)
    return pd.qcut(ranks, 5, labels=[1, 2, 3, 4, 5]).astype("int64")


def rfm_scores(summary: pd.DataFrame) -> pd.DataFrame:
    """Add ``r_score``, ``f_score`` and ``m_score`` to a customer summary.

    Parameters
    ----------
    summary : pandas.DataFrame
        ``customer_id, recency_days, frequency, monetary`` (further columns are kept), one row per
        customer, as :func:`shopmine.features.customer_summary` returns it.

    Returns
    -------
    pandas.DataFrame
        The rows in their given order with the three scores: 5 = most recent, most frequent,
        highest net spend.
    """
    missing = [c for c in ("customer_id", *RFM_COLUMNS) if c not in summary.columns]
    if missing:
        raise ShopmineInputError(f"the customer table lacks the column(s) {', '.join(missing)}.")
    return summary.assign(
        r_score=quintile_scores(summary["recency_days"], higher_is_better=False),
        f_score=quintile_scores(summary["frequency"]),
        m_score=quintile_scores(summary["monetary"]),
    )
